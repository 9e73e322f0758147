"""Overview and transcript in Chromium: English and Russian, 360 and 1280 px, axe clean, no
horizontal scrolling of the page, charts drawn without JavaScript."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.test_accessibility import axe_violations, report

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ACADEMY_SHOTS")  # a folder: save screenshots there too


@pytest.fixture(scope="module")
def server(reports_site):
    from tests.live import LiveServer

    with LiveServer(reports_site.app) as running:
        yield running


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_overview_and_transcript(browser, server, reports_site, lang):
    context = browser.new_context(locale={"en": "en-GB", "ru": "ru-RU"}[lang],
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server.url + "/auth/login")
        page.locator("#email").fill("coord-ge@example.org")
        page.locator("#password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/dashboard")
        switch = page.locator(f".lang-switch button[value={lang}]")
        if switch.is_enabled():  # the account remembers the language chosen last
            switch.click()
            expect(page.locator("html")).to_have_attribute("lang", lang)  # goto() would cancel it
        for path, name in (("/reports/", "overview"),
                           (f"/reports/learners/{reports_site.ge_learner_id}", "transcript"),
                           ("/reports/learners?status=started&country=GE", "drill-down"),
                           ("/account/tokens/", "tokens")):
            for width in (360, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(server.url + path)
                assert page.locator("html").get_attribute("lang") == lang
                if name == "overview":  # three charts, each with its data table
                    assert page.locator("svg[role=img] title").count() == 3
                    assert page.locator("table.chart-data").count() == 3
                overflow = page.evaluate("document.documentElement.scrollWidth") - width
                assert overflow <= 0, f"{name} {lang} is {overflow} px too wide at {width} px"
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{SHOTS}/{name}-{lang}-{width}.png", full_page=True)
                    height = page.evaluate("document.documentElement.scrollHeight")
                    for top in range(0, height, 1200):
                        page.screenshot(path=f"{SHOTS}/{name}-{lang}-{width}-{top // 1200}.png",
                                        full_page=True, clip={"x": 0, "y": top, "width": width,
                                                              "height": min(1200, height - top)})
            js = browser.new_context(locale={"en": "en-GB", "ru": "ru-RU"}[lang])
            js.add_cookies(context.cookies())
            check = js.new_page()
            check.goto(server.url + path)
            violations = axe_violations(check)
            js.close()
            assert not violations, f"{name} ({lang}):\n{report(violations)}"
    finally:
        context.close()
