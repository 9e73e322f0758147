"""Quiz attempts and their answers."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.courses.models import Module, ModuleVersion, Question
from academy.extensions import db


class QuizAttempt(db.Model):
    """One attempt at a module's quiz, pinned to the module version it was taken on."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        # At most one unsubmitted attempt per learner and module, even under parallel "start"
        # clicks: the attempt limit counts submitted attempts, so this keeps it exact.
        Index("uq_quiz_attempt_open", "user_id", "module_id", unique=True,
              sqlite_where=text("submitted_at IS NULL"),
              postgresql_where=text("submitted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"), index=True)
    # The questions drawn and each question's option order, fixed when the attempt starts.
    layout: Mapped[list] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None]
    lang: Mapped[str] = mapped_column(String(5), default="en")
    # The answers given so far, saved as they are given: {"<question id>": [option ids]}.
    draft: Mapped[dict | None] = mapped_column(JSON)
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    module: Mapped[Module] = relationship()
    version: Mapped[ModuleVersion] = relationship()
    answers: Mapped[list["AttemptAnswer"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan")


class AttemptAnswer(db.Model):
    """The graded answer to one question of a submitted attempt."""

    __tablename__ = "attempt_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    selected_option_ids: Mapped[list] = mapped_column(JSON)
    correct: Mapped[bool]

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
