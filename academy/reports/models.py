"""The reports' summary tables, and indexes for the reports' filters on other features' tables."""
from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from academy.auth.models import User
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment, ModuleProgress

# Every report filter is backed by an index: country and organisation (scope, filters,
# breakdowns), UI language; enrolments by course and date; completions per enrolment.
REPORT_INDEXES = (
    Index("ix_reports_user_country_org", User.country, User.organisation),
    Index("ix_reports_user_organisation", User.organisation),
    Index("ix_reports_user_locale", User.locale),
    Index("ix_reports_enrolment_course_created", Enrolment.course_id, Enrolment.created_at),
    Index("ix_reports_completion_user_course", CourseCompletion.user_id, CourseCompletion.course_id,
          CourseCompletion.completed_at),
    # The learners export reads a learner's progress rows by user alone (no table lookups).
    Index("ix_reports_progress_user_cover", ModuleProgress.user_id, ModuleProgress.module_id,
          ModuleProgress.best_score, ModuleProgress.completed_at),
)

# The cell of an enrolment: course, the learner's country, organisation and UI language (as
# the profile says now), and the month the enrolment was made.
CELL = ("course_id", "country", "organisation", "locale", "month")


class SummaryCell:
    """The columns of a summary cell (CELL): course, the learner's profile, month of enrolment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    country: Mapped[str] = mapped_column(String(8))
    organisation: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(5))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of the enrolment


class ReportSummary(SummaryCell, db.Model):
    """Enrolments per cell, and how many of them started, completed, hold a valid certificate.

    Kept in the same transaction as the events that change it (see summary.py);
    `academy reports rebuild-summary` recomputes it from the base tables.
    """

    __tablename__ = "reports_summary"
    __table_args__ = (
        UniqueConstraint(*CELL, name="uq_reports_summary_cell"),
        Index("ix_reports_summary_country_org", "country", "organisation"),
        Index("ix_reports_summary_organisation", "organisation"),
        Index("ix_reports_summary_locale", "locale"),
        Index("ix_reports_summary_month", "month"),
    )

    enrolled: Mapped[int] = mapped_column(Integer, default=0)
    started: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    certificates: Mapped[int] = mapped_column(Integer, default=0)


class ReportSummaryDays(SummaryCell, db.Model):
    """Completions per cell, month of completion and whole days from enrolment (for medians)."""

    __tablename__ = "reports_summary_days"
    __table_args__ = (
        UniqueConstraint(*CELL, "done_month", "days", name="uq_reports_summary_days_cell"),
        Index("ix_reports_summary_days_country_org", "country", "organisation"),
        Index("ix_reports_summary_days_organisation", "organisation"),
        Index("ix_reports_summary_days_locale", "locale"),
        Index("ix_reports_summary_days_month", "month"),
    )

    done_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of the completion
    days: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer, default=0)
