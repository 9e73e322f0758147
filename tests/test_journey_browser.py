"""The Foundation's "done means", in a real browser: a new official registers, confirms the
address from the mail, enrols, reads in English and Russian, fails then passes a quiz, sees the
review and the progress bar move, and completes the course."""
import re

import pytest
from playwright.sync_api import expect

from academy.courses.models import Option
from academy.extensions import db

pytestmark = pytest.mark.browser

EMAIL = "nino.beridze@example.ge"
PASSWORD = "Tbilisi border post 7"


def _confirmation_link(outbox):
    [mail] = list(outbox.glob("*.eml"))
    text = mail.read_bytes().decode("utf-8", "replace").replace("=\n", "")
    return re.search(r"https?://\S+/auth/confirm/[\w.-]+", text).group(0)


def _correct_options(app, page):
    """Option ids on the quiz page that are correct, read from the database (the page never says)."""
    shown = [int(v) for v in page.locator("main input[name^=q]").evaluate_all("els => els.map(e => e.value)")]
    with app.app_context():
        rows = db.session.scalars(db.select(Option).where(Option.id.in_(shown))).all()
        return {o.id for o in rows if o.is_correct}, {o.id for o in rows}


def _answer(page, app, correctly):
    submit = page.get_by_role("button", name=re.compile("Submit answers|Отправить"))
    submit.wait_for()  # the quiz has loaded: the button comes after every question
    correct, shown = _correct_options(app, page)
    if correctly:
        chosen = correct
    else:
        # One wrong option per question: the first option of each fieldset that is not correct.
        chosen = set()
        for fieldset in page.locator("fieldset").all():
            values = [int(v) for v in fieldset.locator("input").evaluate_all("els => els.map(e => e.value)")]
            chosen.add(next(v for v in values if v not in correct))
    for option_id in chosen:
        page.locator(f"#o{option_id}").check()
    submit.click()
    # The click returns before the result has loaded, and the result has the attempt's URL.
    page.locator(".result-score").wait_for()
    page.wait_for_load_state()  # and the review below it


def _progress(page):
    return float(page.locator("progress").first.get_attribute("value") or 0)


def test_a_new_official_completes_a_course(imported_app, live_server, page, tmp_path):
    app = imported_app
    outbox = tmp_path / "mail"
    app.config["ACADEMY_MAIL_OUTBOX"] = str(outbox)
    with live_server(app) as server:
        app.config["ACADEMY_BASE_URL"] = server.url
        page.goto(server.url + "/auth/register")
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Full name in Latin script").fill("Nino Beridze")
        page.get_by_label("Country").select_option("GE")
        page.get_by_label("Organisation").fill("Border Police of Georgia")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat the password").fill(PASSWORD)
        page.get_by_role("button", name="Create the account").click()
        page.wait_for_url("**/auth/login")  # the click returns before the next page has loaded
        assert "confirm" in page.content().lower()

        page.goto(_confirmation_link(outbox))
        page.goto(server.url + "/auth/login")
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/dashboard")  # before goto() could cancel the sign-in

        page.goto(server.url + "/courses/")
        page.get_by_role("link", name="Sample course on asylum basics").click()
        page.get_by_role("button", name="Enrol in this course").click()
        assert _progress(page) == 0

        page.get_by_role("link", name=re.compile("First steps")).first.click()
        page.wait_for_url("**/sample-course/first-steps/")
        assert page.locator("html").get_attribute("lang") == "en"
        english_heading = page.locator("main h1").inner_text()
        page.get_by_role("button", name="Русский").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        expect(page.locator("main h1")).not_to_have_text(english_heading, use_inner_text=True)

        page.get_by_role("button", name=re.compile("Начать тест|Пройти тест")).click()
        _answer(page, app, correctly=False)
        assert "Неверно" in page.content() or "неверно" in page.content()
        page.get_by_role("button", name="English").click()
        page.get_by_role("link", name="Back to the module").click()
        page.wait_for_url("**/sample-course/first-steps/")  # the result has a "Try again" too
        page.get_by_role("button", name="Try again").click()
        _answer(page, app, correctly=True)
        review = page.locator("main").inner_text()
        assert "100%" in review and "Passed" in review and "correct option" in review

        page.goto(server.url + "/courses/sample-course/")
        after_first = _progress(page)
        assert after_first > 0

        page.goto(server.url + "/courses/sample-course/reading-only/")
        page.get_by_role("button", name="Mark as done").click()
        expect(page.locator(".flash-success")).to_contain_text("Module completed.")
        page.goto(server.url + "/courses/sample-course/english-only/")
        page.get_by_role("button", name=re.compile("Start the quiz|Try again")).click()
        _answer(page, app, correctly=True)
        page.goto(server.url + "/courses/sample-course/")
        assert _progress(page) > after_first

        page.goto(server.url + "/courses/sample-course/final/")
        page.get_by_role("button", name=re.compile("Start|Try again")).click()
        expect(page.locator("fieldset")).to_have_count(3)
        _answer(page, app, correctly=True)

        page.goto(server.url + "/dashboard")
        dashboard = page.content()
        assert "Sample course on asylum basics" in dashboard
        assert re.search(r"[Cc]ompleted", dashboard)
    with app.app_context():
        from academy.auth.models import User
        from academy.learning.models import CourseCompletion

        user = db.session.scalar(db.select(User).filter_by(email=EMAIL))
        assert db.session.scalar(db.select(CourseCompletion).filter_by(user_id=user.id)) is not None
