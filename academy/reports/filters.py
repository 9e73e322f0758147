"""Who may see which reports (scope), and the filters every report, export and API call takes."""
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, UTC

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, true

from academy.auth.models import User
from academy.auth.scopes import scope_countries
from academy.core.countries import is_known_country
from academy.core.roles import Role
from academy.courses.assignments import assigned_course_ids
from academy.learning.models import Enrolment

LANGS = ("en", "ru")


@dataclass(frozen=True)
class ReportScope:
    """What a user may see: countries (None: all) and courses (None: all); names or not."""

    countries: frozenset | None
    course_ids: frozenset | None
    names: bool  # may see named learners (drill-down, transcripts, the learners table)

    def clause(self):
        """WHERE clause over User and Enrolment limiting rows to this scope."""
        parts = []
        if self.countries is not None:
            parts.append(User.country.in_(sorted(self.countries)) if self.countries else false())
        if self.course_ids is not None:
            parts.append(Enrolment.course_id.in_(sorted(self.course_ids)) if self.course_ids
                         else false())
        return and_(true(), *parts)

    def clause_for_users(self):
        """WHERE clause over User alone (country scope)."""
        if self.countries is None:
            return true()
        return User.country.in_(sorted(self.countries)) if self.countries else false()

    def sees_country(self, code):
        return self.countries is None or code in self.countries


def report_scope(user):
    """The user's ReportScope, or None when they see no reports at all (learners)."""
    if user.role in (Role.ADMIN.value, Role.COORDINATOR.value):
        countries = scope_countries(user)
        return ReportScope(None if countries is None else frozenset(countries), None, True)
    if user.role == Role.TRAINER.value:
        # Trainers see aggregates of the courses they are assigned to, in every country.
        return ReportScope(None, frozenset(assigned_course_ids(user)), False)
    return None


class FilterError(ValueError):
    """A filter value is invalid; str(error) is shown to the user."""


@dataclass
class Filters:
    """The report filters; every field None means 'no filter'."""

    course: str | None = None  # course slug
    country: str | None = None
    organisation: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    lang: str | None = None
    course_id: int | None = field(default=None, compare=False)

    @classmethod
    def parse(cls, args):
        """Filters from request args (or a dict); raises FilterError with a readable message."""
        def text(name):
            value = (args.get(name) or "").strip()
            if any(ord(ch) < 32 for ch in value):  # PostgreSQL refuses NUL; none belongs here
                raise FilterError(_l("Filters cannot contain control characters."))
            return value or None

        filters = cls(course=text("course"), organisation=text("organisation"))
        country = text("country")
        if country is not None:
            country = country if country == "other" else country.upper()
            if not is_known_country(country):
                raise FilterError(_l("Unknown country code."))
            filters.country = country
        lang = text("lang")
        if lang is not None and lang not in LANGS:
            raise FilterError(_l("The language must be en or ru."))
        filters.lang = lang
        for name, attr in (("from", "date_from"), ("to", "date_to")):
            value = text(name)
            if value is not None:
                try:
                    setattr(filters, attr, date.fromisoformat(value))
                except ValueError:
                    raise FilterError(_l("Dates are written as YYYY-MM-DD.")) from None
        for attr in ("date_from", "date_to"):
            if getattr(filters, attr) and not date(1900, 1, 1) <= getattr(filters, attr) <= date(9000, 1, 1):
                raise FilterError(_l("Dates must lie between 1900 and 9000."))
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            raise FilterError(_l("The start date is after the end date."))
        if filters.organisation and len(filters.organisation) > 200:
            raise FilterError(_l("The organisation is too long."))
        return filters

    def args(self):
        """The filters as query-string arguments (for links and exports)."""
        values = {"course": self.course, "country": self.country,
                  "organisation": self.organisation, "lang": self.lang,
                  "from": self.date_from.isoformat() if self.date_from else None,
                  "to": self.date_to.isoformat() if self.date_to else None}
        return {k: v for k, v in values.items() if v}

    def describe(self):
        """A plain dict for the audit log."""
        return {k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in asdict(self).items() if v is not None and k != "course_id"}

    def user_clause(self):
        """WHERE clause over User alone: country, organisation, language."""
        parts = []
        if self.country is not None:
            parts.append(User.country == self.country)
        if self.organisation is not None:
            parts.append(User.organisation == self.organisation)
        if self.lang is not None:
            parts.append(User.locale == self.lang)
        return and_(true(), *parts)

    def clause(self):
        """WHERE clause over User and Enrolment for these filters (course_id resolved first)."""
        parts = []
        if self.course is not None:
            parts.append(Enrolment.course_id == (self.course_id or -1))
        if self.country is not None:
            parts.append(User.country == self.country)
        if self.organisation is not None:
            parts.append(User.organisation == self.organisation)
        if self.lang is not None:
            parts.append(User.locale == self.lang)
        if self.date_from is not None:
            parts.append(Enrolment.created_at >= _start_of(self.date_from))
        if self.date_to is not None:
            parts.append(Enrolment.created_at < _start_of(self.date_to + timedelta(days=1)))
        return and_(true(), *parts)


def _start_of(day):
    return datetime.combine(day, time(0), tzinfo=UTC)
