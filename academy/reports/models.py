"""Indexes for the reports' filters and breakdowns on other features' tables (read-only use)."""
from sqlalchemy import Index

from academy.auth.models import User
from academy.learning.models import CourseCompletion, Enrolment

# Every report filter is backed by an index: country and organisation (scope, filters,
# breakdowns), UI language; enrolments by course and date; completions per enrolment.
REPORT_INDEXES = (
    Index("ix_reports_user_country_org", User.country, User.organisation),
    Index("ix_reports_user_organisation", User.organisation),
    Index("ix_reports_user_locale", User.locale),
    Index("ix_reports_enrolment_course_created", Enrolment.course_id, Enrolment.created_at),
    Index("ix_reports_completion_user_course", CourseCompletion.user_id, CourseCompletion.course_id,
          CourseCompletion.completed_at),
)
