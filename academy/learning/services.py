"""Enrolment, module progress and course completion (DESIGN §4). Services flush; views commit."""
from datetime import UTC, datetime, timedelta

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import Integer, and_, bindparam, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.orm.util import identity_key

from academy.courses.models import Course, Module, ModuleAsset, ModuleVersion, Question
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment, ModuleProgress
from academy.learning.outline import course_outline

# Re-reading a module moves the "last activity" stamp at most this often: a page view writes
# only when something changed (issue #12).
ACTIVITY_STEP = timedelta(minutes=5)

NOT_STARTED, OPENED, COMPLETED = "not-started", "opened", "completed"

# Sent with `completion=` inside the grading (or "mark as done") transaction, before it commits:
# a receiver (e.g. automatic certificates) adds its rows to the same transaction and only flushes.
course_completed = Namespace().signal("course-completed")
# Enrolment events, each sent with `enrolment=` inside the transaction that makes the change
# (after its flush; `enrolment_ending` before the row is deleted). Receivers (e.g. the
# reports' summary) only flush.
enrolment_created = Namespace().signal("enrolment-created")
enrolment_started = Namespace().signal("enrolment-started")  # the first activity
enrolment_ending = Namespace().signal("enrolment-ending")


class LearningError(Exception):
    """A learner action that the rules do not allow; the message is shown to the user."""


def utcnow():
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def get_course(slug):
    """The course with `slug`, or None."""
    return db.session.scalar(select(Course).where(Course.slug == slug))


# The statements every learner page runs are built once: building one costs more than
# running it (issue #12).
LEARNER_COURSE = (
    select(Course, Enrolment, CourseCompletion).where(Course.slug == bindparam("slug"))
    .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id,
                               Enrolment.user_id == bindparam("user_id")))
    .outerjoin(CourseCompletion, and_(CourseCompletion.course_id == Course.id,
                                      CourseCompletion.user_id == bindparam("user_id"))))


def learner_course(slug, user_id):
    """(course, the user's enrolment or None, their completion or None) in one query, or None
    when there is no such course; `user_id` None for a visitor (who has neither)."""
    row = db.session.execute(LEARNER_COURSE, {"slug": slug, "user_id": user_id}).first()
    return tuple(row) if row is not None else None


def get_module(course, slug):
    """The published, non-retired module `slug` of `course`, or None."""
    return db.session.scalar(
        select(Module).where(Module.course_id == course.id, Module.slug == slug,
                             Module.retired.is_(False), Module.current_version_id.is_not(None))
        .options(selectinload(Module.current_version)))


def course_modules(course):
    """The course's published modules in order, lessons first: the cached outline (titles and
    front matter, no text; see outline.py), a list of OutlineModule."""
    return list(course_outline(course))


def outline_module(course, slug):
    """The published, non-retired module `slug` of `course` from the outline, or None."""
    return next((m for m in course_outline(course) if m.slug == slug), None)


def get_module_asset(course_slug, module_slug, number, name):
    """The image `name` of version `number` of a module, or None.

    Only published versions are served: the module's current version and the ones before it.
    A retired module's images stay served, like its versions stay stored: old pages may show them.
    """
    current = aliased(ModuleVersion)
    return db.session.scalar(
        select(ModuleAsset)
        .join(ModuleVersion, ModuleAsset.version_id == ModuleVersion.id)
        .join(Module, ModuleVersion.module_id == Module.id)
        .join(Course, Module.course_id == Course.id)
        .join(current, Module.current_version_id == current.id)
        .where(Course.slug == course_slug, Module.slug == module_slug,
               ModuleVersion.number == number, ModuleVersion.number <= current.number,
               ModuleAsset.name == name))


def split_modules(modules):
    """(lesson modules, the final-assessment module or None)."""
    lessons = [m for m in modules if m.kind == "lesson"]
    finals = [m for m in modules if m.kind == "final"]
    return lessons, (finals[0] if finals else None)


def question_counts(version_ids):
    """Number of questions per module version id."""
    if not version_ids:
        return {}
    return dict(db.session.execute(
        select(Question.version_id, func.count(Question.id))
        .where(Question.version_id.in_(list(version_ids))).group_by(Question.version_id)).all())


def question_count(module):
    """Number of questions in the module's current version."""
    snapshot = getattr(module.current_version, "question_count", None)
    if snapshot is not None:  # an outline entry knows it
        return snapshot
    return question_counts([module.current_version_id]).get(module.current_version_id, 0)


def get_enrolment(user_id, course_id):
    """The user's enrolment in the course, or None."""
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user_id,
                                                     Enrolment.course_id == course_id))


def enrol(user_id, course):
    """Enrol the user in the course (idempotent); returns (enrolment, created)."""
    existing = get_enrolment(user_id, course.id)
    if existing:
        return existing, False
    try:
        # A savepoint, so that a parallel double click loses only its own insert.
        with db.session.begin_nested():
            enrolment = Enrolment(user_id=user_id, course_id=course.id)
            db.session.add(enrolment)
    except IntegrityError:
        return get_enrolment(user_id, course.id), False
    enrolment_created.send(course, enrolment=enrolment)
    return enrolment, True


def get_progress(user_id, module_id):
    """The user's progress row for the module, or None."""
    return db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == user_id,
                                                          ModuleProgress.module_id == module_id))


def _ensure_progress(user_id, module, version_id):
    progress = get_progress(user_id, module.id)
    if progress is None:
        try:
            with db.session.begin_nested():
                progress = ModuleProgress(user_id=user_id, module_id=module.id,
                                          version_id=version_id)
                db.session.add(progress)
        except IntegrityError:
            progress = get_progress(user_id, module.id)
    return progress


def _as_utc(moment):
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def opening_writes(enrolment, module, progress):
    """Whether opening the module changes anything (the activity stamp only every few minutes)."""
    return (progress is None or progress.opened_at is None
            or (progress.completed_at is None and progress.version_id != module.current_version_id)
            or enrolment.last_module_id != module.id or enrolment.last_activity_at is None
            or utcnow() - _as_utc(enrolment.last_activity_at) >= ACTIVITY_STEP)


def activity_due(enrolment):
    """When opening a module writes the activity stamp again."""
    return _as_utc(enrolment.last_activity_at) + ACTIVITY_STEP


def record_module_opened(enrolment, module, force=False):
    """Note that the learner opened the module: progress, version and 'resume here'.

    Writes only when something changed (`opening_writes`), or always with `force`.
    """
    now = utcnow()
    progress = get_progress(enrolment.user_id, module.id)
    if not force and not opening_writes(enrolment, module, progress):
        return progress
    starts = enrolment.last_activity_at is None
    if progress is None:
        progress = _ensure_progress(enrolment.user_id, module, module.current_version_id)
    if progress.opened_at is None:
        progress.opened_at = now
    if progress.completed_at is None and progress.version_id != module.current_version_id:
        # Until completed, the learner studies whatever version is current.
        progress.version_id = module.current_version_id
    if enrolment.last_module_id != module.id:
        enrolment.last_module_id = module.id
    enrolment.last_activity_at = now
    db.session.flush()
    if starts:
        enrolment_started.send(module, enrolment=enrolment)
    return progress


def mark_module_done(enrolment, module):
    """Complete a reading-only module; returns the CourseCompletion if the course is now done."""
    if question_count(module):
        raise LearningError(_("This module is completed by passing its quiz."))
    progress = record_module_opened(enrolment, module, force=True)
    if progress.completed_at is None:
        progress.completed_at = utcnow()
        progress.version_id = module.current_version_id
    db.session.flush()
    return complete_course_if_due(enrolment.user_id, module.course)


# A graded attempt folds into the module's progress in one statement: the best score rises, and
# a pass completes an opened, not yet completed module at the attempt's version. In an UPDATE
# every right-hand side reads the row as it was, so the two CASEs agree.
_progress = ModuleProgress.__table__
_completes = and_(_progress.c.opened_at.is_not(None), _progress.c.completed_at.is_(None))
_score = bindparam("p_score", type_=Integer)
# ... and returns, for the course completion, how many of the course's other required modules
# are complete (the folded row counts from what the fold returns: whether a subquery in
# RETURNING sees the statement's own change differs between databases).
_other = _progress.alias("other_progress")
_OTHERS_COMPLETED = (
    select(func.count(_other.c.id))
    .where(_other.c.user_id == bindparam("p_user", type_=Integer),
           _other.c.module_id.in_(bindparam("p_required", expanding=True, type_=Integer)),
           _other.c.module_id != bindparam("p_module", type_=Integer),
           _other.c.completed_at.is_not(None))
    .scalar_subquery())
_FOLD_SCORE = (
    update(_progress)
    .where(_progress.c.user_id == bindparam("p_user", type_=Integer),
           _progress.c.module_id == bindparam("p_module", type_=Integer))
    .values(best_score=case((or_(_progress.c.best_score.is_(None),
                                 _progress.c.best_score < _score), _score),
                            else_=_progress.c.best_score))
    .returning(_progress.c.id, _progress.c.completed_at, _OTHERS_COMPLETED))
_FOLD_PASS = _FOLD_SCORE.values(
    completed_at=case((_completes, bindparam("p_now", type_=_progress.c.completed_at.type)),
                      else_=_progress.c.completed_at),
    version_id=case((_completes, bindparam("p_version", type_=Integer)),
                    else_=_progress.c.version_id))
# Activity moves on an enrolment that has some already; the first activity takes the ORM path,
# which sends `enrolment_started`.
_enrolment = Enrolment.__table__
TOUCH_ENROLMENT = (
    update(_enrolment)
    .where(_enrolment.c.user_id == bindparam("e_user", type_=Integer),
           _enrolment.c.course_id == bindparam("e_course", type_=Integer),
           _enrolment.c.last_activity_at.is_not(None))
    .values(last_activity_at=bindparam("e_now", type_=_enrolment.c.last_activity_at.type))
    .returning(_enrolment.c.id))


def _expire_loaded(model, row_id, names):
    """Expire `names` of the `model` row if the session holds it: a set-based write bypassed it."""
    loaded = db.session.identity_map.get(identity_key(model, row_id))
    if loaded is not None:
        db.session.expire(loaded, names)


def record_quiz_result(user_id, module, version_id, score, passed, active_at=None):
    """Fold a graded attempt into the module's progress; returns a new CourseCompletion or None.

    `module` needs `id`, `course_id` and `course` (see complete_course_if_due). `active_at` is
    the enrolment's activity stamp when the caller read it: a recent one is not written again.
    """
    now = utcnow()
    required = required_modules(module.course)
    fold = fold_statement(passed)
    params = {"p_user": user_id, "p_module": module.id, "p_score": score, "p_now": now,
              "p_version": version_id, "p_required": required}
    db.session.flush()  # the set-based writes below do not go through the unit of work
    folded = db.session.execute(fold, params).first()
    if folded is None:  # no progress row (a quiz starts only after one; callers vary)
        _ensure_progress(user_id, module, version_id)
        db.session.flush()
        folded = db.session.execute(fold, params).first()
    return after_fold(user_id, module, required, folded, now, active_at)


def fold_statement(passed):
    """The statement that folds a graded attempt into the progress (see record_quiz_result for
    its parameters; it returns the row's id, completion time and the others completed)."""
    return _FOLD_PASS if passed else _FOLD_SCORE


def stamp_due(active_at, now):
    """Whether an enrolment's activity stamp `active_at` is due to move at `now`."""
    return active_at is None or now - _as_utc(active_at) >= ACTIVITY_STEP


def after_fold(user_id, module, required, folded, now, active_at, touched=None):
    """The rest of record_quiz_result once the fold returned `folded`: the activity stamp (unless
    the caller's statement moved it: `touched` is then the enrolment's id) and the course
    completion."""
    progress_id, completed_at, others_completed = folded
    _expire_loaded(ModuleProgress, progress_id, ["best_score", "completed_at", "version_id"])
    if touched is not None:
        _expire_loaded(Enrolment, touched, ["last_activity_at"])
    elif stamp_due(active_at, now):
        _touch_enrolment(user_id, module, now)
    completed = others_completed + (completed_at is not None and module.id in required)
    return _complete_if_all(user_id, module.course, required, completed)


def _touch_enrolment(user_id, module, now):
    touched = db.session.execute(TOUCH_ENROLMENT, {"e_user": user_id, "e_course": module.course_id,
                                                   "e_now": now}).scalar()
    if touched is not None:
        _expire_loaded(Enrolment, touched, ["last_activity_at"])
        return
    enrolment = get_enrolment(user_id, module.course_id)
    if enrolment is not None:
        starts = enrolment.last_activity_at is None
        enrolment.last_activity_at = now
        db.session.flush()
        if starts:
            enrolment_started.send(module, enrolment=enrolment)


_COMPLETED_COUNT = (
    select(func.count(_progress.c.id))
    .where(_progress.c.user_id == bindparam("user_id", type_=Integer),
           _progress.c.module_id.in_(bindparam("module_ids", expanding=True, type_=Integer)),
           _progress.c.completed_at.is_not(None)))


def required_modules(course):
    """Ids of the modules a completion of `course` needs: its lessons and its final ([] when it
    has no lessons: such a course is never completed)."""
    lessons, final = split_modules(course_modules(course))
    if not lessons:
        return []
    return [m.id for m in lessons] + ([final.id] if final else [])


def complete_course_if_due(user_id, course):
    """Record the course completion when every lesson and the final are complete (DESIGN §4).

    `course` may be a Course or any object with its `id` and `content_hash` (the grading path
    reads them with the attempt); the Course row is loaded only when the course completes.
    """
    required = required_modules(course)
    if not required:
        return None
    db.session.flush()  # the count below reads progress rows the caller may have changed
    completed = db.session.execute(_COMPLETED_COUNT,
                                   {"user_id": user_id, "module_ids": required}).scalar()
    return _complete_if_all(user_id, course, required, completed)


def _complete_if_all(user_id, course, required, completed):
    """The new completion when `completed` counts all of `required`, else None."""
    if not required or completed < len(required) or get_completion(user_id, course.id) is not None:
        return None
    if not isinstance(course, Course):
        course = db.session.get(Course, course.id)
    try:
        with db.session.begin_nested():
            completion = CourseCompletion(user_id=user_id, course_id=course.id,
                                          content_version=course.content_version,
                                          completed_at=utcnow())
            db.session.add(completion)
    except IntegrityError:
        return None
    course_completed.send(course, completion=completion)
    return completion


def get_completion(user_id, course_id):
    """The user's completion of the course, or None."""
    return db.session.scalar(select(CourseCompletion).where(
        CourseCompletion.user_id == user_id, CourseCompletion.course_id == course_id))


def neighbours(modules, module):
    """(previous, next) module around `module` in course order; the final comes last."""
    index = next(i for i, m in enumerate(modules) if m.id == module.id)
    previous = modules[index - 1] if index > 0 else None
    following = modules[index + 1] if index + 1 < len(modules) else None
    return previous, following


def leave_course(user_id, course):
    """End the user's enrolment in a course they have not completed.

    Progress and attempts stay on record: enrolling again picks them up, and leaving never
    gives the final assessment's attempts back.
    """
    enrolment = get_enrolment(user_id, course.id)
    if enrolment is None:
        raise LearningError(_("You are not enrolled in this course."))
    if get_completion(user_id, course.id) is not None:
        raise LearningError(_("You have completed this course: it stays in your learning "
                              "history."))
    enrolment_ending.send(course, enrolment=enrolment)
    db.session.delete(enrolment)
    db.session.flush()
