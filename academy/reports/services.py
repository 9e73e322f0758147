"""The overview: enrolled, started, completed, completion rate and median days to complete,
by course, country, organisation and month — aggregated in SQL, then suppressed."""
from collections import Counter, defaultdict
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, cast, func, select

from academy.auth.models import User
from academy.courses.models import Course
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment
from academy.reports.certificates import certificate_cube
from academy.reports.filters import FilterError
from academy.reports.suppression import suppress

MEASURES = ("enrolled", "started", "completed", "certificates")
BREAKDOWNS = ("course", "country", "organisation", "month")
DEFAULT_THRESHOLD = 5


def threshold():
    """The suppression threshold (ACADEMY_REPORTS_MIN_CELL, default 5)."""
    try:
        return max(1, int(current_app.config.get("ACADEMY_REPORTS_MIN_CELL") or DEFAULT_THRESHOLD))
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLD


def _dialect():
    return db.session.get_bind().dialect.name


def month_of(column):
    """'YYYY-MM' of a timestamp column, in SQL."""
    if _dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.substr(column, 1, 7)  # stored as "YYYY-MM-DD HH:MM:SS…": cheaper than strftime


def days_between(end, start):
    """Days (fractional) from `start` to `end`, in SQL."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def resolve_course(filters, scope):
    """Set filters.course_id from the slug; an unknown or out-of-scope course is a FilterError."""
    if filters.course is None:
        return
    course_id = db.session.scalar(select(Course.id).where(Course.slug == filters.course))
    if course_id is None or (scope.course_ids is not None and course_id not in scope.course_ids):
        raise FilterError(_l("Unknown course."))
    filters.course_id = course_id


def _filtered(query, scope, filters):
    return (query.join(User, User.id == Enrolment.user_id)
            .where(scope.clause(), filters.clause()))


def _cube(scope, filters):
    """Counts per (course, country, organisation, enrolment month): one GROUP BY in SQL."""
    month = month_of(Enrolment.created_at)
    started = func.sum(case((Enrolment.last_activity_at.is_not(None), 1), else_=0))
    completed = func.count(CourseCompletion.id)
    query = (select(Enrolment.course_id, User.country, User.organisation, month,
                    func.count(), started, completed)
             .select_from(Enrolment)
             .outerjoin(CourseCompletion, and_(CourseCompletion.user_id == Enrolment.user_id,
                                               CourseCompletion.course_id == Enrolment.course_id)))
    query = _filtered(query, scope, filters).group_by(
        Enrolment.course_id, User.country, User.organisation, month)
    return db.session.execute(query).all()


def _durations(scope, filters):
    """Completions per (course, country, organisation, month, completion month, whole days)."""
    month = month_of(Enrolment.created_at)
    completed_month = month_of(CourseCompletion.completed_at)
    days = cast(func.floor(days_between(CourseCompletion.completed_at, Enrolment.created_at)),
                Integer) if _dialect() == "postgresql" else cast(
        days_between(CourseCompletion.completed_at, Enrolment.created_at), Integer)
    query = (select(Enrolment.course_id, User.country, User.organisation, month, completed_month,
                    days, func.count())
             .select_from(Enrolment)
             .join(CourseCompletion, and_(CourseCompletion.user_id == Enrolment.user_id,
                                          CourseCompletion.course_id == Enrolment.course_id)))
    query = _filtered(query, scope, filters).group_by(
        Enrolment.course_id, User.country, User.organisation, month, completed_month, days)
    return db.session.execute(query).all()


def _median(histogram):
    """The median of a {value: count} multiset, or None when it is empty."""
    total = sum(histogram.values())
    if not total:
        return None
    middle, seen, values = ((total - 1) // 2, total // 2), 0, []
    for value in sorted(histogram):
        count = histogram[value]
        for index in middle:
            if seen <= index < seen + count:
                values.append(value)
        seen += count
    return sum(values) / len(values)


@dataclass
class Overview:
    """Suppressed report tables: totals, a table per breakdown, completions per month."""

    totals: dict
    tables: dict  # breakdown name -> list of row dicts (key, label, Cells, rate, median)
    completions: list  # rows: key (month), completed (Cell)
    threshold: int


def _finish(row, median):
    enrolled, completed = row["enrolled"], row["completed"]
    rate_ok = not (enrolled.hidden or completed.hidden) and enrolled.value
    row["rate"] = round(100 * completed.value / enrolled.value, 1) if rate_ok else None
    row["median_days"] = (round(median, 1) if median is not None and not completed.hidden
                          else None)
    return row


def overview(scope, filters):
    """The overview for `scope` and `filters` (the course filter resolved first)."""
    zero = dict.fromkeys(MEASURES, 0)
    tables = {name: {} for name in BREAKDOWNS}
    totals = dict(zero, key="")
    for course, country, organisation, month, enrolled, started, completed in _cube(scope, filters):
        counts = {"enrolled": enrolled, "started": int(started or 0), "completed": completed}
        for name, key in zip(BREAKDOWNS, (str(course), country, organisation, month)):
            row = tables[name].setdefault(key, dict(zero, key=key))
            for measure, value in counts.items():
                row[measure] += value
        for measure, value in counts.items():
            totals[measure] += value
    for course, country, organisation, month, issued in certificate_cube(
            scope, filters, month_of(Enrolment.created_at)):
        for name, key in zip(BREAKDOWNS, (str(course), country, organisation, month)):
            tables[name].setdefault(key, dict(zero, key=key))["certificates"] += issued
        totals["certificates"] += issued
    histograms = {name: defaultdict(Counter) for name in (*BREAKDOWNS, "")}
    per_month = Counter()
    for course, country, organisation, month, done, days, count in _durations(scope, filters):
        for name, key in zip(BREAKDOWNS, (str(course), country, organisation, month)):
            histograms[name][key][days] += count
        histograms[""][""][days] += count
        per_month[done] += count
    limit = threshold()
    result = {}
    for name, by_key in tables.items():
        rows = sorted(by_key.values(), key=_sort_key(name))
        suppress(rows, dict(totals), MEASURES, limit)
        result[name] = [_finish(row, _median(histograms[name][row["key"]])) for row in rows]
    completions = [{"key": month, "completed": count} for month, count in sorted(per_month.items())]
    suppress(completions, {"completed": totals["completed"]}, ("completed",), limit)
    suppress([], totals, MEASURES, limit)
    _finish(totals, _median(histograms[""][""]))
    return Overview(totals, result, completions, limit)


def _sort_key(name):
    if name == "month":
        return lambda row: row["key"]
    return lambda row: (-row["enrolled"], str(row["key"]))
