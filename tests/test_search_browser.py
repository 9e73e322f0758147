"""In Chromium: a search from the header box, in English and in Russian, on a phone and a desktop."""
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def search_from_header(page, words):
    menu = page.locator("header .menu > summary")
    if menu.is_visible():  # on a phone the box is in the Menu panel
        menu.click()
    box = page.get_by_role("search").first.get_by_role("searchbox")
    box.fill(words)
    box.press("Enter")
    # This query's page: "**/search?q=*" would also match the search the box may be on.
    page.wait_for_url(lambda url: urlsplit(url).path == "/search"
                      and parse_qs(urlsplit(url).query).get("q") == [words])


def test_a_search_from_the_header_in_both_languages(library_app, live_server, page):
    with live_server(library_app) as server:
        page.goto(server.url + "/courses/")
        search_from_header(page, "беженцы")
        expect(page.locator("h1")).to_have_text("Site search")
        marks = page.locator(".search-results mark")
        expect(marks.first).to_be_visible()
        assert "беженцев" in marks.all_inner_texts()
        # The language switch keeps the query: the same search, now in Russian.
        page.get_by_role("button", name="Русский").click()
        expect(page.locator("h1")).to_have_text("Поиск по сайту")
        assert page.locator("html").get_attribute("lang") == "ru"
        assert page.locator("#search-q").input_value() == "беженцы"
        expect(page.locator("main [role=status]")).to_contain_text("По запросу «беженцы»")

        search_from_header(page, "refouled")
        first = page.locator(".search-results li").first
        expect(first).to_be_visible()
        marked = page.locator(".search-results mark").all_inner_texts()
        assert any(word.lower().startswith("refoulement") for word in marked), marked
        # A result leads to its page.
        page.locator(".search-results h2 a").first.click()
        page.wait_for_url(lambda url: "/search" not in url)
        assert "/search" not in page.url


def test_search_and_filters_fit_a_phone(library_app, live_server, page):
    page.set_viewport_size(PHONE)
    with live_server(library_app) as server:
        for path in ("/search?q=border", "/courses/?area=asylum-protection", "/search"):
            page.goto(server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide at 360 px"
        page.goto(server.url + "/courses/")
        page.locator("#filter-lang").select_option("ru")
        page.get_by_role("button", name="Show courses").click()
        page.wait_for_url("**lang=ru**")
        assert page.locator("main h3").count() == 3
