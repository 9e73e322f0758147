"""Quiz attempts: start, the summary on the module page, drafts, review (submitting and
grading: grading.py)."""
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, selectinload

from academy.courses.models import Module, ModuleVersion, Option, Question
from academy.extensions import db
from academy.learning import services as learning
from academy.learning.progress import course_progress
from academy.quizzes.models import QuizAttempt

# Option order and the final draw must not be predictable from earlier attempts.
_random = random.SystemRandom()


class QuizError(Exception):
    """The learner may not start this quiz now; the message says why."""


@dataclass
class QuizSummary:
    """A learner's standing on one module's quiz (or the final): attempts, limits, the wait."""

    submitted: list[QuizAttempt]
    open_attempt: QuizAttempt | None
    max_attempts: int | None
    # When the next attempt may start (None: now); only the final makes the learner wait.
    next_start_at: datetime | None = None
    # Lesson modules still to complete before the final opens.
    missing: list = field(default_factory=list)
    final: bool = False
    # All submitted attempts, counted (`submitted` may list only the newest of them).
    used: int | None = None
    any_passed: bool | None = None

    def __post_init__(self):
        if self.used is None:
            self.used = len(self.submitted)
        if self.any_passed is None:
            self.any_passed = any(attempt.passed for attempt in self.submitted)

    @property
    def remaining(self):
        """Attempts left, or None when unlimited."""
        if self.max_attempts is None:
            return None
        return max(self.max_attempts - self.used, 0)

    @property
    def passed(self):
        return self.any_passed

    @property
    def locked(self):
        """The final is closed until the modules in `missing` are complete."""
        return bool(self.missing)

    @property
    def waiting(self):
        return self.next_start_at is not None

    @property
    def can_start(self):
        if self.open_attempt is not None:
            return True
        if self.final and self.passed:
            return False  # a passed final is done: its review now shows the key
        return (not self.locked and not self.waiting
                and (self.remaining is None or self.remaining > 0))


def as_utc(moment):
    """A stored time as an aware UTC datetime (SQLite gives them back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def attempt_limit(module, course):
    """The attempt limit of the module's quiz: the final's own, else the course's (may be None)."""
    return course.final_max_attempts if module.kind == "final" else course.max_attempts


def missing_modules(user_id, module, course):
    """The lesson modules the learner must still complete before this final opens."""
    if module.kind != "final" or not course.final_requires_modules:
        return []
    progress = course_progress(user_id, course, learning.course_modules(course))
    return [status.module for status in progress.lessons if status.state != learning.COMPLETED]


def next_start(submitted, module, course, now=None):
    """When the next final attempt may start, or None when it may start now."""
    if module.kind != "final" or not submitted or not course.final_wait_hours:
        return None
    last = max(as_utc(attempt.submitted_at) for attempt in submitted)
    ready = last + timedelta(hours=course.final_wait_hours)
    return ready if ready > (now or learning.utcnow()) else None


@dataclass
class ReviewItem:
    number: int
    question: Question
    options: list[Option]
    selected: set[int]
    correct_ids: set[int]
    correct: bool
    answered: bool = True


def get_own_attempt(attempt_id, user_id):
    """The attempt if it belongs to `user_id`, else None: others' attempts do not exist for them.
    Its module and course come in the same query."""
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id,
                                                       QuizAttempt.user_id == user_id)
                             .options(joinedload(QuizAttempt.module).joinedload(Module.course)))


def _open_attempt(user_id, module_id):
    return db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id,
        QuizAttempt.submitted_at.is_(None)))


SHOWN_ATTEMPTS = 10  # the newest attempts listed with the quiz; the rest are summarised


# One statement, whatever the number of attempts: the newest rows, with the count of all
# submitted attempts and whether one passed computed over the whole set (window functions). The
# summary shows dates and scores: the attempts' JSON (layout, saved answers) stays out. Every
# module page runs it: it is built once.
_SUMMARY = (
    select(QuizAttempt, func.count(QuizAttempt.submitted_at).over(),
           func.max(case((QuizAttempt.passed.is_(True) & QuizAttempt.submitted_at.is_not(None),
                          1), else_=0)).over())
    .options(defer(QuizAttempt.layout), defer(QuizAttempt.draft))
    .where(QuizAttempt.user_id == bindparam("user_id"),
           QuizAttempt.module_id == bindparam("module_id"))
    .order_by(QuizAttempt.submitted_at.is_(None).desc(), QuizAttempt.submitted_at.desc(),
              QuizAttempt.id.desc()))
# The open attempt (at most one) sorts first, so one more row than shown is enough.
_SUMMARY_SHOWN = _SUMMARY.limit(SHOWN_ATTEMPTS + 1)


def quiz_summary(user_id, module, course, shown=SHOWN_ATTEMPTS):
    """Submitted attempts (the newest `shown` of them, newest first; None: all), their number,
    whether one passed, the open attempt, the limit, the wait and the lock."""
    query = (_SUMMARY if shown is None else _SUMMARY_SHOWN if shown == SHOWN_ATTEMPTS
             else _SUMMARY.limit(shown + 1))
    rows = db.session.execute(query, {"user_id": user_id, "module_id": module.id}).all()
    open_attempt = next((a for a, _u, _p in rows if a.submitted_at is None), None)
    submitted = [a for a, _u, _p in rows if a.submitted_at is not None][:shown]
    used, passed = (rows[0][1], bool(rows[0][2])) if rows else (0, False)
    return QuizSummary(submitted, open_attempt, attempt_limit(module, course),
                       next_start(submitted, module, course),
                       missing_modules(user_id, module, course), module.kind == "final",
                       used=used, any_passed=passed)


def _seen_stems(user_id, module):
    """English stems of the questions the learner was given in earlier attempts at `module`."""
    layouts = db.session.scalars(select(QuizAttempt.layout).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module.id)).all()
    ids = {item["question_id"] for layout in layouts for item in layout}
    if not ids:
        return set()
    return set(db.session.scalars(select(Question.stem_en).where(Question.id.in_(ids))))


def draw_questions(pool, draw, seen_stems):
    """`draw` questions from `pool`, those not seen before first, in random order."""
    unseen = [q for q in pool if q.stem_en not in seen_stems]
    seen = [q for q in pool if q.stem_en in seen_stems]
    if len(unseen) >= draw:
        chosen = _random.sample(unseen, draw)
    else:
        chosen = unseen + _random.sample(seen, min(draw - len(unseen), len(seen)))
    _random.shuffle(chosen)
    return chosen


def build_layout(module, course, user_id=None):
    """The questions of a new attempt and each one's option order."""
    # By id: `module` may be an outline entry (learning.outline), which carries no questions.
    questions = list(db.session.get(ModuleVersion, module.current_version_id).questions)
    if module.kind == "final" and course.final_draw:
        # Stems, not ids: a question unchanged in a newer version has been seen all the same.
        seen = _seen_stems(user_id, module) if user_id is not None else set()
        questions = draw_questions(questions, min(course.final_draw, len(questions)), seen)
    layout = []
    for question in questions:
        option_ids = [option.id for option in question.options]
        if course.shuffle_options:
            _random.shuffle(option_ids)
        layout.append({"question_id": question.id, "option_ids": option_ids})
    return layout


def start_attempt(user_id, module, course, lang):
    """Resume the open attempt or start a new one pinned to the current version."""
    if learning.get_enrolment(user_id, course.id) is None:
        raise QuizError(_("Enrol in the course to study its modules."))
    progress = learning.get_progress(user_id, module.id)
    if progress is None or progress.opened_at is None:
        raise QuizError(_("Read the module before you start its quiz."))
    existing = _open_attempt(user_id, module.id)
    if existing is not None:
        return existing
    summary = quiz_summary(user_id, module, course)
    if summary.final and summary.passed:
        raise QuizError(_("You have passed the final assessment."))
    if summary.locked:
        raise QuizError(_("The final assessment opens once you have completed every module."))
    if summary.remaining == 0:
        raise QuizError(_("You have used all %(count)d attempts at this quiz.",
                          count=summary.max_attempts))
    if summary.waiting:
        raise QuizError(_("Your next attempt is possible from %(time)s.",
                          time=format_datetime(summary.next_start_at, "medium")))
    layout = build_layout(module, course, user_id)
    if not layout:
        raise QuizError(_("This module has no quiz."))
    try:
        with db.session.begin_nested():
            attempt = QuizAttempt(user_id=user_id, module_id=module.id,
                                  version_id=module.current_version_id, layout=layout, lang=lang)
            db.session.add(attempt)
    except IntegrityError:
        # A parallel click created the open attempt first: resume that one.
        return _open_attempt(user_id, module.id)
    return attempt


def _questions_by_id(attempt):
    ids = [item["question_id"] for item in attempt.layout]
    questions = db.session.scalars(select(Question).where(Question.id.in_(ids))
                                   .options(selectinload(Question.options))).all()
    return {question.id: question for question in questions}


def quiz_items(attempt):
    """(number, question, options in this attempt's order) for the quiz form — no answer key."""
    questions = _questions_by_id(attempt)
    items = []
    for number, item in enumerate(attempt.layout, start=1):
        question = questions[item["question_id"]]
        by_id = {option.id: option for option in question.options}
        items.append((number, question, [by_id[i] for i in item["option_ids"]]))
    return items


def save_draft(attempt, selections):
    """Keep the answers given so far on the open attempt; False once it has been submitted."""
    draft = {str(question_id): sorted(chosen) for question_id, chosen in selections.items()
             if chosen}
    saved = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(draft=draft, saved_at=learning.utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.expire(attempt, ["draft", "saved_at"])
    return saved == 1


def draft_selections(attempt):
    """{question id: set of option ids} saved so far on the attempt."""
    return {int(question_id): set(ids) for question_id, ids in (attempt.draft or {}).items()}


def review_level(attempt, summary):
    """What the attempt's review may show: "full", "outcome" or "score" (DESIGN §4).

    A final's key stays hidden (its course's `final_review`, "outcome" by default) until the
    learner has passed the final or used up its attempts.
    """
    course = attempt.module.course
    if attempt.module.kind != "final":
        return course.quiz_review
    if summary.passed or summary.remaining == 0:
        return "full"
    return course.final_review


def review_items(attempt, level="full"):
    """Each question with the learner's answer and whether it was right.

    Only a "full" review carries the options and which of them are correct: a restricted one
    never hands the key to the template at all.
    """
    answers = {answer.question_id: answer for answer in attempt.answers}
    items = []
    for number, question, options in quiz_items(attempt):
        answer = answers.get(question.id)
        full = level == "full"
        items.append(ReviewItem(
            number=number, question=question, options=options if full else [],
            selected=set(answer.selected_option_ids) if answer and full else set(),
            correct_ids={option.id for option in options if option.is_correct} if full else set(),
            correct=bool(answer and answer.correct),
            answered=bool(answer and answer.selected_option_ids)))
    return items
