"""Named learners behind the numbers: drill-down lists, the progress table, transcripts."""
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
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
    assessment's, and the completion; pivoted in SQL, streamed in batches."""
    positions = db.session.scalars(
        select(Module.position).where(Module.retired.is_(False), Module.kind == "lesson")
        .distinct().order_by(Module.position)).all()
    header = (*LEARNER_COLUMNS, *(f"module_{n}_best_score" for n in positions),
              "final_assessment_best_score", "course_completed_at", "days_to_complete",
              "certificate_serial", "certificate_status")
    return header, _progress_rows(scope, filters, positions)


def _progress_rows(scope, filters, positions):
    lesson = Module.kind == "lesson"
    best = [func.max(case((and_(lesson, Module.position == n), ModuleProgress.best_score)))
            for n in positions]
    query = (select(User.id, User.name_latin, User.name_cyrillic, User.email, User.country,
                    User.organisation, Course.slug, Enrolment.created_at,
                    Enrolment.last_activity_at.is_not(None),
                    func.count(case((lesson, ModuleProgress.completed_at))),
                    func.count(case((lesson, 1))), *best,
                    func.max(case((Module.kind == "final", ModuleProgress.best_score))),
                    CourseCompletion.completed_at, Certificate.serial, Certificate.status)
             .select_from(Enrolment)
             .join(User, User.id == Enrolment.user_id)
             .join(Course, Course.id == Enrolment.course_id)
             # Every module of the course, with the learner's progress where there is some:
             # index lookups only (module by course, progress by user and module).
             .outerjoin(Module, and_(Module.course_id == Enrolment.course_id,
                                     Module.retired.is_(False)))
             .outerjoin(ModuleProgress, and_(ModuleProgress.module_id == Module.id,
                                             ModuleProgress.user_id == Enrolment.user_id))
             .outerjoin(CourseCompletion, _completion_join())
             .outerjoin(Certificate, latest_join())
             .where(scope.clause(), filters.clause())
             .group_by(Enrolment.id, User.id, Course.id, CourseCompletion.id, Certificate.id)
             .order_by(Enrolment.id)
             .execution_options(yield_per=5000))
    for row in db.session.execute(query):
        completed, enrolled = row[-3], row[7]
        days = round((completed - enrolled).total_seconds() / 86400, 1) if completed else None
        yield (*row[:-2], days, *row[-2:])


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
