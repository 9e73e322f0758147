"""Quiz attempts: start, answer checking, grading in one transaction, review."""
import random
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from academy.courses.models import Option, Question
from academy.extensions import db
from academy.learning import services as learning
from academy.quizzes.models import AttemptAnswer, QuizAttempt

# Option order and the final draw must not be predictable from earlier attempts.
_random = random.SystemRandom()
_ANSWER_FIELD = re.compile(r"^q(\d+)$")


class QuizError(Exception):
    """The learner may not start this quiz now; the message says why."""


class InvalidAnswer(Exception):
    """A submitted form that does not fit the attempt (forged or stale); nothing is written."""


@dataclass
class QuizSummary:
    """A learner's standing on one module's quiz."""

    submitted: list[QuizAttempt]
    open_attempt: QuizAttempt | None
    max_attempts: int | None

    @property
    def used(self):
        return len(self.submitted)

    @property
    def remaining(self):
        """Attempts left, or None when unlimited."""
        if self.max_attempts is None:
            return None
        return max(self.max_attempts - self.used, 0)

    @property
    def can_start(self):
        return self.open_attempt is not None or self.remaining is None or self.remaining > 0


@dataclass
class ReviewItem:
    number: int
    question: Question
    options: list[Option]
    selected: set[int]
    correct_ids: set[int]
    correct: bool


@dataclass
class GradeResult:
    claimed: bool
    completion: object = None


def get_own_attempt(attempt_id, user_id):
    """The attempt if it belongs to `user_id`, else None: others' attempts do not exist for them."""
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id,
                                                       QuizAttempt.user_id == user_id))


def _open_attempt(user_id, module_id):
    return db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id,
        QuizAttempt.submitted_at.is_(None)))


def submitted_count(user_id, module_id):
    """How many attempts at the module's quiz the user has submitted."""
    return db.session.scalar(select(func.count(QuizAttempt.id)).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id,
        QuizAttempt.submitted_at.is_not(None)))


def quiz_summary(user_id, module, course):
    """Submitted attempts (newest first), the open attempt and the attempt limit."""
    submitted = db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module.id,
        QuizAttempt.submitted_at.is_not(None)).order_by(QuizAttempt.submitted_at.desc(),
                                                        QuizAttempt.id.desc())).all()
    return QuizSummary(list(submitted), _open_attempt(user_id, module.id), course.max_attempts)


def build_layout(module, course):
    """The questions of a new attempt and each one's option order."""
    questions = list(module.current_version.questions)
    if module.kind == "final" and course.final_draw:
        questions = _random.sample(questions, min(course.final_draw, len(questions)))
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
    used = submitted_count(user_id, module.id)
    if course.max_attempts is not None and used >= course.max_attempts:
        raise QuizError(_("You have used all %(count)d attempts at this quiz.",
                          count=course.max_attempts))
    layout = build_layout(module, course)
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


def parse_answers(attempt, form):
    """The selected option ids per question id; raises InvalidAnswer for anything forged."""
    layout = {item["question_id"]: (number, set(item["option_ids"]))
              for number, item in enumerate(attempt.layout, start=1)}
    for key in form:
        match = _ANSWER_FIELD.match(key)
        if key.startswith("q") and (match is None or int(match.group(1)) not in layout):
            raise InvalidAnswer(_("The form contains an answer to a question that is not part "
                                  "of this attempt. Reload the quiz and try again."))
    kinds = dict(db.session.execute(select(Question.id, Question.kind)
                                    .where(Question.id.in_(list(layout)))).all())
    selections = {}
    for question_id, (number, allowed) in layout.items():
        raw = form.getlist(f"q{question_id}")
        try:
            chosen = {int(value) for value in raw}
        except ValueError:
            chosen = None
        if chosen is None or not chosen <= allowed:
            raise InvalidAnswer(_("The answer to question %(number)d is not one of its options. "
                                  "Reload the quiz and try again.", number=number))
        if kinds.get(question_id) != "multiple" and len(chosen) > 1:
            raise InvalidAnswer(_("Question %(number)d takes only one answer.", number=number))
        selections[question_id] = chosen
    return selections


def submit_attempt(attempt, selections):
    """Grade the attempt once: claim it atomically, record answers, score, progress, completion."""
    now = learning.utcnow()
    # The claim is the idempotency guard: of two parallel submissions only one changes the row.
    claimed = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return GradeResult(claimed=False)
    questions = _questions_by_id(attempt)
    right = 0
    for item in attempt.layout:
        question = questions[item["question_id"]]
        key = {option.id for option in question.options if option.is_correct}
        chosen = selections.get(question.id, set())
        correct = chosen == key
        right += correct
        db.session.add(AttemptAnswer(attempt_id=attempt.id, question_id=question.id,
                                     selected_option_ids=sorted(chosen), correct=correct))
    total = len(attempt.layout)
    pass_mark = attempt.module.course.pass_mark
    attempt.submitted_at = now
    attempt.score = right * 100 // total
    # Compare exactly rather than the rounded score: 2 of 3 is not 67 %.
    attempt.passed = right * 100 >= pass_mark * total
    db.session.flush()
    completion = learning.record_quiz_result(attempt.user_id, attempt.module, attempt.version_id,
                                             attempt.score, attempt.passed)
    return GradeResult(claimed=True, completion=completion)


def review_items(attempt):
    """Each question with the learner's answer, the correct options and whether it was right."""
    answers = {answer.question_id: answer for answer in attempt.answers}
    items = []
    for number, question, options in quiz_items(attempt):
        answer = answers.get(question.id)
        items.append(ReviewItem(
            number=number, question=question, options=options,
            selected=set(answer.selected_option_ids) if answer else set(),
            correct_ids={option.id for option in options if option.is_correct},
            correct=bool(answer and answer.correct)))
    return items
