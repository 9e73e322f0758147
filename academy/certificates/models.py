"""The certificate record: one row per revision, never deleted."""
from datetime import date, datetime

from sqlalchemy import (JSON, Date, DateTime, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.auth.models import User
from academy.courses.models import Course
from academy.extensions import db

VALID, REVOKED, SUPERSEDED = "valid", "revoked", "superseded"
STATUSES = (VALID, REVOKED, SUPERSEDED)


class Certificate(db.Model):
    """One revision of a certificate; a re-issue adds a revision with the same serial."""

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("serial", "revision", name="uq_certificate_serial_revision"),
        # One chain per learner and course: a second revision 1 cannot exist (idempotent issue).
        UniqueConstraint("user_id", "course_id", "revision", name="uq_certificate_user_course_revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(20), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    # The facts as they were at issue: later profile or course edits do not change a certificate.
    name_latin: Mapped[str] = mapped_column(String(200), default="")
    name_cyrillic: Mapped[str] = mapped_column(String(200), default="")
    course_slug: Mapped[str] = mapped_column(String(100))
    course_title_en: Mapped[str] = mapped_column(String(300))
    course_title_ru: Mapped[str] = mapped_column(String(300))
    hours: Mapped[float]
    completed_on: Mapped[date] = mapped_column(Date)
    content_version: Mapped[int] = mapped_column(Integer)
    module_versions: Mapped[list] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    issued_without_completion: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=VALID, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    # The signed Open Badges 3.0 credential (VC-JWT), made once at issue.
    credential_jwt: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id])

    @property
    def status_index(self):
        """The certificate's bit in the Bitstring Status List."""
        return self.id

    def name(self, lang):
        """The name in the script of `lang`, falling back to the other script."""
        if lang == "ru":
            return self.name_cyrillic or self.name_latin
        return self.name_latin or self.name_cyrillic

    def course_title(self, lang):
        return self.course_title_ru if lang == "ru" else self.course_title_en
