"""A learner's progress as the pages show it: module statuses, progress counts per course,
the dashboard's enrolments and the learning history. Read-only; the statements every learner
page runs are built once (issue #12)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import joinedload

from academy.courses.models import Module
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment, ModuleProgress
from academy.learning.outline import course_outline
from academy.learning.services import (COMPLETED, NOT_STARTED, OPENED, course_modules,
                                       get_completion, question_counts, split_modules)


@dataclass
class ProgressCount:
    """Completed lesson modules out of all lesson modules of an enrolled course."""

    done: int
    total: int
    completed_at: datetime | None = None

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class ModuleStatus:
    module: Module
    state: str
    best_score: int | None
    question_count: int
    completed_at: datetime | None = None


@dataclass
class CourseProgress:
    """Everything the course page needs to show a learner where they stand."""

    lessons: list[ModuleStatus]
    final: ModuleStatus | None
    count: ProgressCount
    completion: CourseCompletion | None


def _status(module, progress, questions):
    if progress is not None and progress.completed_at is not None:
        state = COMPLETED
    elif progress is not None and progress.opened_at is not None:
        state = OPENED
    else:
        state = NOT_STARTED
    return ModuleStatus(module, state, progress.best_score if progress else None, questions,
                        progress.completed_at if progress else None)


PROGRESS_ROWS = select(ModuleProgress).where(
    ModuleProgress.user_id == bindparam("user_id"),
    ModuleProgress.module_id.in_(bindparam("module_ids", expanding=True)))


def progress_rows(user_id, modules):
    """The user's progress row per module id, for the given modules (one query)."""
    if user_id is None or not modules:
        return {}
    return {p.module_id: p for p in db.session.scalars(
        PROGRESS_ROWS, {"user_id": user_id, "module_ids": [m.id for m in modules]})}


_UNKNOWN = object()


def course_progress(user_id, course, modules, rows=None, completion=_UNKNOWN):
    """Status of each module, the progress count and the completion of one course; `rows`
    (from progress_rows) and `completion` when the caller has them already."""
    lessons, final = split_modules(modules)
    if all(hasattr(m.current_version, "question_count") for m in modules):
        counts = {m.current_version_id: m.current_version.question_count for m in modules}
    else:
        counts = question_counts({m.current_version_id for m in modules})
    if rows is None:
        rows = progress_rows(user_id, modules)
    statuses = [_status(m, rows.get(m.id), counts.get(m.current_version_id, 0)) for m in lessons]
    final_status = (_status(final, rows.get(final.id), counts.get(final.current_version_id, 0))
                    if final else None)
    if completion is _UNKNOWN:
        completion = get_completion(user_id, course.id) if user_id is not None else None
    done = sum(1 for s in statuses if s.state == COMPLETED)
    count = ProgressCount(done, len(statuses), completion.completed_at if completion else None)
    return CourseProgress(statuses, final_status, count, completion)


COMPLETIONS = select(CourseCompletion.course_id, CourseCompletion.completed_at).where(
    CourseCompletion.user_id == bindparam("user_id"))


def progress_for_courses(user_id, courses, completed_ids=None, completions=None):
    """ProgressCount per course id for `courses` (the ones the user is enrolled in), counted on
    the cached outlines; `completed_ids` (completed_module_ids) and `completions` ({course id:
    completion time}, as enrolment_completions) when the caller has them."""
    if not courses:
        return {}
    if completed_ids is None:
        completed_ids = completed_module_ids(user_id)
    completed = completions if completions is not None else dict(
        db.session.execute(COMPLETIONS, {"user_id": user_id}).all())
    counts = {}
    for course in courses:
        lessons = [m for m in course_outline(course) if m.kind == "lesson"]
        done = sum(1 for m in lessons if m.id in completed_ids)
        counts[course.id] = ProgressCount(done, len(lessons), completed.get(course.id))
    return counts


COMPLETED_MODULE_IDS = select(ModuleProgress.module_id).where(
    ModuleProgress.user_id == bindparam("user_id"), ModuleProgress.completed_at.is_not(None))
ENROLMENT_COMPLETIONS = (
    select(Enrolment.course_id, CourseCompletion.completed_at)
    .outerjoin(CourseCompletion, and_(CourseCompletion.user_id == Enrolment.user_id,
                                      CourseCompletion.course_id == Enrolment.course_id))
    .where(Enrolment.user_id == bindparam("user_id")))


def completed_module_ids(user_id):
    """Ids of every module the user has completed."""
    return set(db.session.scalars(COMPLETED_MODULE_IDS, {"user_id": user_id}))


def enrolment_completions(user_id):
    """{course id: when the user completed it, or None} for every course they are enrolled in
    (one query)."""
    return dict(db.session.execute(ENROLMENT_COMPLETIONS, {"user_id": user_id}).all())


DASHBOARD_ENROLMENTS = (
    select(Enrolment).where(Enrolment.user_id == bindparam("user_id"))
    .order_by(func.coalesce(Enrolment.last_activity_at, Enrolment.created_at).desc())
    .options(joinedload(Enrolment.course)))


def dashboard_enrolments(user_id):
    """The user's enrolments, most recently active first, with their courses and last modules."""
    return db.session.scalars(DASHBOARD_ENROLMENTS, {"user_id": user_id}).all()


@dataclass
class CourseRecord:
    """One course in the learner's history: dates, each module's status and best score."""

    enrolment: Enrolment
    progress: CourseProgress

    @property
    def course(self):
        return self.enrolment.course


def learning_history(user_id):
    """Every course the user is enrolled in, completed ones first by date, then by activity."""
    records = []
    for enrolment in dashboard_enrolments(user_id):
        modules = course_modules(enrolment.course)
        records.append(CourseRecord(enrolment, course_progress(user_id, enrolment.course, modules)))
    return records
