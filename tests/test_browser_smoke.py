"""The browser harness itself: Debian's Chromium opens a page served by the app."""
import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_chromium_renders_healthz_and_language_switch(app, live_server, page):
    with live_server(app) as server:
        page.goto(server.url + "/healthz")
        assert '"database"' in page.content()
        page.goto(server.url + "/glossary")
        page.get_by_role("button", name="Русский").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
