"""The authoring journey in Chromium, in English and in Russian: an author edits the English,
previews it, sees the Russian flagged out of date, updates the Russian and submits; the reviewer
sees the diff, returns it with a comment, then publishes; a learner who had passed the module
keeps the result; the export holds the new text; axe finds nothing on any authoring page."""
import os

import pytest
from playwright.sync_api import expect

from academy.extensions import db
from tests.authoring_fixtures import COURSE, EMAILS, MODULE, learner_passes_module
from tests.conftest import PASSWORD
from tests.test_accessibility import axe_violations, horizontal_overflow, report

pytestmark = pytest.mark.browser
LOCALES = {"en": "en-GB", "ru": "ru-RU"}
SHOTS = os.environ.get("AUTHORING_SHOTS")  # a folder: also save screenshots there


def _signed_in(browser, server, who, lang):
    context = browser.new_context(locale=LOCALES[lang])
    page = context.new_page()
    page.goto(server.url + "/auth/login")
    page.locator("#email").fill(EMAILS[who])
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dashboard")
    return page


def _axe(page, name, lang):
    assert page.locator("html").get_attribute("lang") == lang
    violations = axe_violations(page)
    assert not violations, f"{name} ({lang}) {page.url}:\n{report(violations)}"
    assert horizontal_overflow(page) <= 0, f"{name} ({lang}) does not reflow at 320 px"
    if SHOTS:
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/{name}-{lang}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 720})




def _append(page, selector, text):
    area = page.locator(selector)
    area.fill(area.input_value() + text)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_authoring_journey(authoring_app, live_server, browser, runner, tmp_path, lang):
    from academy.auth.models import User

    with authoring_app.app_context():
        db.session.execute(db.update(User).values(locale=lang))  # the saved choice wins
        db.session.commit()
    first_version = learner_passes_module(authoring_app)
    new_en, new_ru = f"\nA paragraph written in the browser ({lang}).\n", "\nАбзац из браузера.\n"
    with live_server(authoring_app) as server:
        author = _signed_in(browser, server, "author", lang)
        author.goto(server.url + "/author/")
        _axe(author, "home", lang)
        author.locator(f"a[href='/author/{COURSE}/{MODULE}/']").click()
        author.wait_for_url(f"**/author/{COURSE}/{MODULE}/")  # loaded: _append reads the text
        _append(author, "#text_en", new_en)
        author.locator("button[value=preview]").click()
        expect(author.locator("#preview-en")).to_be_visible()
        # Paragraph-aligned: the new English paragraph has an empty Russian cell beside it.
        added = author.locator("table.aligned-preview tr",
                               has=author.locator("td[lang=en]",
                                                  has_text="A paragraph written in the browser"))
        expect(added.locator("td[lang=ru]")).to_be_empty()
        # The Russian now lags behind the English: flagged, with the English diff.
        expect(author.locator("#ru-out-of-date")).to_be_visible()
        expect(author.locator(".notice ins").first).to_contain_text("A paragraph written in the browser")
        _axe(author, "editor-preview", lang)
        _append(author, "#text_ru", new_ru)
        # The preview follows the typing (authoring.js): the Russian fills the empty cell.
        expect(added.locator("td[lang=ru]")).to_contain_text("Абзац из браузера")
        author.locator("button[value=translated]").click()
        expect(author.locator(".flash-success")).to_be_visible()
        expect(author.locator("#ru-out-of-date")).to_have_count(0)
        author.locator("button[value=submit]").click()
        # First what only the next page lacks: the page before also shows a .flash-success.
        expect(author.locator("button[value=save]")).to_have_count(0)
        expect(author.locator(".flash-success")).to_be_visible()

        reviewer = _signed_in(browser, server, "reviewer", lang)
        reviewer.goto(f"{server.url}/author/{COURSE}/{MODULE}/review")
        expect(reviewer.locator("table.diff ins").first).to_contain_text(
            "A paragraph written in the browser")
        _axe(reviewer, "review", lang)
        reviewer.locator("#comment").fill("Please add a source for the new paragraph.")
        reviewer.locator("form[action$='/return'] button").click()
        expect(reviewer.locator(".flash-success")).to_be_visible()

        author.goto(f"{server.url}/author/{COURSE}/{MODULE}/")
        expect(author.locator("#review-comment + p")).to_have_text(
            "Please add a source for the new paragraph.")
        _append(author, "#text_en", "Source: Art. 33(1).\n")
        author.locator("button[value=submit]").click()
        expect(author.locator(".flash-success")).to_be_visible()

        reviewer.goto(f"{server.url}/author/{COURSE}/{MODULE}/review")
        reviewer.locator("form[action$='/publish'] button").click()
        reviewer.wait_for_url("**/history")
        expect(reviewer.locator("tbody tr")).to_have_count(2)
        reviewer.goto(f"{server.url}/author/{COURSE}/{MODULE}/history?from=1&to=2&lang=en")
        expect(reviewer.locator("table.diff ins").first).to_be_visible()
        _axe(reviewer, "history", lang)
        reviewer.goto(f"{server.url}/author/{COURSE}/")
        _axe(reviewer, "course-settings", lang)

        learner = _signed_in(browser, server, "learner", lang)
        learner.goto(f"{server.url}/courses/{COURSE}/{MODULE}/")
        expect(learner.locator(".status-done").first).to_be_visible()
        expect(learner.locator(".module-text")).to_contain_text(
            "Source: Art. 33(1)." if lang == "en" else "Абзац из браузера.")

        # Leaving the editor with unsaved changes asks first (authoring.js, beforeunload).
        author.goto(f"{server.url}/author/{COURSE}/{MODULE}/")
        # Typed keys, not fill(): Chromium shows the dialog only after a real user gesture.
        author.locator("#text_en").click()
        author.keyboard.press("End")
        author.keyboard.type(" unsaved")
        author.on("dialog", lambda dialog: dialog.dismiss())
        with author.expect_event("dialog", timeout=10_000) as dialog:
            author.close(run_before_unload=True)
        assert dialog.value.type == "beforeunload"
        for page in (reviewer, learner):
            page.context.close()

    with authoring_app.app_context():
        from academy.learning.models import ModuleProgress

        progress = db.session.scalar(db.select(ModuleProgress))
        assert progress.version_id == first_version and progress.completed_at is not None
    result = runner.invoke(args=["courses", "export", COURSE, str(tmp_path / "export")])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "export" / COURSE / "01-first-steps"
    assert "Source: Art. 33(1)." in (folder / "en.md").read_text(encoding="utf-8")
    assert "Абзац из браузера." in (folder / "ru.md").read_text(encoding="utf-8")
