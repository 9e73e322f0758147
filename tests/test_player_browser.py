"""The course player and the phone-first layout in a real browser, on the shipped library: no page
kind overflows a 360 px phone (a module with a four-column table included), the compact header,
glossary terms that explain themselves, Resume. Every page kind is photographed in both languages
at 360 and 1280 px into $ACADEMY_SCREENSHOTS (default /tmp/academy-screens), outside git."""
import os
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from tests.library_site import LANGS, PASSWORD, library_site  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 860}
TABLE_MODULE = "/courses/non-refoulement/sources-and-scope/"  # has a four-column table
SHOTS = Path(os.environ.get("ACADEMY_SCREENSHOTS", "/tmp/academy-screens"))


def _register_with_errors(page):
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    page.wait_for_load_state()  # the width is measured on the whole page


# (name, signed in?, path with {quiz}/{review}/{course} from the LibrarySite, action)
PAGES = [
    ("catalogue", False, "/courses/", None),
    ("course-anonymous", False, "/courses/{course}/", None),
    ("login", False, "/auth/login", None),
    ("register-errors", False, "/auth/register", _register_with_errors),
    ("forgot-password", False, "/auth/reset", None),
    ("glossary", False, "/glossary", None),
    ("not-found", False, "/no-such-page", None),
    ("catalogue-learner", True, "/courses/", None),
    ("course-enrolled", True, "/courses/{course}/", None),
    ("module-table", True, TABLE_MODULE, None),
    ("module-side-by-side", True, TABLE_MODULE + "side-by-side", None),
    ("final", True, "/courses/{course}/final/", None),
    ("quiz", True, "{quiz}", None),
    ("review", True, "{review}", None),
    ("dashboard", True, "/dashboard", None),
    ("account", True, "/auth/account", None),
]


@pytest.fixture(scope="module")
def server(library_site):
    from tests.live import LiveServer

    with LiveServer(library_site.app) as running:
        yield running


@pytest.fixture(scope="module")
def signed_in(browser, server, library_site):
    """lang -> (anonymous context, the enrolled learner's context)."""
    made = {}
    for lang in LANGS:
        locale = {"en": "en-GB", "ru": "ru-RU"}[lang]
        anonymous = browser.new_context(locale=locale)
        learner = browser.new_context(locale=locale)
        page = learner.new_page()
        page.goto(server.url + "/auth/login")
        page.locator("#email").fill(library_site.email(lang))
        page.locator("#password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/dashboard")
        page.close()
        made[lang] = (anonymous, learner)
    yield made
    for contexts in made.values():
        for context in contexts:
            context.close()


def _url(server, site, path, lang):
    return server.url + path.format(course=site.course, quiz=site.quiz[lang],
                                    review=site.review[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_kind_overflows_a_phone_and_each_is_photographed(signed_in, server,
                                                                 library_site, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    overflowing = []
    for name, learner, path, action in PAGES:
        page = signed_in[lang][learner].new_page()
        try:
            for size in (PHONE, DESKTOP):
                page.set_viewport_size(size)
                page.goto(_url(server, library_site, path, lang))
                if action:
                    action(page)
                assert page.locator("html").get_attribute("lang") == lang
                page.screenshot(path=SHOTS / f"{name}-{lang}-{size['width']}.png")
                if size is PHONE:
                    extra = page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]
                    if extra > 0:
                        overflowing.append(f"{name} ({lang}): {extra} px wider than 360 px")
        finally:
            page.close()
    assert not overflowing, "\n".join(overflowing)
    assert len(list(SHOTS.glob(f"*-{lang}-360.png"))) >= len(PAGES)


def test_a_wide_table_scrolls_inside_its_region_on_a_phone(signed_in, server):
    page = signed_in["en"][True].new_page()
    try:
        page.set_viewport_size(PHONE)
        page.goto(server.url + TABLE_MODULE)
        region = page.locator(".table-scroll").filter(has=page.locator("th:nth-child(4)")).first
        expect(region).to_have_attribute("tabindex", "0")
        widths = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert widths[0] > widths[1], "the four-column table should scroll sideways"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # No word is broken in the middle: every cell is at least as wide as its longest word.
        broken = region.evaluate("""el => [...el.querySelectorAll('td, th')].filter(
            cell => cell.scrollWidth > cell.clientWidth + 1).length""")
        assert broken == 0
    finally:
        page.close()


def test_the_phone_header_is_one_row_of_large_targets(signed_in, server):
    page = signed_in["ru"][True].new_page()
    try:
        page.set_viewport_size(PHONE)
        page.goto(server.url + "/courses/")
        header = page.locator("header.site").bounding_box()
        assert header["height"] <= 64, "the header should take one slim row on a phone"
        targets = [page.locator("header .brand"), page.locator("header .menu > summary"),
                   page.locator("header .lang-switch button").first,
                   page.locator("header .lang-switch button").last,
                   page.locator("header .user > summary")]
        for target in targets:
            box = target.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, target
            assert box["y"] >= header["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
        # The menus open without JavaScript (details): the user menu names the learner.
        page.locator("header .user > summary").click()
        expect(page.locator("header .user .panel")).to_contain_text("Nino Beridze")
        page.locator("header .menu > summary").click()
        expect(page.locator("header .menu .panel a").first).to_be_visible()
    finally:
        page.close()


def test_glossary_term_opens_in_place_and_resume_returns_to_the_section(signed_in, server):
    page = signed_in["en"][True].new_page()
    try:
        page.set_viewport_size(DESKTOP)
        page.goto(server.url + TABLE_MODULE)
        term = page.locator(".module-text button.gloss-btn").first
        term.click()
        popover = page.locator(".gloss-pop:popover-open")
        expect(popover).to_have_count(1)
        expect(popover.locator("a.gloss-link")).to_have_attribute("href", "/glossary#" + (
            popover.locator("a.gloss-link").get_attribute("href").split("#")[1]))
        page.keyboard.press("Escape")
        expect(page.locator(".gloss-pop:popover-open")).to_have_count(0)
        # Read down to the third section: the page remembers it, and Resume leads back there.
        headings = page.locator(".module-text h2[id]")
        later = [headings.nth(i).get_attribute("id") for i in range(2, headings.count())]
        with page.expect_response(lambda r: r.url.endswith("/position")) as saved:
            headings.nth(2).scroll_into_view_if_needed()
            page.mouse.wheel(0, 200)
        assert saved.value.status == 204
        anchor = parse_qs(saved.value.request.post_data)["section"][0]
        assert anchor in later
        page.goto(server.url + TABLE_MODULE)
        expect(page.locator(".player-bar .resume")).to_have_attribute("href", "#" + anchor)
    finally:
        page.close()
