"""The reports' summary tables: what every enrolment contributes to its cell, kept up to date in
the same transaction as the events that change it, read by the overview, rebuilt on demand.

An enrolment's cell is its course, its learner's country, organisation and UI language as the
profile says now, and the month it was made. It contributes 1 enrolled; 1 started once it has
activity; 1 completed, and a (completion month, whole days) entry, once the course is completed;
and 1 certificate while a valid certificate exists for it. When a learner's country,
organisation or language changes, all their enrolments move to the new cells (the reports always
count by the current profile, like the base-table queries do).

Every change goes through one SELECT over the base tables (`_contribution`), added to the
summary with an upsert, so the increments and `rebuild` cannot disagree.
"""
from sqlalchemy import (String, and_, case, cast, delete, event, func, inspect, literal,
                        literal_column, select, true, union_all)
from sqlalchemy.dialects import postgresql, sqlite

from academy.auth.models import User
from academy.certificates.models import VALID, Certificate
from academy.certificates.services import (certificate_issued, certificate_revoked,
                                           certificates_issued)
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment
from academy.learning.services import (course_completed, enrolment_created, enrolment_ending,
                                       enrolment_started)
from academy.reports.models import CELL, ReportSummary, ReportSummaryDays
from academy.reports.sql import dialect, month_of, whole_days

MEASURES = ("enrolled", "started", "completed", "certificates")
PROFILE = ("country", "organisation", "locale")


def _completion_join():
    return and_(CourseCompletion.user_id == Enrolment.user_id,
                CourseCompletion.course_id == Enrolment.course_id)


def _certificate_join():
    return and_(Certificate.user_id == Enrolment.user_id,
                Certificate.course_id == Enrolment.course_id,
                Certificate.status == VALID, Certificate.superseded_by_id.is_(None))


def _cell(profile):
    """The cell columns (and the GROUP BY columns); `profile` replaces the learner's values."""
    month = month_of(Enrolment.created_at)
    if profile is None:
        columns = [Enrolment.course_id, User.country, User.organisation, User.locale, month]
        return columns, columns
    values = [literal(value) for value in profile]
    return [Enrolment.course_id, *values, month], [Enrolment.course_id, month]


def _contribution(where, sign=1, only=None, profile=None):
    """SELECT of what the enrolments matching `where` contribute to ReportSummary, times `sign`.

    `only`: {measure: delta per enrolment} instead of every measure as it stands.
    """
    columns, group = _cell(profile)
    query = select().select_from(Enrolment).join(User, User.id == Enrolment.user_id)
    if only is None:
        measures = [func.count(), func.sum(case((Enrolment.last_activity_at.is_not(None), 1),
                                                 else_=0)),
                    func.count(CourseCompletion.id), func.count(Certificate.id)]
        query = (query.outerjoin(CourseCompletion, _completion_join())
                 .outerjoin(Certificate, _certificate_join()))
        measures = [m * sign for m in measures]
    else:
        measures = [func.count() * only.get(name, 0) for name in MEASURES]
    return query.add_columns(*columns, *measures).where(where).group_by(*group)


def _days_contribution(where, sign=1, profile=None):
    """SELECT of what the completed enrolments matching `where` contribute to ReportSummaryDays."""
    columns, group = _cell(profile)
    done = month_of(CourseCompletion.completed_at)
    days = whole_days(CourseCompletion.completed_at, Enrolment.created_at)
    return (select(*columns, done, days, func.count() * sign)
            .select_from(Enrolment).join(User, User.id == Enrolment.user_id)
            .join(CourseCompletion, _completion_join())
            .where(where).group_by(*group, done, days))


def _upsert(model, keys, measures, query, session):
    insert = (postgresql if dialect() == "postgresql" else sqlite).insert
    statement = insert(model).from_select([*keys, *measures], query)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: getattr(model, name) + getattr(statement.excluded, name) for name in measures})
    session.execute(statement)


def apply(where, sign=1, only=None, profile=None, session=None):
    """Add (sign 1) or take away (sign -1) what the enrolments matching `where` contribute."""
    session = session or db.session
    _upsert(ReportSummary, CELL, MEASURES, _contribution(where, sign, only, profile), session)
    if only is None or "completed" in only:
        days_sign = sign if only is None else only["completed"]
        _upsert(ReportSummaryDays, (*CELL, "done_month", "days"), ("completed",),
                _days_contribution(where, days_sign, profile), session)


def rebuild():
    """Recompute both summary tables from the base tables (flushes; the caller commits)."""
    db.session.execute(delete(ReportSummaryDays))
    db.session.execute(delete(ReportSummary))
    apply(true())
    db.session.flush()
    return {"cells": db.session.scalar(select(func.count()).select_from(ReportSummary)),
            "completion cells": db.session.scalar(select(func.count())
                                                  .select_from(ReportSummaryDays))}


def _of(user_id, course_id):
    return and_(Enrolment.user_id == user_id, Enrolment.course_id == course_id)


@enrolment_created.connect
def _enrolled(_sender, enrolment, **_extra):
    apply(Enrolment.id == enrolment.id)


@enrolment_ending.connect
def _leaving(_sender, enrolment, **_extra):
    apply(Enrolment.id == enrolment.id, sign=-1)


@enrolment_started.connect
def _started(_sender, enrolment, **_extra):
    apply(Enrolment.id == enrolment.id, only={"started": 1})


@course_completed.connect
def _completed(course, completion, **_extra):
    apply(_of(completion.user_id, course.id), only={"completed": 1})


@certificate_issued.connect
def _issued(certificate, **_extra):
    if certificate.status == VALID:
        apply(_of(certificate.user_id, certificate.course_id), only={"certificates": 1})


@certificates_issued.connect
def _issued_in_bulk(course, user_ids, **_extra):
    apply(and_(Enrolment.course_id == course.id, Enrolment.user_id.in_(user_ids)),
          only={"certificates": 1})


@certificate_revoked.connect
def _revoked(certificate, **_extra):
    apply(_of(certificate.user_id, certificate.course_id), only={"certificates": -1})


@event.listens_for(db.session, "before_flush")  # the app's sessions
def _profile_changes(session, _context, _instances):
    """A learner whose country, organisation or language changes takes their enrolments to the
    new cells; a deleted learner's enrolments leave. Computed before the flush, from the rows
    as the summary knows them."""
    for user in session.dirty:
        if not isinstance(user, User):
            continue
        state = inspect(user)
        if user.id is not None and any(state.attrs[name].history.has_changes()
                                       for name in PROFILE):
            # Away from the cells the database holds, into the new ones (a no-op if equal).
            apply(Enrolment.user_id == user.id, sign=-1, session=session)
            apply(Enrolment.user_id == user.id,
                  profile=tuple(getattr(user, name) for name in PROFILE), session=session)
    for user in session.deleted:
        if isinstance(user, User):
            apply(Enrolment.user_id == user.id, sign=-1, session=session)


# Reading -------------------------------------------------------------------------------------

def _clause(model, scope, filters, months):
    parts = []
    if scope.countries is not None:
        parts.append(model.country.in_(sorted(scope.countries)))
    if scope.course_ids is not None:
        parts.append(model.course_id.in_(sorted(scope.course_ids)))
    if filters.course is not None:
        parts.append(model.course_id == (filters.course_id or -1))
    for name, value in (("country", filters.country), ("organisation", filters.organisation),
                        ("locale", filters.lang)):
        if value is not None:
            parts.append(getattr(model, name) == value)
    first, last = months
    if first is not None:
        parts.append(model.month >= first)
    if last is not None:
        parts.append(model.month <= last)
    return and_(true(), *parts)


def cube(scope, filters, months):
    """(course, country, organisation, month, enrolled, started, completed, certificates) rows
    for the enrolment months `months` = (first, last), either None for open."""
    model = ReportSummary
    keys = (model.course_id, model.country, model.organisation, model.month)
    query = (select(*keys, *(func.sum(getattr(model, name)) for name in MEASURES))
             .where(model.enrolled > 0, _clause(model, scope, filters, months)).group_by(*keys))
    return db.session.execute(query).all()


def durations(scope, filters, months):
    """(course, country, organisation, month, completion month, days, completions) rows."""
    model = ReportSummaryDays
    keys = (model.course_id, model.country, model.organisation, model.month, model.done_month,
            model.days)
    query = (select(*keys, func.sum(model.completed))
             .where(model.completed > 0, _clause(model, scope, filters, months)).group_by(*keys))
    return db.session.execute(query).all()


def _keys(model):
    """(breakdown name, key column) pairs; "" is the total."""
    return (("course", cast(model.course_id, String)), ("country", model.country),
            ("organisation", model.organisation), ("month", model.month), ("", None))


def breakdowns(scope, filters, months):
    """(breakdown, key, enrolled, started, completed, certificates) per key of each breakdown,
    and the total (breakdown and key ""): one statement."""
    model = ReportSummary
    where = and_(model.enrolled > 0, _clause(model, scope, filters, months))
    sums = [func.sum(getattr(model, name)) for name in MEASURES]
    parts = []
    for name, key in _keys(model):
        label = literal_column(f"'{name}'")
        if key is None:
            parts.append(select(label, literal_column("''"), *sums).where(where))
        else:
            parts.append(select(label, key, *sums).where(where).group_by(key))
    return db.session.execute(union_all(*parts)).all()


def median_rows(scope, filters, months):
    """(breakdown, key, days, completions before, up to and including, all) for the days that
    hold the middle completion(s) of each key: medians in SQL (window functions), one statement."""
    model = ReportSummaryDays
    where = and_(model.completed > 0, _clause(model, scope, filters, months))
    parts = []
    for name, key in _keys(model):
        label = literal_column(f"'{name}'").label("name")
        count = func.sum(model.completed).label("n")
        if key is None:
            parts.append(select(label, literal_column("''").label("key"), model.days, count)
                         .where(where).group_by(model.days))
        else:
            parts.append(select(label, key.label("key"), model.days, count)
                         .where(where).group_by(key, model.days))
    histogram = union_all(*parts).subquery()
    window = (histogram.c.name, histogram.c.key)
    running = select(histogram, func.sum(histogram.c.n).over(
        partition_by=window, order_by=histogram.c.days).label("upto"),
        func.sum(histogram.c.n).over(partition_by=window).label("total")).subquery()
    before = running.c.upto - running.c.n
    return db.session.execute(
        select(running.c.name, running.c.key, running.c.days, before, running.c.upto,
               running.c.total)
        .where(before <= running.c.total / 2, running.c.upto > (running.c.total - 1) / 2)).all()


def completions_per_month(scope, filters, months):
    """(month of completion, completions)."""
    model = ReportSummaryDays
    return db.session.execute(
        select(model.done_month, func.sum(model.completed))
        .where(model.completed > 0, _clause(model, scope, filters, months))
        .group_by(model.done_month)).all()
