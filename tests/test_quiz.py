"""Quizzes: starting, the hidden key, grading once, review, limits, final draw, versions."""
import re

import pytest
from sqlalchemy import func, select

from academy.courses.models import Module, Option, Question
from academy.courses.services import import_library
from academy.extensions import db
from academy.learning.models import CourseCompletion, ModuleProgress
from academy.quizzes.models import AttemptAnswer, QuizAttempt
from tests.conftest import PASSWORD, csrf_token
from tests.test_learning import enrol, page_text, post_form, query

SAMPLE = "/courses/sample-course/"
FIRST = SAMPLE + "first-steps/"
FINAL = SAMPLE + "final/"


@pytest.fixture
def course(imported_app):
    return "sample-course"


def import_with(app, library, course_settings):
    """Import the sample library with extra lines appended to its course.yml."""
    course_yml = library / "sample-course" / "course.yml"
    course_yml.write_text(course_yml.read_text(encoding="utf-8") + course_settings,
                          encoding="utf-8")
    with app.app_context():
        import_library(library)


@pytest.fixture
def learner(make_user, auth):
    user = make_user()
    auth.login()
    return user


def start_quiz(client, module_url=FIRST):
    """Open the module, press "Start the quiz"; returns the attempt page URL."""
    response = post_form(client, module_url, module_url + "attempts")
    assert response.status_code == 302, page_text(response)
    return response.location


def attempt_id(url):
    return int(re.search(r"/attempts/(\d+)/", url).group(1))


def key(app, attempt):
    """{question_id: set of correct option ids} for the attempt's questions."""
    with app.app_context():
        layout = db.session.get(QuizAttempt, attempt).layout
        ids = [item["question_id"] for item in layout]
        rows = db.session.execute(select(Option.question_id, Option.id)
                                  .where(Option.question_id.in_(ids), Option.is_correct)).all()
    answer = {qid: set() for qid in ids}
    for qid, oid in rows:
        answer[qid].add(oid)
    return answer


def wrong_option(app, question_id):
    with app.app_context():
        return db.session.scalar(select(Option.id).where(Option.question_id == question_id,
                                                         Option.is_correct.is_(False)))


def submit(client, url, answers):
    """Submit the quiz form at `url` with {question_id: option id or ids}."""
    data = {"csrf_token": csrf_token(page_text(client.get(url)))}
    for qid, value in answers.items():
        data[f"q{qid}"] = [str(v) for v in value] if isinstance(value, (set, list)) else str(value)
    return client.post(url, data=data)


def fail_quiz(app, client, url):
    """Submit one wrong answer and leave the other questions unanswered."""
    question_id = next(iter(key(app, attempt_id(url))))
    return submit(client, url, {question_id: wrong_option(app, question_id)})


def pass_quiz(app, client, module_url):
    url = start_quiz(client, module_url)
    correct = key(app, attempt_id(url))
    return submit(client, url, correct)


# --- the whole path ----------------------------------------------------------------------------

def test_learner_path_from_enrolment_to_course_completion(app, client, course, learner):
    enrol(client)
    module_page = page_text(client.get(FIRST))
    assert "Start the quiz" in module_page and "In progress" in module_page
    assert "Pass the quiz to complete this module." in module_page

    url = start_quiz(client)
    correct = key(app, attempt_id(url))
    first, *rest = correct
    answers = {first: correct[first]}
    answers.update({qid: wrong_option(app, qid) for qid in rest})
    response = submit(client, url, answers)
    assert response.status_code == 302 and response.location == url
    review = page_text(client.get(url))
    assert "Your score: 33%" in review and "Not passed" in review and "pass mark 70%" in review
    assert "Article 33(1) prohibits returning a refugee" in review  # feedback
    assert "correct option" in review and "your answer" in review
    assert "✗ wrong" in review and "✓ correct" in review
    assert '<progress id="course-progress" max="3" value="0">' in page_text(client.get(SAMPLE))

    module_page = page_text(client.get(FIRST))
    assert "Try again" in module_page and "33%" in module_page and "not passed" in module_page
    response = pass_quiz(app, client, FIRST)
    review = page_text(client.get(response.location))
    assert "Your score: 100%" in review and "Passed" in review
    assert "Your best score so far: 100%" in review
    assert 'href="/courses/sample-course/reading-only/">Next module' in review
    course_page = page_text(client.get(SAMPLE))
    assert '<progress id="course-progress" max="3" value="1">' in course_page
    assert "best score 100%" in course_page
    assert "Pass the quiz to complete this module." not in page_text(client.get(FIRST))

    post_form(client, SAMPLE + "reading-only/", SAMPLE + "reading-only/done")
    pass_quiz(app, client, SAMPLE + "english-only/")
    course_page = page_text(client.get(SAMPLE))
    assert '<progress id="course-progress" max="3" value="3">' in course_page
    assert "You completed this course" not in course_page  # the final is still to pass
    assert query(app, select(CourseCompletion)) == []

    response = pass_quiz(app, client, FINAL)
    assert "Congratulations! You have completed the course." in page_text(
        client.get(response.location))
    completions = query(app, select(CourseCompletion))
    assert len(completions) == 1 and completions[0].content_version == 1
    assert "You completed this course" in page_text(client.get(SAMPLE))
    assert "Completed courses" in page_text(client.get("/dashboard"))


def test_best_score_is_kept_when_a_later_attempt_is_worse(app, client, course, learner):
    enrol(client)
    pass_quiz(app, client, FIRST)
    url = start_quiz(client)
    fail_quiz(app, client, url)
    review = page_text(client.get(url))
    assert "Your score: 0%" in review and "Your best score so far: 100%" in review
    assert review.count("You did not answer this question.") == 2
    with app.app_context():
        progress = db.session.scalar(select(ModuleProgress).join(Module).where(
            Module.slug == "first-steps"))
        assert progress.best_score == 100 and progress.completed_at is not None


def test_review_is_in_the_readers_language(app, client, course, learner):
    enrol(client)
    set_language = post_form(client, "/courses/", "/language", {"lang": "ru", "next": "/"})
    assert set_language.status_code == 302
    url = start_quiz(client)
    quiz = page_text(client.get(url))
    assert "Вопрос 1 из 3" in quiz and "Отправить ответы" in quiz
    fail_quiz(app, client, url)
    review = page_text(client.get(url))
    assert "Ваш результат: 0\xa0%" in review and "Не сдан" in review
    assert "Вы не ответили на этот вопрос." in review and "правильный вариант" in review


# --- the quiz page never reveals the key -------------------------------------------------------

def test_quiz_page_never_contains_the_key_or_the_feedback(app, client, course, learner):
    enrol(client)
    url = start_quiz(client)
    html = page_text(client.get(url))
    with app.app_context():
        questions = db.session.scalars(select(Question).where(
            Question.id.in_(key(app, attempt_id(url))))).all()
        feedback = [text for q in questions for text in (q.feedback_en, q.feedback_ru)]
        kinds = [(q.id, q.kind, len(q.options)) for q in questions]
    assert len(feedback) == 6 and all(feedback)
    for text in feedback:
        assert text not in html
    for marker in ("is_correct", 'class="correct"', "correct option", "✓", "Explanation"):
        assert marker not in html
    # The only data attributes are the save script's (its URL and status texts), on the form.
    assert set(re.findall(r"\bdata-[\w-]+", html)) == {"data-autosave", "data-saving",
                                                       "data-failed"}
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    for qid, kind, count in kinds:
        control = "checkbox" if kind == "multiple" else "radio"
        assert html.count(f'<input type="{control}" name="q{qid}"') == count
    assert {kind for _qid, kind, _count in kinds} == {"single", "multiple", "truefalse"}
    assert "Select all that apply." in html


def test_multiple_response_counts_only_with_exactly_the_right_set(app, client, course, learner):
    enrol(client)
    with app.app_context():
        question = db.session.scalar(select(Question).join(
            Module, Module.current_version_id == Question.version_id).where(
            Module.slug == "first-steps", Question.kind == "multiple"))
        qid = question.id
        right = sorted(o.id for o in question.options if o.is_correct)
        wrong = [o.id for o in question.options if not o.is_correct]
    assert len(right) == 2
    for chosen in (right[:1], right + wrong, right):
        submit(client, start_quiz(client), {qid: chosen})
    with app.app_context():
        answers = db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.question_id == qid)
                                     .order_by(AttemptAnswer.id)).all()
    assert [a.correct for a in answers] == [False, False, True]
    assert answers[0].selected_option_ids == right[:1]


# --- bad input and access ----------------------------------------------------------------------

@pytest.mark.parametrize("forge, message", [
    ("other-question", "The answer to question 1 is not one of its options."),
    ("not-a-number", "The answer to question 1 is not one of its options."),
    ("unknown-question", "The form contains an answer to a question that is not part of this"),
    ("two-answers", "Question 1 takes only one answer."),
])
def test_forged_answers_are_refused_and_nothing_is_written(app, client, course, learner, forge,
                                                           message):
    enrol(client)
    url = start_quiz(client)
    correct = key(app, attempt_id(url))
    first, second, _third = correct
    data = {"csrf_token": csrf_token(page_text(client.get(url)))}
    if forge == "other-question":
        data[f"q{first}"] = str(next(iter(correct[second])))
    elif forge == "not-a-number":
        data[f"q{first}"] = "1 OR 1=1"
    elif forge == "unknown-question":
        data["q999999"] = "1"
    else:
        data[f"q{first}"] = [str(next(iter(correct[first]))), str(wrong_option(app, first))]
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert "Traceback" not in page_text(response)
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id(url))
        assert attempt.submitted_at is None and attempt.score is None
        assert db.session.scalar(select(func.count(AttemptAnswer.id))) == 0
        assert db.session.scalar(select(ModuleProgress.best_score)) is None


def test_submission_without_csrf_token_is_refused(app, client, course, learner):
    enrol(client)
    url = start_quiz(client)
    assert client.post(url, data={}).status_code == 400
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id(url)).submitted_at is None


def test_another_learner_cannot_see_or_submit_an_attempt(app, client, course, learner, make_user,
                                                         auth):
    enrol(client)
    url = start_quiz(client)
    make_user("other@example.org")
    auth.logout()
    auth.login("other@example.org", PASSWORD)
    assert client.get(url).status_code == 404
    token = csrf_token(page_text(client.get("/courses/")))
    assert client.post(url, data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id(url)).submitted_at is None
    assert client.get("/attempts/999999/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, course, learner, auth):
    enrol(client)
    url = start_quiz(client)
    auth.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.location.startswith("/auth/login")
    token = csrf_token(page_text(client.get("/courses/")))
    response = client.post(FIRST + "attempts", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.startswith("/auth/login")


def test_quiz_cannot_be_started_without_enrolment(app, client, course, learner):
    token = csrf_token(page_text(client.get(SAMPLE)))
    response = client.post(FIRST + "attempts", data={"csrf_token": token}, follow_redirects=True)
    assert "Enrol in the course to study its modules." in page_text(response)
    assert query(app, select(QuizAttempt)) == []


def test_quiz_cannot_be_started_before_the_module_is_opened(app, client, course, learner):
    enrol(client)
    token = csrf_token(page_text(client.get(SAMPLE)))
    response = client.post(FIRST + "attempts", data={"csrf_token": token}, follow_redirects=True)
    assert "Read the module before you start its quiz." in page_text(response)
    assert query(app, select(QuizAttempt)) == []


def test_a_reading_only_module_has_no_quiz(app, client, course, learner):
    enrol(client)
    response = post_form(client, SAMPLE + "reading-only/", SAMPLE + "reading-only/attempts")
    assert "This module has no quiz." in page_text(client.get(response.location))
    assert query(app, select(QuizAttempt)) == []


# --- attempts: resume, limit, double submission ------------------------------------------------

def test_an_open_attempt_is_resumed_not_duplicated(app, client, course, learner):
    enrol(client)
    assert start_quiz(client) == start_quiz(client)
    assert "Continue the quiz" in page_text(client.get(FIRST))
    assert len(query(app, select(QuizAttempt))) == 1


def test_a_quiz_sent_with_nothing_ticked_is_not_graded(app, client, course, learner):
    enrol(client)
    url = start_quiz(client)
    response = submit(client, url, {})
    assert response.status_code == 302 and response.location == url  # post/redirect/get
    html = page_text(client.get(url))
    assert "You have not answered any question yet, so nothing was recorded." in html
    assert "flash-error" in html and "Submit answers" in html
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id(url))
        assert attempt.submitted_at is None and attempt.score is None
        assert db.session.scalar(select(func.count(AttemptAnswer.id))) == 0
    post_form(client, "/courses/", "/language", {"lang": "ru", "next": "/"})
    submit(client, url, {})
    assert "Вы ещё не ответили ни на один вопрос" in page_text(client.get(url))


def test_a_failed_review_offers_another_try_and_a_passed_one_does_not(app, client, course,
                                                                      learner):
    enrol(client)
    url = start_quiz(client)
    fail_quiz(app, client, url)
    review = page_text(client.get(url))
    assert "Read the explanations below, then try again." in review
    assert f'action="{FIRST}attempts"' in review and ">Try again</button>" in review
    retry = client.post(FIRST + "attempts", data={"csrf_token": csrf_token(review)})
    assert retry.status_code == 302 and attempt_id(retry.location) != attempt_id(url)
    correct = key(app, attempt_id(retry.location))
    submit(client, retry.location, correct)
    review = page_text(client.get(retry.location))
    assert "Try again" not in review and "Read the explanations below" not in review
    assert 'class="btn" href="/courses/sample-course/reading-only/">Next module' in review


def test_attempts_are_unlimited_unless_the_course_limits_them(app, client, course, learner):
    enrol(client)
    for _ in range(4):
        fail_quiz(app, client, start_quiz(client))
    assert "Try again" in page_text(client.get(FIRST))


def test_attempt_limit_is_enforced_on_the_server(app, client, course_library, learner):
    import_with(app, course_library, "max_attempts: 2\n")
    enrol(client)
    fail_quiz(app, client, start_quiz(client))
    assert "1 of 2 attempts left" in page_text(client.get(FIRST))
    fail_quiz(app, client, start_quiz(client))
    html = page_text(client.get(FIRST))
    assert "You have used all 2 attempts at this quiz." in html
    assert "Start the quiz" not in html and "Try again" not in html
    response = client.post(FIRST + "attempts", data={"csrf_token": csrf_token(html)},
                           follow_redirects=True)
    assert "You have used all 2 attempts at this quiz." in page_text(response)
    assert len(query(app, select(QuizAttempt))) == 2


def test_submitting_the_same_attempt_twice_records_one_result(app, client, course, learner):
    enrol(client)
    url = start_quiz(client)
    correct = key(app, attempt_id(url))
    token = csrf_token(page_text(client.get(url)))
    data = {"csrf_token": token, **{f"q{q}": [str(o) for o in ids] for q, ids in correct.items()}}
    first = client.post(url, data=data)
    replay = client.post(url, data={"csrf_token": token})
    assert first.status_code == replay.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(AttemptAnswer.id))) == 3
        assert db.session.get(QuizAttempt, attempt_id(url)).score == 100


# --- options, final draw, versions -------------------------------------------------------------

def option_orders(app, url):
    with app.app_context():
        return [item["option_ids"] for item in db.session.get(QuizAttempt, attempt_id(url)).layout]


def test_options_are_shuffled_per_attempt(app, client, course, learner):
    enrol(client)
    orders = []
    for _ in range(6):
        url = start_quiz(client)
        orders.extend(option_orders(app, url))
        fail_quiz(app, client, url)
    # 18 option lists, each kept in authored order with probability 1/6 or 1/2.
    assert any(ids != sorted(ids) for ids in orders)


def test_options_keep_their_order_when_the_course_says_so(app, client, course_library, learner):
    import_with(app, course_library, "shuffle_options: false\n")
    enrol(client)
    url = start_quiz(client)
    with app.app_context():
        for ids in option_orders(app, url):
            positions = [db.session.get(Option, i).position for i in ids]
            assert positions == sorted(positions)


def final_settings(app, library, settings):
    """Import the sample library with its final_assessment block replaced by `settings`."""
    course_yml = library / "sample-course" / "course.yml"
    text = course_yml.read_text(encoding="utf-8")
    assert "final_assessment:\n  draw: 3\n" in text
    course_yml.write_text(text.replace("final_assessment:\n  draw: 3\n",
                                       "final_assessment:\n" + settings), encoding="utf-8")
    with app.app_context():
        import_library(library)


def test_final_assessment_draws_questions_at_random_from_its_pool(app, client, course_library,
                                                                  learner):
    final_settings(app, course_library, "  draw: 3\n  max_attempts: 12\n  wait_hours: 0\n"
                                        "  requires_all_modules: false\n")
    enrol(client)
    with app.app_context():
        pool = set(db.session.scalars(
            select(Question.id)
            .join(Module, Module.current_version_id == Question.version_id)
            .where(Module.slug == "final")))
    assert len(pool) == 4
    draws = set()
    for _ in range(12):
        url = start_quiz(client, FINAL)
        assert page_text(client.get(url)).count("<fieldset") == 3
        drawn = list(key(app, attempt_id(url)))
        assert len(set(drawn)) == 3 and set(drawn) <= pool
        draws.add(frozenset(drawn))
        fail_quiz(app, client, url)
    # 4 possible draws; twelve identical ones in a row would have probability 4^-11.
    assert len(draws) > 1


def test_attempts_keep_their_version_after_a_reimport(app, client, course_library, learner):
    with app.app_context():
        import_library(course_library)
    enrol(client)
    submitted = start_quiz(client)
    fail_quiz(app, client, submitted)
    open_attempt = start_quiz(client)
    en_md = course_library / "sample-course" / "01-first-steps" / "en.md"
    en_md.write_text(en_md.read_text(encoding="utf-8").replace(
        "Which article of the 1951 Convention sets out",
        "Which provision of the 1951 Convention sets out"), encoding="utf-8")
    with app.app_context():
        summary = import_library(course_library)
        assert summary.versions_created == 1
    # Both the submitted and the open attempt stay on version 1.
    assert "Which article of the 1951 Convention" in page_text(client.get(submitted))
    assert "Which article of the 1951 Convention" in page_text(client.get(open_attempt))
    fail_quiz(app, client, open_attempt)
    newer = start_quiz(client)
    assert "Which provision of the 1951 Convention" in page_text(client.get(newer))
    with app.app_context():
        versions = {attempt.id: attempt.version.number for attempt in db.session.scalars(
            select(QuizAttempt))}
    assert versions == {attempt_id(submitted): 1, attempt_id(open_attempt): 1,
                        attempt_id(newer): 2}


def test_save_and_continue_in_the_other_language_keeps_the_answers(app, client, course, learner):
    """Without JavaScript the header's language switch would drop unticked-but-unsaved answers:
    the quiz's own "Save and continue in Russian" saves them, then switches."""
    enrol(client)
    url = start_quiz(client)
    page = page_text(client.get(url))
    assert 'lang="ru"' in page and "Сохранить и продолжить на русском" in page
    qid = next(iter(key(app, attempt_id(url))))
    chosen = wrong_option(app, qid)
    switched = client.post(f"/attempts/{attempt_id(url)}/answers?lang=ru",
                           data={"csrf_token": csrf_token(page), f"q{qid}": str(chosen)})
    assert switched.status_code == 302 and switched.location == url
    russian = page_text(client.get(url))
    assert '<html lang="ru">' in russian and "Save and continue in English" in russian
    assert f'value="{chosen}" id="o{chosen}" checked' in russian
    assert "Ваши ответы сохранены" in russian
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id(url)).submitted_at is None
    # Any other value of lang saves and stays in the same language.
    kept = client.post(f"/attempts/{attempt_id(url)}/answers?lang=de",
                       data={"csrf_token": csrf_token(russian), f"q{qid}": str(chosen)})
    assert kept.status_code == 302 and '<html lang="ru">' in page_text(client.get(url))
