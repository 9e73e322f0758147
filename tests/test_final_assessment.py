"""The final assessment keeps its value (DESIGN §4): options, lock, limits, wait, hidden key,
answers saved as given; the result card, the learning history and leaving a course."""
import re
from datetime import timedelta

import pytest
from flask_babel import format_datetime
from sqlalchemy import select, update

from academy.courses.export import course_yaml
from academy.courses.models import Course, Module, Option, Question
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment
from academy.quizzes.models import QuizAttempt
from tests.conftest import csrf_token
from tests.test_learning import enrol, page_text, post_form, query, set_language
from tests.test_quiz import (FINAL, FIRST, SAMPLE, attempt_id, final_settings, key, pass_quiz,
                             start_quiz, submit, wrong_option)

LESSONS = ("first-steps/", "reading-only/", "english-only/")


@pytest.fixture
def course(imported_app):
    return "sample-course"


@pytest.fixture
def learner(make_user, auth):
    user = make_user()
    auth.login()
    return user


def complete_lessons(app, client):
    """Pass the two lesson quizzes and mark the reading-only module done."""
    pass_quiz(app, client, FIRST)
    post_form(client, SAMPLE + "reading-only/", SAMPLE + "reading-only/done")
    pass_quiz(app, client, SAMPLE + "english-only/")


def fail_final(app, client):
    """Start the final and answer its first question right, the others wrong; returns its URL."""
    url = start_quiz(client, FINAL)
    correct = key(app, attempt_id(url))
    first, *rest = correct
    answers = {first: correct[first], **{qid: wrong_option(app, qid) for qid in rest}}
    assert submit(client, url, answers).status_code == 302
    return url


def move_back(app, hours):
    """Pretend every submitted attempt was submitted `hours` earlier (the clock moves on)."""
    with app.app_context():
        for attempt in db.session.scalars(select(QuizAttempt).where(
                QuizAttempt.submitted_at.is_not(None))):
            attempt.submitted_at = attempt.submitted_at - timedelta(hours=hours)
        db.session.commit()


def final_count(app):
    with app.app_context():
        return len(db.session.scalars(select(QuizAttempt).join(Module).where(
            Module.kind == "final")).all())


# --- course.yml options ------------------------------------------------------------------------

def test_final_options_have_safe_defaults_and_round_trip(app, course_library):
    final_settings(app, course_library, "  draw: 3\n")
    with app.app_context():
        course = db.session.scalar(select(Course))
        assert (course.final_max_attempts, course.final_wait_hours, course.final_requires_modules,
                course.final_review, course.quiz_review) == (3, 24, True, "outcome", "full")
    final_settings(app, course_library, "  draw: 3\n  max_attempts: 5\n  wait_hours: 0\n"
                                        "  review: score\n"
                                        "  requires_all_modules: false\n")
    with app.app_context():
        course = db.session.scalar(select(Course))
        assert (course.final_max_attempts, course.final_wait_hours, course.final_requires_modules,
                course.final_review) == (5, 0, False, "score")
        assert "  max_attempts: 5\n  wait_hours: 0\n  requires_all_modules: false\n" \
               "  review: score\n" in course_yaml(course)


def final_block(library, text):
    course_yml = library / "sample-course" / "course.yml"
    course_yml.write_text(course_yml.read_text(encoding="utf-8").replace(
        "final_assessment:\n  draw: 3\n", "final_assessment:\n" + text), encoding="utf-8")
    return course_yml


@pytest.mark.parametrize("block, message", [
    ("  draw: 3\n  max_attempts: 0\n",
     "final_assessment.max_attempts must be a whole number of at least 1 (found 0)"),
    ("  draw: 3\n  wait_hours: -2\n",
     "final_assessment.wait_hours must be a whole number from 0 to 8760 (found -2)"),
    ("  draw: 3\n  review: everything\n",
     "final_assessment.review must be one of: full, outcome, score (found 'everything')"),
    ("  draw: 3\n  requires_all_modules: maybe\n",
     "final_assessment.requires_all_modules must be true or false (found 'maybe')"),
    ("  draw: 3\n  attempts: 2\n", "unknown key final_assessment.attempts (allowed here: draw, "
     "max_attempts, wait_hours, requires_all_modules, review)"),
])
def test_bad_final_options_are_explained(runner, course_library, block, message):
    course_yml = final_block(course_library, block)
    result = runner.invoke(args=["courses", "check", str(course_library)])
    assert result.exit_code != 0
    assert re.search(rf"{re.escape(str(course_yml))}:\d+: error: {re.escape(message)}",
                     result.stderr), result.stderr


def test_the_shipped_library_still_checks_and_imports(runner):
    result = runner.invoke(args=["courses", "import", "courses"])
    assert result.exit_code == 0, result.stderr


# --- lock, limits, wait -------------------------------------------------------------------------

def test_final_is_locked_until_every_module_is_complete(app, client, course, learner):
    enrol(client)
    html = page_text(client.get(FINAL))
    locked = html[html.index('id="final-locked"'):]
    for slug in LESSONS:
        assert f'href="{SAMPLE}{slug}"' in locked
    assert "Start the final assessment" not in html
    response = post_form(client, FINAL, FINAL + "attempts")
    assert response.status_code == 302
    assert "opens once you have completed every module" in page_text(client.get(FINAL))
    assert final_count(app) == 0

    pass_quiz(app, client, FIRST)
    post_form(client, SAMPLE + "reading-only/", SAMPLE + "reading-only/done")
    locked = page_text(client.get(FINAL))
    assert f'href="{SAMPLE}english-only/"' in locked and f'href="{FIRST}"' not in locked
    pass_quiz(app, client, SAMPLE + "english-only/")
    html = page_text(client.get(FINAL))
    assert 'id="final-locked"' not in html and "Start the final assessment" in html
    assert "3 of 3 attempts left" in html and "You have 3 attempts" in html
    assert "you wait 24 hours" in html


def test_attempts_and_the_wait_are_enforced_on_the_server(app, client, course, learner):
    enrol(client)
    complete_lessons(app, client)
    review = fail_final(app, client)
    with app.app_context():
        submitted = db.session.get(QuizAttempt, attempt_id(review)).submitted_at
        with app.test_request_context():
            ready = format_datetime(submitted + timedelta(hours=24), "medium")
    html = page_text(client.get(FINAL))
    assert f"2 of 3 attempts left</strong>; next attempt possible from {ready}." in html
    assert "Start the final assessment" not in html and "Try again" not in html
    assert "next attempt possible from" in page_text(client.get(review))
    post_form(client, FINAL, FINAL + "attempts")
    assert f"Your next attempt is possible from {ready}." in page_text(client.get(FINAL))
    assert final_count(app) == 1

    move_back(app, 23)  # an hour still to wait
    post_form(client, FINAL, FINAL + "attempts")
    assert final_count(app) == 1
    move_back(app, 1)
    fail_final(app, client)
    move_back(app, 24)
    third = fail_final(app, client)
    move_back(app, 24)
    html = page_text(client.get(FINAL))
    assert "You have used all 3 attempts at this quiz." in html
    assert "0 of 3 attempts left" in html
    post_form(client, FINAL, FINAL + "attempts")
    assert final_count(app) == 3
    # The attempts are used up: the review may now show the key and the feedback.
    review = page_text(client.get(third))
    assert "correct option" in review and "Explanation" in review


def test_wait_of_zero_and_a_lock_switched_off(app, client, course_library, learner):
    final_settings(app, course_library, "  draw: 3\n  wait_hours: 0\n  max_attempts: 2\n"
                                        "  requires_all_modules: false\n")
    enrol(client)
    client.get(FINAL)
    fail_final(app, client)
    html = page_text(client.get(FINAL))
    assert "1 of 2 attempts left</strong>." in html and "next attempt" not in html
    fail_final(app, client)
    post_form(client, FINAL, FINAL + "attempts")
    assert final_count(app) == 2


def test_the_draw_prefers_questions_not_seen_before(app, client, course_library, learner):
    final_settings(app, course_library, "  draw: 2\n  wait_hours: 0\n  max_attempts: 20\n"
                                        "  requires_all_modules: false\n")
    enrol(client)
    client.get(FINAL)
    first = set(key(app, attempt_id(fail_final(app, client))))
    second = set(key(app, attempt_id(fail_final(app, client))))
    # A pool of 4 and a draw of 2: the second attempt gets the two the first did not.
    assert len(first) == len(second) == 2 and not first & second
    third = set(key(app, attempt_id(fail_final(app, client))))
    assert len(third) == 2  # every question seen: a random draw again


def test_draw_questions_takes_every_unseen_question_first():
    from types import SimpleNamespace

    from academy.quizzes.services import draw_questions
    pool = [SimpleNamespace(stem_en=f"stem {i}") for i in range(10)]
    seen = {f"stem {i}" for i in range(6)}
    unseen = {f"stem {i}" for i in range(6, 10)}
    for _ in range(50):
        assert {q.stem_en for q in draw_questions(pool, 4, seen)} == unseen
        drawn = [q.stem_en for q in draw_questions(pool, 6, seen)]
        assert len(set(drawn)) == 6 and unseen <= set(drawn)
    orders = {tuple(q.stem_en for q in draw_questions(pool, 4, seen)) for _ in range(50)}
    assert len(orders) > 1  # unseen first in the choice, not in the order shown


# --- the key stays hidden --------------------------------------------------------------------

def final_pool(app):
    """[(question, correct options, all options)] of the final's pool."""
    with app.app_context():
        questions = db.session.scalars(select(Question).join(
            Module, Module.current_version_id == Question.version_id)
            .where(Module.kind == "final")).all()
        return [(q.id, [o for o in q.options if o.is_correct], list(q.options)) for q in questions]


def leaks(html, pool, lesson_sources):
    """Correct option ids and texts of the final pool (and its feedback) found in `html`."""
    found = []
    for _qid, correct, _options in pool:
        for option in correct:
            if re.search(rf'(value="|id="o|for="o){option.id}"', html):
                found.append(f"option id {option.id}")
            for text in (option.text_en, option.text_ru):
                # A text that a lesson module also uses (e.g. "True") proves nothing either way.
                if text and not any(text in source for source in lesson_sources) and text in html:
                    found.append(text)
    return found


def test_a_failed_final_hides_the_key_on_every_page(app, client, course, learner):
    enrol(client)
    complete_lessons(app, client)
    review_url = fail_final(app, client)
    pool = final_pool(app)
    with app.app_context():
        lesson_sources = [c.source for m in db.session.scalars(select(Module).where(
            Module.kind == "lesson")) for c in m.current_version.contents]
        feedback = [t for q in db.session.scalars(select(Question).join(
            Module, Module.current_version_id == Question.version_id)
            .where(Module.kind == "final")) for t in (q.feedback_en, q.feedback_ru) if t]
        lesson_attempts = [f"/attempts/{a.id}/" for a in db.session.scalars(
            select(QuizAttempt).join(Module).where(Module.kind == "lesson"))]
    scanned = [text for _q, correct, _o in pool for o in correct for text in (o.text_en, o.text_ru)
               if not any(text in source for source in lesson_sources)]
    assert len(scanned) >= 4 and len(feedback) == 8  # the scan cannot pass for want of texts

    open_quiz = start_quiz(client, FIRST)  # a module quiz taken again: an open quiz page
    pages = [review_url, FINAL, SAMPLE, "/courses/", "/dashboard", "/dashboard/history",
             "/glossary", *[SAMPLE + slug for slug in LESSONS], *lesson_attempts, open_quiz]
    for lang in ("en", "ru"):
        set_language(client, lang)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            html = page_text(response)
            assert leaks(html, pool, lesson_sources) == [], (lang, url)
            assert [text for text in feedback if text in html] == [], (lang, url)
        review = page_text(client.get(review_url))
        assert re.search(r"✓ (correct|верно)", review) and re.search(r"✗ (wrong|неверно)", review)
        assert "<fieldset" not in review and "review-options" not in review
    set_language(client, "en")
    review = page_text(client.get(review_url))
    assert "Your score: 33%" in review and "2 of 3 attempts left" in review
    assert "not the correct answers" in review

    # The positive control: once the final is passed the same scan finds the key in the review.
    move_back(app, 24)
    passed = pass_quiz(app, client, FINAL).location
    assert leaks(page_text(client.get(review_url)), pool, lesson_sources)
    assert "correct option" in page_text(client.get(passed))


def test_module_quiz_review_level_comes_from_course_yml(app, client, course_library, learner):
    from tests.test_quiz import fail_quiz, import_with
    import_with(app, course_library, "quiz_review: score\n")
    enrol(client)
    url = start_quiz(client)
    fail_quiz(app, client, url)
    review = page_text(client.get(url))
    assert "Your score: 0%" in review and "shows your score only" in review
    assert "Question 1" not in review and "Explanation" not in review


# --- answers saved as given ------------------------------------------------------------------

def test_answers_are_saved_and_come_back_after_a_new_sign_in(app, client, course, learner, auth):
    enrol(client)
    complete_lessons(app, client)
    url = start_quiz(client, FINAL)
    correct = key(app, attempt_id(url))
    first, second, _third = correct
    token = csrf_token(page_text(client.get(url)))
    data = {"csrf_token": token, f"q{first}": [str(i) for i in correct[first]],
            f"q{second}": str(wrong_option(app, second))}
    response = client.post(f"/attempts/{attempt_id(url)}/answers", data=data)
    assert response.status_code == 302 and response.location == url
    assert "Your answers are saved." in page_text(client.get(url))

    # The script's request: JSON back, the same record.
    data[f"q{second}"] = str(sorted(correct[second])[0])
    response = client.post(f"/attempts/{attempt_id(url)}/answers", data=data,
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and "Answers saved at" in response.get_json()["saved"]

    auth.logout()
    auth.login()
    set_language(client, "ru")
    html = page_text(client.get(url))
    checked = {int(v) for v in re.findall(r'value="(\d+)" id="o\d+" checked', html)}
    assert checked == correct[first] | {sorted(correct[second])[0]}
    assert "Сохранить ответы" in html

    # A forged answer saves nothing; a save after the submission changes nothing.
    response = client.post(f"/attempts/{attempt_id(url)}/answers",
                           data={"csrf_token": csrf_token(html), f"q{first}": "999999"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400 and "error" in response.get_json()
    submit(client, url, correct)
    data["csrf_token"] = csrf_token(html)
    response = client.post(f"/attempts/{attempt_id(url)}/answers", data=data,
                           headers={"Accept": "application/json"})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id(url)).score == 100


def test_someone_elses_attempt_cannot_be_saved(app, client, course, learner, make_user, auth):
    enrol(client)
    url = start_quiz(client)
    auth.logout()
    make_user(email="other@example.org")
    auth.login(email="other@example.org")
    token = csrf_token(page_text(client.get("/courses/")))
    response = client.post(f"/attempts/{attempt_id(url)}/answers", data={"csrf_token": token})
    assert response.status_code == 404
    response = client.post(f"/attempts/{attempt_id(url)}/answers", data={})
    assert response.status_code == 400  # no CSRF token


def test_submit_is_post_redirect_get_and_counts_once(app, client, course, learner):
    enrol(client)
    complete_lessons(app, client)
    url = start_quiz(client, FINAL)
    correct = key(app, attempt_id(url))
    token = csrf_token(page_text(client.get(url)))
    data = {"csrf_token": token, **{f"q{q}": [str(o) for o in ids] for q, ids in correct.items()}}
    first, again = client.post(url, data=data), client.post(url, data=data)
    assert first.status_code == again.status_code == 302 and first.location == url
    assert final_count(app) == 1
    assert len(query(app, select(CourseCompletion))) == 1


# --- result card, completion, history, leaving ----------------------------------------------

def test_completion_panel_and_history(app, client, course, learner):
    enrol(client)
    complete_lessons(app, client)
    review = page_text(client.get(pass_quiz(app, client, FINAL).location))
    panel = review[review.index("completion-panel"):review.index("result-card")]
    assert "Course completed" in panel and "What comes next" in panel
    assert 'href="/dashboard/history"' in panel and 'href="/courses/"' in panel
    history = page_text(client.get("/dashboard/history"))
    assert "Sample course on asylum basics" in history and "completed on" in history
    assert "100%" in history and "Leave this course" not in history
    assert 'href="/dashboard/history"' in page_text(client.get("/dashboard"))
    response = post_form(client, "/dashboard/history", SAMPLE + "leave")
    assert response.status_code == 302
    assert len(query(app, select(Enrolment))) == 1


def test_result_card_leads_with_the_next_action(app, client, course, learner):
    enrol(client)
    review = page_text(client.get(pass_quiz(app, client, FIRST).location))
    card = review[review.index("result-card"):review.index("</div>", review.index("result-card"))]
    assert "Your score: 100%" in card and f'href="{SAMPLE}reading-only/">Next module' in card


def test_leaving_a_course_keeps_the_results_and_the_attempts(app, client, course, learner):
    enrol(client)
    complete_lessons(app, client)
    fail_final(app, client)
    history = page_text(client.get("/dashboard/history"))
    assert f'href="{SAMPLE}leave"' in history
    confirm = page_text(client.get(SAMPLE + "leave"))
    assert "does not give back attempts" in confirm
    response = post_form(client, SAMPLE + "leave", SAMPLE + "leave")
    assert response.status_code == 302 and response.location == "/dashboard/history"
    assert query(app, select(Enrolment)) == []
    assert "Sample course" not in page_text(client.get("/dashboard"))
    enrol(client)
    html = page_text(client.get(FINAL))
    assert "2 of 3 attempts left" in html and "next attempt possible from" in html
    response = client.post(SAMPLE + "leave", data={})
    assert response.status_code == 400  # CSRF
    assert client.get("/courses/no-such-course/leave").status_code == 404


# --- PostgreSQL: aware times, JSON drafts, the server-side defaults of the migration -----------

@pytest.mark.postgres
def test_final_rules_on_postgresql(postgres_url):
    from flask_migrate import upgrade

    from academy import create_app
    from academy.auth.services import create_user
    from academy.courses.services import import_library
    from academy.learning import services as learning
    from academy.quizzes import grading
    from academy.quizzes import services as quizzes
    from tests.course_fixtures import SAMPLE_LIBRARY

    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url, "SECRET_KEY": "test-secret"})
    try:
        with app.app_context(), app.test_request_context():
            upgrade()
            import_library(SAMPLE_LIBRARY)
            user = create_user(email="pg@example.org", password="x" * 12, role="learner",
                               confirmed=True)
            db.session.flush()
            course = learning.get_course("sample-course")
            assert (course.final_max_attempts, course.final_requires_modules) == (3, True)
            enrolment, _created = learning.enrol(user.id, course)
            final = next(m for m in learning.course_modules(course) if m.kind == "final")
            learning.record_module_opened(enrolment, final)
            with pytest.raises(quizzes.QuizError, match="every module"):
                quizzes.start_attempt(user.id, final, course, "en")
            for module in learning.course_modules(course):
                if module.kind == "lesson":
                    learning.record_module_opened(enrolment, module).completed_at = \
                        learning.utcnow()
            attempt = quizzes.start_attempt(user.id, final, course, "en")
            first = attempt.layout[0]
            assert quizzes.save_draft(attempt, {first["question_id"]: {first["option_ids"][0]}})
            db.session.commit()
            assert quizzes.draft_selections(attempt) == {
                first["question_id"]: {first["option_ids"][0]}}
            grading.submit_attempt(attempt, quizzes.draft_selections(attempt))
            db.session.commit()
            summary = quizzes.quiz_summary(user.id, final, course)
            assert summary.remaining == 2 and summary.waiting and not summary.can_start
            assert summary.next_start_at - quizzes.as_utc(attempt.submitted_at) == timedelta(
                hours=24)
            with pytest.raises(quizzes.QuizError, match="next attempt"):
                quizzes.start_attempt(user.id, final, course, "en")
            attempt.submitted_at -= timedelta(hours=24)
            db.session.commit()
            assert quizzes.start_attempt(user.id, final, course, "en").id != attempt.id
            db.session.commit()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
