"""The overview: enrolled, started, completed, completion rate and median days to complete,
by course, country, organisation and month — aggregated in SQL, then suppressed.

The counts come from the summary tables (summary.py) for whole months of enrolment, and from the
base tables for the days of a date range that cover only part of a month."""
import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from academy.auth.models import User
from academy.courses.models import Course
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment
from academy.reports import summary
from academy.reports.certificates import certificate_cube
from academy.reports.filters import FilterError
from academy.reports.sql import month_of, whole_days
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
    days = whole_days(CourseCompletion.completed_at, Enrolment.created_at)
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


def _month(day):
    return f"{day.year:04d}-{day.month:02d}"


def split_range(date_from, date_to):
    """(whole months as (first, last) or None, [(from, to) day ranges of partial months]).

    `first`/`last` are 'YYYY-MM' (None: open); whole months are read from the summary, the
    partial ones from the base tables.
    """
    def month_end(day):
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])

    head = date_from is not None and date_from.day != 1
    tail = date_to is not None and date_to != month_end(date_to)
    if (head or tail) and date_from and date_to and _month(date_from) == _month(date_to):
        return None, [(date_from, date_to)]
    partial, first, last = [], None, None
    if date_from is not None:
        first = _month(date_from)
        if head:
            partial.append((date_from, month_end(date_from)))
            first = _month(month_end(date_from) + timedelta(days=1))
    if date_to is not None:
        last = _month(date_to)
        if tail:
            partial.append((date_to.replace(day=1), date_to))
            last = _month(date_to.replace(day=1) - timedelta(days=1))
    if first is not None and last is not None and first > last:
        return None, partial
    return (first, last), partial


def _base_sources(scope, filters):
    """Cube and duration rows from the base tables (for `filters`' whole date range)."""
    cube = [(*row, 0) for row in _cube(scope, filters)]
    cube += [(course, country, organisation, month, 0, 0, 0, issued)
             for course, country, organisation, month, issued in certificate_cube(
                 scope, filters, month_of(Enrolment.created_at))]
    return cube, _durations(scope, filters)


def sources(scope, filters, use_summary=True):
    """(cube rows, duration rows): course, country, organisation, month, then the counts."""
    if not use_summary:
        return _base_sources(scope, filters)
    months, partial = split_range(filters.date_from, filters.date_to)
    cube, durations = [], []
    if months is not None:
        cube += summary.cube(scope, filters, months)
        durations += summary.durations(scope, filters, months)
    for start, end in partial:
        more_cube, more_durations = _base_sources(
            scope, replace(filters, date_from=start, date_to=end))
        cube += more_cube
        durations += more_durations
    return cube, durations


def _rolled_up(cube, durations):
    """Counts per breakdown key, totals, medians per breakdown key and completions per month,
    rolled up in Python from raw cube and duration rows."""
    zero = dict.fromkeys(MEASURES, 0)
    tables = {name: {} for name in BREAKDOWNS}
    totals = dict(zero)
    for course, country, organisation, month, *values in cube:
        counts = dict(zip(MEASURES, (int(value or 0) for value in values)))
        for name, key in zip(BREAKDOWNS, (str(course), country, organisation, month)):
            row = tables[name].setdefault(key, dict(zero))
            for measure, value in counts.items():
                row[measure] += value
        for measure, value in counts.items():
            totals[measure] += value
    histograms = {name: defaultdict(Counter) for name in (*BREAKDOWNS, "")}
    per_month = Counter()
    for course, country, organisation, month, done, days, count in durations:
        count = int(count)
        for name, key in zip(BREAKDOWNS, (str(course), country, organisation, month)):
            histograms[name][key][days] += count
        histograms[""][""][days] += count
        per_month[done] += count
    medians = {name: {key: _median(histogram) for key, histogram in by_key.items()}
               for name, by_key in histograms.items()}
    return tables, totals, medians, per_month


def _rolled_up_in_sql(scope, filters, months):
    """The same as `_rolled_up`, from the summary, rolled up and medians taken in SQL."""
    zero = dict.fromkeys(MEASURES, 0)
    tables = {name: {} for name in BREAKDOWNS}
    totals = dict(zero)
    for name, key, *values in summary.breakdowns(scope, filters, months):
        counts = dict(zip(MEASURES, (int(value or 0) for value in values)))
        if name:
            tables[name][key] = counts
        else:
            totals = counts
    middles = defaultdict(dict)  # (breakdown, key) -> {index: days} for the middle indexes
    for name, key, days, before, upto, total in summary.median_rows(scope, filters, months):
        for index in {(int(total) - 1) // 2, int(total) // 2}:
            if int(before) <= index < int(upto):
                middles[name, key][index] = days
    medians = defaultdict(dict)
    for (name, key), values in middles.items():
        medians[name][key] = sum(values.values()) / len(values)
    per_month = Counter(dict((month, int(count))
                             for month, count in summary.completions_per_month(scope, filters, months)))
    return tables, totals, medians, per_month


def overview(scope, filters, use_summary=True):
    """The overview for `scope` and `filters` (the course filter resolved first).

    `use_summary=False` computes everything from the base tables (the tests compare the two).
    """
    months, partial = split_range(filters.date_from, filters.date_to)
    if use_summary and not partial:
        tables, totals, medians, per_month = _rolled_up_in_sql(scope, filters, months)
    else:
        tables, totals, medians, per_month = _rolled_up(*sources(scope, filters, use_summary))
    totals["key"] = ""
    limit = threshold()
    result = {}
    for name, by_key in tables.items():
        rows = sorted((dict(counts, key=key) for key, counts in by_key.items()),
                      key=_sort_key(name))
        suppress(rows, dict(totals), MEASURES, limit)
        result[name] = [_finish(row, medians.get(name, {}).get(row["key"])) for row in rows]
    completions = [{"key": month, "completed": count} for month, count in sorted(per_month.items())]
    suppress(completions, {"completed": totals["completed"]}, ("completed",), limit)
    suppress([], totals, MEASURES, limit)
    _finish(totals, medians.get("", {}).get(""))
    return Overview(totals, result, completions, limit)


def _sort_key(name):
    if name == "month":
        return lambda row: row["key"]
    return lambda row: (-row["enrolled"], str(row["key"]))
