"""Quiz submission written set-based: the same rows, the same transaction, the rare paths too."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from academy.auth.models import AuthSession
from academy.certificates.models import Certificate
from academy.certificates.services import CertificateError
from academy.courses.models import Module
from academy.extensions import db
from academy.learning import services as learning
from academy.learning.models import CourseCompletion, Enrolment, ModuleProgress
from academy.quizzes import grading
from academy.quizzes import services as quizzes
from academy.quizzes.models import AttemptAnswer, QuizAttempt
from academy.reports.models import ReportSummary
from tests.conftest import csrf_token
from tests.databases import statements
from tests.test_course_import import refuse_inserts
from tests.test_learning import enrol, page_text, post_form
from tests.test_quiz import FINAL, FIRST, SAMPLE, attempt_id, course, key, learner  # noqa: F401
from tests.test_quiz import pass_quiz, start_quiz, submit, wrong_option


def progress_of(app, user_id, slug):
    with app.app_context():
        row = db.session.scalar(select(ModuleProgress).join(Module).where(
            ModuleProgress.user_id == user_id, Module.slug == slug))
        if row is not None:
            db.session.expunge(row)
        return row


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def started_total(app):
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.sum(ReportSummary.started), 0)))


def test_a_second_pass_keeps_the_completion_time_and_version(app, client, course, learner):
    enrol(client)
    pass_quiz(app, client, FIRST)
    first = progress_of(app, learner.id, "first-steps")
    assert first.best_score == 100 and first.completed_at is not None
    url = start_quiz(client)
    question = next(iter(key(app, attempt_id(url))))
    submit(client, url, {question: wrong_option(app, question)})  # 0 %: the best stays
    pass_quiz(app, client, FIRST)
    again = progress_of(app, learner.id, "first-steps")
    assert (again.best_score, again.completed_at, again.version_id) == (
        100, first.completed_at, first.version_id)
    with app.app_context():
        scores = db.session.scalars(select(QuizAttempt.score).where(
            QuizAttempt.user_id == learner.id).order_by(QuizAttempt.id)).all()
    assert scores == [100, 0, 100]


def test_completing_by_the_final_issues_the_certificate_in_the_grading_transaction(
        app, client, course, learner):
    enrol(client)
    pass_quiz(app, client, FIRST)
    post_form(client, SAMPLE + "reading-only/", SAMPLE + "reading-only/done")
    pass_quiz(app, client, SAMPLE + "english-only/")
    response = pass_quiz(app, client, FINAL)
    assert response.status_code == 302 and response.location.endswith(
        f"/attempts/{attempt_id(response.location)}/")
    assert "Congratulations! You have completed the course." in page_text(
        client.get(response.location))
    with app.app_context():
        completion = db.session.scalar(select(CourseCompletion))
        certificate = db.session.scalar(select(Certificate))
        assert completion.user_id == learner.id and completion.content_version == 1
        assert certificate.user_id == learner.id and certificate.issuer == "automatic"


def test_a_failing_certificate_insert_undoes_the_whole_submission(app, client, course, learner):
    enrol(client)
    pass_quiz(app, client, FIRST)
    post_form(client, SAMPLE + "reading-only/", SAMPLE + "reading-only/done")
    pass_quiz(app, client, SAMPLE + "english-only/")
    url = start_quiz(client, FINAL)
    answers = key(app, attempt_id(url))
    before = progress_of(app, learner.id, "final")
    with app.app_context():
        activity = db.session.scalar(select(Enrolment.last_activity_at))
    refuse_inserts(app, "certificate")
    with pytest.raises((CertificateError, DBAPIError)):
        submit(client, url, answers)
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id(url))
        assert (attempt.submitted_at, attempt.score, attempt.passed) == (None, None, None)
        assert db.session.scalar(select(Enrolment.last_activity_at)) == activity
    assert count(app, AttemptAnswer, AttemptAnswer.attempt_id == attempt_id(url)) == 0
    after = progress_of(app, learner.id, "final")
    assert (after.best_score, after.completed_at) == (before.best_score, before.completed_at)
    assert count(app, CourseCompletion) == 0 and count(app, Certificate) == 0


def test_an_open_attempt_submitted_after_leaving_and_enrolling_again_starts_the_enrolment(
        app, client, course, learner):
    enrol(client)
    url = start_quiz(client)
    with app.app_context():
        learning.leave_course(learner.id, learning.get_course("sample-course"))
        db.session.commit()
    enrol(client)
    assert started_total(app) == 0
    response = submit(client, url, key(app, attempt_id(url)))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Enrolment.last_activity_at)) is not None
    assert started_total(app) == 1  # the reports' summary heard `enrolment_started`
    assert progress_of(app, learner.id, "first-steps").best_score == 100


def test_an_open_attempt_submitted_without_an_enrolment_is_graded(app, client, course, learner):
    enrol(client)
    url = start_quiz(client)
    with app.app_context():
        learning.leave_course(learner.id, learning.get_course("sample-course"))
        db.session.commit()
    response = submit(client, url, key(app, attempt_id(url)))
    assert response.status_code == 302 and response.location.endswith(url[-12:])
    assert "Your score: 100%" in page_text(client.get(url))
    assert count(app, Enrolment) == 0
    assert progress_of(app, learner.id, "first-steps").completed_at is not None


def test_grading_in_one_transaction_shows_the_written_values_on_loaded_rows(app, course,
                                                                           make_user):
    """A caller that holds the attempt, the progress and the enrolment (the demo seeding, the
    tests) sees what the set-based writes wrote, before any commit."""
    user = make_user()
    with app.test_request_context():
        course_row = learning.get_course("sample-course")
        module = learning.get_module(course_row, "first-steps")
        enrolment, _created = learning.enrol(user.id, course_row)
        progress = learning.record_module_opened(enrolment, module)
        opened_activity = enrolment.last_activity_at
        attempt = quizzes.start_attempt(user.id, module, course_row, "en")
        assert attempt.answers == []
        right = grading.answer_key(attempt)
        result = grading.submit_attempt(attempt, {item["question_id"]: set(
            right[item["question_id"]].correct) for item in attempt.layout})
        assert result.claimed and result.completion is None
        assert attempt.submitted_at is not None and (attempt.score, attempt.passed) == (100, True)
        assert len(attempt.answers) == len(attempt.layout)
        assert all(answer.correct for answer in attempt.answers)
        assert progress.best_score == 100 and progress.completed_at is not None
        assert quizzes.as_utc(enrolment.last_activity_at) >= quizzes.as_utc(opened_activity)
        assert not grading.submit_attempt(attempt, {}).claimed  # graded once
        summary = quizzes.quiz_summary(user.id, module, course_row)
        assert summary.used == 1 and summary.passed and summary.open_attempt is None
        db.session.rollback()


def test_a_missing_progress_row_is_created_with_the_score_but_not_completed(app, course,
                                                                          make_user):
    user = make_user()
    with app.test_request_context():
        course_row = learning.get_course("sample-course")
        module = learning.get_module(course_row, "first-steps")
        enrolment, _created = learning.enrol(user.id, course_row)
        learning.record_module_opened(enrolment, module)
        attempt = quizzes.start_attempt(user.id, module, course_row, "en")
        db.session.commit()
        db.session.execute(ModuleProgress.__table__.delete())
        submission = grading.get_submission(attempt.id, user.id)
        right = grading.answer_key(submission)
        result = grading.submit_attempt(submission, {item["question_id"]: set(
            right[item["question_id"]].correct) for item in submission.layout})
        db.session.commit()
        assert result.claimed
        progress = learning.get_progress(user.id, module.id)
        assert progress.best_score == 100 and progress.opened_at is None
        assert progress.completed_at is None  # passing counts only for an opened module
        assert grading.get_submission(attempt.id, user.id).submitted_at is not None
        assert grading.get_submission(attempt.id, user.id + 1) is None


def test_a_submission_moves_the_activity_stamp_only_every_few_minutes(app, client, course,
                                                                      learner):
    """As opening a module: a stamp younger than ACTIVITY_STEP is not written again."""
    enrol(client)
    url = start_quiz(client)
    with app.app_context():
        recent = db.session.scalar(select(Enrolment.last_activity_at))
    submit(client, url, key(app, attempt_id(url)))
    with app.app_context():
        assert db.session.scalar(select(Enrolment.last_activity_at)) == recent
        old = learning.utcnow() - learning.ACTIVITY_STEP - timedelta(seconds=1)
        db.session.execute(update(Enrolment).values(last_activity_at=old))
        db.session.commit()
    url = start_quiz(client)
    submit(client, url, key(app, attempt_id(url)))
    with app.app_context():
        moved = quizzes.as_utc(db.session.scalar(select(Enrolment.last_activity_at)))
    assert learning.utcnow() - moved < timedelta(minutes=1)


def test_a_due_last_seen_time_moves_in_the_submission_itself(app, client, course, learner):
    """A learner who took minutes over the quiz: the session's last-seen time and the activity
    stamp move in the submission's transaction, at its time, not in a second one after it."""
    enrol(client)
    url = start_quiz(client)
    token = csrf_token(page_text(client.get(url)))
    answers = {f"q{question}": [str(option) for option in options]
               for question, options in key(app, attempt_id(url)).items()}
    with app.app_context():
        old = learning.utcnow() - timedelta(minutes=10)
        db.session.execute(update(AuthSession).values(last_seen_at=old))
        db.session.execute(update(Enrolment).values(last_activity_at=old))
        db.session.commit()
    with statements(app) as run:
        assert client.post(url, data={"csrf_token": token, **answers}).status_code == 302
    with app.app_context():
        submitted = db.session.scalar(select(QuizAttempt.submitted_at))
        assert db.session.scalar(select(AuthSession.last_seen_at)) == submitted
        stamp = quizzes.as_utc(db.session.scalar(select(Enrolment.last_activity_at)))
    assert timedelta(0) <= stamp - quizzes.as_utc(submitted) < timedelta(seconds=5)
    # (On PostgreSQL inside the submission's one statement.)
    assert sum("UPDATE auth_session" in sql for sql in run) == 1
