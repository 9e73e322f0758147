"""Issue 7's "done means" for the final, in Chromium: a learner on a phone answers half the final,
switches language, loses the connection, signs in on the desktop and finds the answers there;
fails, cannot start again before the wait is over, passes, and sees the completion panel."""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from academy.courses.models import Module, Option
from academy.extensions import db
from academy.learning import services as learning
from academy.quizzes.models import QuizAttempt
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-assess")
FINAL = "/courses/sample-course/final/"
ATTEMPT = re.compile(r".*/attempts/\d+/$")  # the quiz form, then its review


def complete_lessons(app, email):
    """Enrol the learner and complete every lesson module (the browser part is the final)."""
    from academy.auth.models import User

    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        course = learning.get_course("sample-course")
        enrolment, _created = learning.enrol(user.id, course)
        for module in learning.course_modules(course):
            if module.kind == "lesson":
                progress = learning.record_module_opened(enrolment, module)
                progress.completed_at = learning.utcnow()
        db.session.commit()


def sign_in(page, url, email):
    page.goto(url + "/auth/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(dashboard|courses/).*"))


def shown_options(app, page):
    """[(question fieldset index, option id, correct)] on the quiz page, key read from the DB."""
    values = page.locator("fieldset").evaluate_all(
        "sets => sets.map(s => [...s.querySelectorAll('input')].map(i => i.value))")
    with app.app_context():
        correct = set(db.session.scalars(select(Option.id).where(Option.is_correct)))
    return [[(int(v), int(v) in correct) for v in fieldset] for fieldset in values]


def checked(page):
    return {int(v) for v in page.locator("input:checked").evaluate_all(
        "els => els.map(e => e.value)")}


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_final_answers_survive_and_the_wait_holds(imported_app, make_user, live_server, browser):
    app = imported_app
    user = make_user(email="olena@example.org")
    complete_lessons(app, user.email)
    with live_server(app) as server:
        phone = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
        page = phone.new_page()
        sign_in(page, server.url, user.email)
        page.goto(server.url + FINAL)
        assert "3 of 3 attempts left" in page.locator(".quiz-panel").inner_text()
        shot(page, "final-before-360-en")
        page.get_by_role("button", name="Start the final assessment").click()
        page.wait_for_url(ATTEMPT)
        questions = shown_options(app, page)
        assert len(questions) == 3

        # Half the final: two questions answered; the script saves each change.
        wrong = [next(oid for oid, right in q if not right) for q in questions]
        for option_id in wrong[:2]:
            page.locator(f"#o{option_id}").check()
            page.wait_for_function(
                "() => /saved at/.test(document.getElementById('save-status').textContent)")
        with app.app_context():
            draft = db.session.scalar(select(QuizAttempt.draft))
        assert sorted(v for ids in draft.values() for v in ids) == sorted(wrong[:2])

        # The connection drops: the page says so, and the answer is saved once it is back.
        phone.set_offline(True)
        page.locator(f"#o{wrong[2]}").check()
        page.wait_for_function(
            "() => /Not saved/.test(document.getElementById('save-status').textContent)")
        phone.set_offline(False)
        page.get_by_role("button", name="Save answers").click()
        # The answers come back on the same URL: wait for the message, then the whole page.
        expect(page.locator("main")).to_contain_text("Your answers are saved.")
        page.wait_for_load_state()
        assert checked(page) == set(wrong)

        page.get_by_role("button", name="Русский").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        page.wait_for_load_state()
        assert checked(page) == set(wrong)
        shot(page, "final-attempt-360-ru")
        phone.close()

        # A new sign-in on the desktop brings the attempt back with its answers.
        desktop = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = desktop.new_page()
        sign_in(page, server.url, user.email)
        page.goto(server.url + FINAL)
        page.get_by_role("link", name="Продолжить тест").click()
        page.wait_for_url(ATTEMPT)
        assert checked(page) == set(wrong)
        shot(page, "final-attempt-1280-ru")
        page.get_by_role("button", name="Отправить ответы").click()
        # The review has the quiz's URL, so wait_for_url() alone could pass on the quiz.
        page.locator(".result-score").wait_for()
        page.wait_for_url(ATTEMPT)
        review = page.locator("main")
        assert page.locator(".result-card").count() == 1
        assert page.locator(".review-options, fieldset, blockquote").count() == 0
        assert "следующая попытка возможна с" in review.inner_text()
        shot(page, "final-review-failed-1280-ru")

        # The wait holds on the server, also for a forged "start" request.
        page.goto(server.url + FINAL)
        assert page.get_by_role("button", name=re.compile("Пройти ещё раз|Начать")).count() == 0
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        forged = page.request.post(server.url + FINAL + "attempts", form={"csrf_token": token})
        assert forged.ok and "Следующая попытка возможна с" in forged.text()
        with app.app_context():
            assert len(db.session.scalars(select(QuizAttempt).join(Module)
                                          .where(Module.kind == "final")).all()) == 1
            # Move the clock: the attempt was submitted a day and a minute ago.
            attempt = db.session.scalar(select(QuizAttempt).join(Module)
                                        .where(Module.kind == "final"))
            attempt.submitted_at -= timedelta(hours=24, minutes=1)
            db.session.commit()

        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")  # goto() would cancel it
        page.goto(server.url + FINAL)
        assert "2 of 3 attempts left" in page.locator(".quiz-panel").inner_text()
        page.get_by_role("button", name="Try again").click()
        page.wait_for_url(ATTEMPT)
        for question in shown_options(app, page):
            for option_id, right in question:
                if right:
                    page.locator(f"#o{option_id}").check()
        page.get_by_role("button", name="Submit answers").click()
        page.locator(".result-score").wait_for()
        page.wait_for_url(ATTEMPT)
        panel = page.locator(".completion-panel")
        assert "Course completed" in panel.inner_text() and "What comes next" in panel.inner_text()
        assert "Passed" in page.locator(".result-card").inner_text()
        shot(page, "final-passed-1280-en")
        page.goto(server.url + "/dashboard/history")
        assert "completed on" in page.locator("main").inner_text()
        shot(page, "history-1280-en")
        page.set_viewport_size({"width": 360, "height": 740})
        page.get_by_role("button", name="Русский").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "history-360-ru")
        page.goto(server.url + FINAL)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "final-passed-360-ru")
        desktop.close()
