"""Submitting a quiz attempt: the answers checked against the attempt, graded from the answer
key (read once per module version) and recorded in one transaction with few statements, all
built once (issue #12): the claim with the grade, the answers, progress and completion."""
import json
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import (JSON, Boolean, Integer, Text, and_, bindparam, cast, exists, func,
                        insert, inspect, select, true, update)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm.attributes import set_committed_value

from academy.auth.session_records import MOVE_LAST_SEEN
from academy.core.cache import versioned_cache
from academy.core.database import read_one
from academy.courses.models import Course, Module, Option, Question
from academy.extensions import db
from academy.learning import services as learning
from academy.learning.models import Enrolment
from academy.quizzes.models import AttemptAnswer, QuizAttempt

_ANSWER_FIELD = re.compile(r"^q(\d+)$")
# A module version's questions never change: its answer key is read once per process.
_answer_keys = versioned_cache(256)


class InvalidAnswer(Exception):
    """A submitted form that does not fit the attempt (forged or stale); nothing is written."""


@dataclass
class GradeResult:
    claimed: bool
    completion: object = None


@dataclass(frozen=True)
class SubmissionCourse:
    """What grading needs of the attempt's course (and learning.complete_course_if_due)."""

    id: int
    pass_mark: int
    content_hash: str


@dataclass(frozen=True)
class SubmissionModule:
    """What grading needs of the attempt's module (and learning.record_quiz_result)."""

    id: int
    course_id: int
    kind: str
    course: SubmissionCourse


@dataclass(frozen=True)
class Submission:
    """An attempt as submitting it needs it: plain values, no ORM rows to load or flush."""

    id: int
    user_id: int
    module_id: int
    version_id: int
    layout: list
    submitted_at: datetime | None
    module: SubmissionModule
    active_at: datetime | None = None  # the enrolment's activity stamp


_attempts = QuizAttempt.__table__
_modules = Module.__table__
_courses = Course.__table__
_enrolments = Enrolment.__table__
_SUBMISSION = (
    select(_attempts.c.id, _attempts.c.user_id, _attempts.c.module_id, _attempts.c.version_id,
           _attempts.c.layout, _attempts.c.submitted_at, _modules.c.kind, _modules.c.course_id,
           _courses.c.pass_mark, _courses.c.content_hash, _enrolments.c.last_activity_at)
    .join_from(_attempts, _modules, _modules.c.id == _attempts.c.module_id)
    .join(_courses, _courses.c.id == _modules.c.course_id)
    .outerjoin(_enrolments, and_(_enrolments.c.user_id == _attempts.c.user_id,
                                 _enrolments.c.course_id == _modules.c.course_id))
    .where(_attempts.c.id == bindparam("a_id", type_=Integer),
           _attempts.c.user_id == bindparam("a_user", type_=Integer)))


def get_submission(attempt_id, user_id):
    """The attempt as a Submission if it belongs to `user_id`, else None (one statement, read
    as committed before the request's transaction: the claim checks again that it is open)."""
    row = read_one(_SUBMISSION, a_id=attempt_id, a_user=user_id)
    if row is None:
        return None
    (id_, user, module_id, version_id, layout, submitted_at, kind, course_id, pass_mark,
     content_hash, active_at) = row
    course = SubmissionCourse(course_id, pass_mark, content_hash)
    return Submission(id_, user, module_id, version_id, layout, submitted_at,
                      SubmissionModule(module_id, course_id, kind, course), active_at)


@dataclass(frozen=True)
class KeyEntry:
    """What grading needs of one question: its kind and its correct options."""

    kind: str
    correct: frozenset


def answer_key(attempt):
    """{question id: KeyEntry} for the questions of the attempt (cached per module version)."""
    def build():
        rows = db.session.execute(
            select(Question.id, Question.kind, Option.id, Option.is_correct)
            .join(Option, Option.question_id == Question.id)
            .where(Question.version_id == attempt.version_id)).all()
        kinds, correct = {}, {}
        for question_id, kind, option_id, is_correct in rows:
            kinds[question_id] = kind
            correct.setdefault(question_id, set())
            if is_correct:
                correct[question_id].add(option_id)
        return {qid: KeyEntry(kinds[qid], frozenset(correct[qid])) for qid in kinds}

    key = _answer_keys.get(attempt.version_id, build)
    if any(item["question_id"] not in key for item in attempt.layout):
        raise LookupError(f"attempt {attempt.id} asks questions outside its module version")
    return key


def parse_answers(attempt, form):
    """The selected option ids per question id; raises InvalidAnswer for anything forged."""
    layout = {item["question_id"]: (number, set(item["option_ids"]))
              for number, item in enumerate(attempt.layout, start=1)}
    for key in form:
        match = _ANSWER_FIELD.match(key)
        if key.startswith("q") and (match is None or int(match.group(1)) not in layout):
            raise InvalidAnswer(_("The form contains an answer to a question that is not part "
                                  "of this attempt. Reload the quiz and try again."))
    key = answer_key(attempt)
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
        if key[question_id].kind != "multiple" and len(chosen) > 1:
            raise InvalidAnswer(_("Question %(number)d takes only one answer.", number=number))
        selections[question_id] = chosen
    return selections


# The claim is the idempotency guard: of two parallel submissions only one changes the row. It
# records the grade in the same statement (computed before, from the cached answer key).
_CLAIM = (update(_attempts)
          .where(_attempts.c.id == bindparam("a_id", type_=Integer),
                 _attempts.c.submitted_at.is_(None))
          .values(submitted_at=bindparam("a_now", type_=_attempts.c.submitted_at.type),
                  score=bindparam("a_score", type_=Integer),
                  passed=bindparam("a_passed", type_=_attempts.c.passed.type)))
_INSERT_ANSWERS = insert(AttemptAnswer.__table__)


def grade(attempt, selections):
    """(score, passed, answer rows) of the attempt for `selections`; writes nothing."""
    key = answer_key(attempt)
    right = 0
    answers = []
    for item in attempt.layout:
        question_id = item["question_id"]
        chosen = selections.get(question_id, set())
        correct = chosen == key[question_id].correct
        right += correct
        answers.append({"attempt_id": attempt.id, "question_id": question_id,
                        "selected_option_ids": sorted(chosen), "correct": correct})
    total = len(attempt.layout)
    # Compare exactly rather than the rounded score: 2 of 3 is not 67 %.
    passed = right * 100 >= attempt.module.course.pass_mark * total
    return right * 100 // total, passed, answers


def submit_attempt(attempt, selections, last_seen=None):
    """Grade the attempt once: claim it atomically, record answers, score, progress, completion.

    `attempt` is a QuizAttempt or a Submission (get_submission). `last_seen`: the id of the
    learner's session record when its last-seen time is due; it moves in the same transaction
    (session_records.last_seen_due), not in a second one after the response.
    """
    now = learning.utcnow()
    score, passed, answers = grade(attempt, selections)
    if isinstance(attempt, Submission) and db.session.get_bind().dialect.name == "postgresql":
        return _submit_in_one_statement(attempt, now, score, passed, answers, last_seen)
    db.session.flush()  # the set-based writes below do not go through the unit of work
    claimed = db.session.execute(_CLAIM, {"a_id": attempt.id, "a_now": now, "a_score": score,
                                          "a_passed": passed}).rowcount
    if claimed != 1:
        return GradeResult(claimed=False)
    # One statement for all the answers (executemany), in the same transaction.
    db.session.execute(_INSERT_ANSWERS, answers)
    if last_seen is not None:
        db.session.execute(MOVE_LAST_SEEN, {"s_id": last_seen, "s_now": now})
    if isinstance(attempt, QuizAttempt):
        # The loaded attempt shows what was written, without reading it back.
        for name, value in (("submitted_at", now), ("score", score), ("passed", passed)):
            set_committed_value(attempt, name, value)
        if "answers" in inspect(attempt).dict:
            db.session.expire(attempt, ["answers"])
    completion = learning.record_quiz_result(attempt.user_id, attempt.module, attempt.version_id,
                                             score, passed, getattr(attempt, "active_at", None))
    return GradeResult(claimed=True, completion=completion)


# PostgreSQL: the claim, the answers and the fold in one statement (data-modifying WITH), a
# round trip where there were three, with the activity stamp of the enrolment and the session's
# last-seen time when they are due (the e_ and s_ parameters are NULL when not). All of it
# happens only if the claim did.
_claimed = _CLAIM.returning(_attempts.c.id).cte("claimed")
_if_claimed = exists(select(_claimed.c.id))
_given = func.unnest(bindparam("g_questions", type_=ARRAY(Integer)),
                     bindparam("g_selected", type_=ARRAY(Text)),
                     bindparam("g_correct", type_=ARRAY(Boolean))).table_valued(
                         "question_id", "selected", "correct").render_derived()
_answered = (insert(AttemptAnswer.__table__)
             .from_select(["attempt_id", "question_id", "selected_option_ids", "correct"],
                          select(_claimed.c.id, _given.c.question_id,
                                 cast(_given.c.selected, JSON), _given.c.correct)
                          .select_from(_claimed.join(_given, true())))
             .returning(AttemptAnswer.__table__.c.id).cte("answered"))
_touched = learning.TOUCH_ENROLMENT.where(_if_claimed).cte("touched")
_seen = MOVE_LAST_SEEN.where(_if_claimed).cte("seen")


def _claim_and_fold(passed):
    folded = learning.fold_statement(passed).where(_if_claimed).cte("folded")
    values = [select(column).scalar_subquery() for column in folded.c]
    return select(select(func.count()).select_from(_claimed).scalar_subquery(), *values,
                  select(_touched.c.id).scalar_subquery()).add_cte(_answered, _seen)


_CLAIM_AND_FOLD = {passed: _claim_and_fold(passed) for passed in (False, True)}


def _submit_in_one_statement(attempt, now, score, passed, answers, last_seen):
    module = attempt.module
    required = learning.required_modules(module.course)
    # A first activity (no stamp yet) takes the ORM path of after_fold.
    touch = attempt.active_at is not None and learning.stamp_due(attempt.active_at, now)
    db.session.flush()
    claimed, *folded, touched = db.session.execute(_CLAIM_AND_FOLD[passed], {
        "a_id": attempt.id, "a_now": now, "a_score": score, "a_passed": passed,
        "g_questions": [answer["question_id"] for answer in answers],
        "g_selected": [json.dumps(answer["selected_option_ids"]) for answer in answers],
        "g_correct": [answer["correct"] for answer in answers],
        "p_user": attempt.user_id, "p_module": module.id, "p_score": score, "p_now": now,
        "p_version": attempt.version_id, "p_required": required,
        "e_user": attempt.user_id if touch else None, "e_course": module.course_id, "e_now": now,
        "s_id": last_seen, "s_now": now}).one()
    if not claimed:
        return GradeResult(claimed=False)
    if folded[0] is None:  # no progress row: the general path creates it and folds again
        completion = learning.record_quiz_result(attempt.user_id, module, attempt.version_id,
                                                 score, passed, now if touched else
                                                 attempt.active_at)
    else:
        completion = learning.after_fold(attempt.user_id, module, required, folded, now,
                                         attempt.active_at, touched)
    return GradeResult(claimed=True, completion=completion)
