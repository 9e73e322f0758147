"""Named learners behind the numbers: drill-down lists, the progress table, transcripts."""
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, literal, null, select
from sqlalchemy.orm import selectinload

from academy.auth.models import User
from academy.certificates.models import Certificate
from academy.courses.models import Course, Module, ModuleVersion
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment, ModuleProgress
from academy.quizzes.models import QuizAttempt
from academy.reports.certificates import latest_join

STATUSES = ("enrolled", "started", "completed")
PAGE_SIZE = 100


def _completion_join():
    return and_(CourseCompletion.user_id == Enrolment.user_id,
                CourseCompletion.course_id == Enrolment.course_id)


def _status_clause(status):
    if status == "started":
        return Enrolment.last_activity_at.is_not(None)
    if status == "completed":
        return CourseCompletion.id.is_not(None)
    return None


def drilldown(scope, filters, status, page=1):
    """One page of (user, course slug, enrolled, last activity, completed) rows; and whether more."""
    query = (select(User, Course.slug, Enrolment.created_at, Enrolment.last_activity_at,
                    CourseCompletion.completed_at)
             .select_from(Enrolment)
             .join(User, User.id == Enrolment.user_id)
             .join(Course, Course.id == Enrolment.course_id)
             .outerjoin(CourseCompletion, _completion_join())
             .where(scope.clause(), filters.clause()))
    clause = _status_clause(status)
    if clause is not None:
        query = query.where(clause)
    query = query.order_by(Enrolment.created_at.desc(), Enrolment.id.desc())
    rows = db.session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


LEARNER_COLUMNS = ("learner_id", "name_latin", "name_cyrillic", "email", "country",
                   "organisation", "course", "enrolled_at", "started", "modules_completed",
                   "modules_total")


def progress_table(scope, filters):
    """(header, rows) of the learners table: one row per learner and course with progress,
    each lesson module's best score (by the module's position in its course), the final
    assessment's, and the completion; pivoted in SQL, streamed."""
    modules = db.session.execute(
        select(Module.id, Module.course_id, Module.kind, Module.position)
        .where(Module.retired.is_(False)).order_by(Module.id)).all()
    positions = sorted({m.position for m in modules if m.kind == "lesson"})
    header = (*LEARNER_COLUMNS, *(f"module_{n}_best_score" for n in positions),
              "final_assessment_best_score", "course_completed_at", "days_to_complete",
              "certificate_serial", "certificate_status")
    return header, _progress_rows(scope, filters, modules, positions)


def _module_in(modules, keep):
    ids = [m.id for m in modules if keep(m)]
    return ModuleProgress.module_id.in_(ids) if ids else false()


def _progress_query(scope, filters, modules, positions):
    """One pass over the enrolments: each learner's progress rows are found by the learner
    alone (one index range) and matched to the course through a CASE over the module ids."""
    lesson = _module_in(modules, lambda m: m.kind == "lesson")
    best = [func.max(case((_module_in(modules, lambda m, n=n: m.kind == "lesson"
                                      and m.position == n), ModuleProgress.best_score)))
            for n in positions]
    lessons_per_course = {}
    for module in modules:
        if module.kind == "lesson":
            lessons_per_course[module.course_id] = lessons_per_course.get(module.course_id, 0) + 1
    course_of_module = (case({m.id: m.course_id for m in modules}, value=ModuleProgress.module_id)
                        if modules else None)
    progress_join = (and_(ModuleProgress.user_id == Enrolment.user_id,
                          course_of_module == Enrolment.course_id)
                     if modules else false())
    total = (case(lessons_per_course, value=Enrolment.course_id, else_=0)
             if lessons_per_course else literal(0))
    # The few courses' slugs by id: a CASE instead of a join per row.
    slugs = dict(db.session.execute(select(Course.id, Course.slug)).all())
    slug = case(slugs, value=Enrolment.course_id) if slugs else literal(None)
    query = (select(User.id, User.name_latin, User.name_cyrillic, User.email, User.country,
                    User.organisation, slug, Enrolment.created_at,
                    Enrolment.last_activity_at.is_not(None),
                    func.count(case((lesson, ModuleProgress.completed_at))), total, *best,
                    func.max(case((_module_in(modules, lambda m: m.kind == "final"),
                                   ModuleProgress.best_score))),
                    CourseCompletion.completed_at, null(), Certificate.serial, Certificate.status)
             .select_from(Enrolment)
             .join(User, User.id == Enrolment.user_id)
             .outerjoin(ModuleProgress, progress_join)
             .outerjoin(CourseCompletion, _completion_join())
             .outerjoin(Certificate, latest_join())
             .where(scope.clause(), filters.clause())
             .order_by(Enrolment.id))
    if db.session.get_bind().dialect.name == "sqlite":
        # Grouping by the rowid alone lets SQLite aggregate in scan order (no sort);
        # the other tables give one row each.
        return query.group_by(Enrolment.id)
    return query.group_by(Enrolment.id, User.id, CourseCompletion.id, Certificate.id)


def _progress_rows(scope, filters, modules, positions):
    query = _progress_query(scope, filters, modules, positions)
    # Core rows (no ORM bookkeeping), fetched in batches; a server-side cursor on PostgreSQL.
    result = db.session.connection().execution_options(stream_results=True,
                                                       yield_per=5000).execute(query)
    for row in result:
        completed = row[-4]
        if completed is None:
            yield row  # days_to_complete is already NULL
        else:
            days = round((completed - row[7]).total_seconds() / 86400, 1)
            yield (*row[:-3], days, *row[-2:])


@dataclass
class CourseRecord:
    """A learner's record in one course for the transcript."""

    course: Course
    enrolled_at: object
    completed_at: object
    modules: list  # (module, progress or None, [attempts])


def learner_in_scope(scope, user_id):
    """The learner `user_id` if `scope` may see them by name, else None (the view answers 404)."""
    if not 0 < user_id < 2**31:  # larger ids do not exist, and SQLite cannot bind them
        return None
    user = db.session.get(User, user_id)
    if user is None or not scope.names or not scope.sees_country(user.country):
        return None
    return user


def transcript(scope, user):
    """The learner's courses (within scope) with modules, best scores, attempts and completions."""
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id).order_by(Enrolment.created_at)
        .options(selectinload(Enrolment.course))).all()
    if scope.course_ids is not None:
        enrolments = [e for e in enrolments if e.course_id in scope.course_ids]
    course_ids = [e.course_id for e in enrolments]
    modules = db.session.scalars(select(Module).where(
        Module.course_id.in_(course_ids), Module.retired.is_(False))
        .order_by(Module.course_id, (Module.kind == "final").asc(), Module.position)
        .options(selectinload(Module.current_version).selectinload(ModuleVersion.contents))).all()
    progress = {p.module_id: p for p in db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.user_id == user.id))}
    attempts = {}
    for attempt in db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                      QuizAttempt.submitted_at.is_not(None))
            .order_by(QuizAttempt.submitted_at)):
        attempts.setdefault(attempt.module_id, []).append(attempt)
    completions = dict(db.session.execute(
        select(CourseCompletion.course_id, CourseCompletion.completed_at)
        .where(CourseCompletion.user_id == user.id)).all())
    records = []
    for enrolment in enrolments:
        own = [(m, progress.get(m.id), attempts.get(m.id, []))
               for m in modules if m.course_id == enrolment.course_id]
        records.append(CourseRecord(enrolment.course, enrolment.created_at,
                                    completions.get(enrolment.course_id), own))
    return records


TRANSCRIPT_HEADER = ("course", "module", "opened_at", "best_score", "module_completed_at",
                     "attempts", "last_attempt_at", "course_completed_at")


def transcript_rows(records, lang):
    """Rows of the transcript export: one per course and module."""
    for record in records:
        for module, progress, attempts in record.modules:
            title = module.current_version.content(lang).title if module.current_version else module.slug
            yield (record.course.title(lang), title,
                   progress.opened_at if progress else None,
                   progress.best_score if progress else None,
                   progress.completed_at if progress else None,
                   len(attempts), attempts[-1].submitted_at if attempts else None,
                   record.completed_at)
