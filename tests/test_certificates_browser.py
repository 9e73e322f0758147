"""Certificates in a real browser (Debian Chromium): the learner's download, the verification
page in both languages, the coordinator's pages; axe-core finds no WCAG 2.1 A/AA violation."""
import os
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.certificate_fixtures import NAME_CYRILLIC, NAME_LATIN
from tests.conftest import PASSWORD
from tests.test_accessibility import axe_violations, horizontal_overflow, report

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ACADEMY_SHOTS")  # a folder: also save screenshots there


def check(page, name):
    """axe clean, reflows at 320 px; screenshots at 360 and 1280 px when asked for."""
    violations = axe_violations(page)
    assert not violations, f"{name} {page.url}:\n{report(violations)}"
    assert horizontal_overflow(page) <= 0, f"{name} does not reflow at 320 px"
    if SHOTS:
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 720})


def sign_in(page, url, email):
    page.goto(url + "/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dashboard")


def test_learner_downloads_the_bilingual_certificate(app, issued, live_server, browser, tmp_path):
    with live_server(app) as server:
        context = browser.new_context(locale="ru-RU", accept_downloads=True)
        page = context.new_page()
        sign_in(page, server.url, "learner@example.org")
        page.get_by_role("link", name="Мои сертификаты").first.click()
        page.wait_for_url("**/certificates/")
        assert page.locator("html").get_attribute("lang") == "ru"
        check(page, "my-certificates-ru")
        with page.expect_download() as download:
            page.get_by_role("link", name="на двух языках").click()
        path = tmp_path / "certificate.pdf"
        download.value.save_as(path)
        assert download.value.suggested_filename == f"{issued.serial}-bilingual.pdf"
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert NAME_LATIN in text and NAME_CYRILLIC in text and issued.serial in text
        page.locator(".lang-switch button[value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")  # the same URL, in English
        page.wait_for_load_state()
        check(page, "my-certificates-en")
        context.close()


@pytest.mark.parametrize("locale, lang, valid, revoked", [
    ("en-GB", "en", "Valid", "Revoked"), ("ru-RU", "ru", "Действителен", "Отозван")])
def test_verification_page_in_both_languages(app, issued, auth, live_server, browser,
                                             locale, lang, valid, revoked):
    from tests.test_certificates_verify import revoke_and_reissue

    auth.logout()
    with live_server(app) as server:
        context = browser.new_context(locale=locale)
        page = context.new_page()
        page.goto(f"{server.url}/verify/{issued.code}")
        assert page.locator("html").get_attribute("lang") == lang
        assert valid in page.locator(".cert-status").inner_text()
        assert NAME_CYRILLIC in page.locator("main").inner_text()
        check(page, f"verify-valid-{lang}")
        revoke_and_reissue(app, issued.serial, revoke=True)
        page.reload()
        assert revoked in page.locator(".cert-status").inner_text()
        assert "Exam fraud established" in page.locator("main").inner_text()
        check(page, f"verify-revoked-{lang}")
        page.goto(f"{server.url}/verify/{'Z' * 32}")
        check(page, f"verify-not-found-{lang}")
        context.close()


def test_coordinator_pages(app, issued, make_user, live_server, browser):
    make_user(email="coord@example.org", role="coordinator", name_latin="Coord Inator")
    with live_server(app) as server:
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        sign_in(page, server.url, "coord@example.org")
        page.locator("header .user > summary").click()  # the work pages are in the account menu
        page.get_by_role("link", name="Certificates", exact=True).click()
        page.wait_for_url("**/certificates/manage/")
        check(page, "manage-list-en")
        page.get_by_role("link", name="Issue certificates").click()
        page.wait_for_url("**/certificates/manage/issue")  # the list has a #course filter too
        page.locator("#course").select_option("short")
        page.locator("#emails").fill("learner@example.org\nnobody@example.org\nnot an address")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("main")).to_contain_text("Preview: nothing has been issued yet")
        check(page, "manage-issue-preview-en")
        page.goto(f"{server.url}/certificates/manage/{issued.serial}/")
        check(page, "manage-detail-en")
        context.close()
