"""WCAG 2.1 AA in a real browser: axe-core (bundled by axe-playwright-python) on every kind of
page, in English and in Russian, anonymous and signed in, on the shipped course library; and two
checks axe leaves to people: reflow on a 320 px screen (1.4.10) and a visible focus (2.4.7, 1.4.11).
"""
import re

import pytest
from playwright.sync_api import expect

from tests.library_site import LANGS, LIBRARY, PASSWORD, library_site  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
BROWSER_LOCALES = {"en": "en-GB", "ru": "ru-RU"}
NARROW = {"width": 320, "height": 640}  # 1280 px at 400 % zoom
DESKTOP = {"width": 1280, "height": 720}
COURSES = sorted(path.parent.name for path in LIBRARY.glob("*/course.yml"))


def _register_with_errors(page):
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()  # waits for the answer page


def _login_with_error(page):
    page.locator("#email").fill("nobody@example.org")
    page.locator("#password").fill("not the password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash-error")).to_have_count(1)


def _glossary_without_match(page):
    assert page.locator("main [role=status]").count() == 1


# (name, who, path — formatted with the LibrarySite's attributes —, an optional action)
PAGES = [
    ("catalogue", None, "/courses/", None),
    ("catalogue, learner", "learner", "/courses/", None),
    ("course, anonymous", None, "/courses/{course}/", None),
    ("course, not enrolled", "newcomer", "/courses/{course}/", None),
    ("course, enrolled", "learner", "/courses/{course}/", None),
    ("quiz", "learner", "{quiz}", None),
    ("review", "learner", "{review}", None),
    ("dashboard", "learner", "/dashboard", None),
    ("dashboard, empty", "newcomer", "/dashboard", None),
    ("learning history", "learner", "/dashboard/history", None),
    ("leave a course", "learner", "/courses/{course}/leave", None),
    ("final, locked", "learner", "/courses/{course}/final/", None),
    ("glossary", None, "/glossary", None),
    ("glossary search", None, "/glossary?q=refoulement", None),
    ("glossary search, no match", None, "/glossary?q=zzzz", _glossary_without_match),
    ("search", None, "/search?q=беженцы refoulement", None),
    ("search, many results", "learner", "/search?q=border", None),
    ("search, empty", None, "/search", None),
    ("catalogue, filtered", None, "/courses/?area=asylum-protection&lang=ru&duration=medium", None),
    ("login", None, "/auth/login", None),
    ("login, wrong password", None, "/auth/login", _login_with_error),
    ("register", None, "/auth/register", None),
    ("register, validation errors", None, "/auth/register", _register_with_errors),
    ("account", "learner", "/auth/account", None),
    ("change password", "learner", "/auth/password", None),
    ("forgotten password", None, "/auth/reset", None),
    ("password reset link", None, "{reset}", None),
    ("resend confirmation", None, "/auth/confirm", None),
    ("404", None, "/no-such-page", None),
]
WHO = (None, "learner", "newcomer")


@pytest.fixture(scope="module")
def server(library_site):
    from tests.live import LiveServer

    with LiveServer(library_site.app) as running:
        yield running


@pytest.fixture(scope="module")
def contexts(browser, server, library_site):
    """(lang, who) -> a browser context; each account signs in once per module."""
    made = {}
    for lang in LANGS:
        for who in WHO:
            # No bypass_csp: Playwright's evaluate injects axe despite script-src 'self', so the
            # pages are checked as served, CSP included.
            context = browser.new_context(locale=BROWSER_LOCALES[lang])
            if who:
                page = context.new_page()
                page.goto(server.url + "/auth/login")
                page.locator("#email").fill(library_site.email(lang, who))
                page.locator("#password").fill(PASSWORD)
                page.locator("main form button[type=submit]").click()
                page.wait_for_url("**/dashboard")
                page.close()
            made[lang, who] = context
    yield made
    for context in made.values():
        context.close()


def _page_url(server, library_site, path, lang):
    values = {key: (value[lang] if isinstance(value, dict) else value)
              for key, value in vars(library_site).items()}
    return server.url + path.format(**values)


def axe_violations(page):
    """The WCAG 2.0/2.1 A and AA violations axe-core finds on the page."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state()  # a page opened by a click may still be loading
    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def report(violations):
    """The violations, one block per rule with each offending element, for a failure message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                     f"[{', '.join(t for t in violation['tags'] if t.startswith('wcag'))}]")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"        {summary[:300]}")
    return "\n".join(lines)


def horizontal_overflow(page):
    """How many CSS pixels the page is wider than a 320 px screen (0: it reflows)."""
    page.set_viewport_size(NARROW)
    try:
        return page.evaluate("document.documentElement.scrollWidth") - NARROW["width"]
    finally:
        page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name, who, path, action", PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_wcag_violations(contexts, server, library_site, lang,
                                     name, who, path, action):
    page = contexts[lang, who].new_page()
    try:
        page.goto(_page_url(server, library_site, path, lang))
        if action:
            action(page)
        assert page.locator("html").get_attribute("lang") == lang
        violations = axe_violations(page)
        assert not violations, f"{name} ({lang}) {page.url}:\n{report(violations)}"
        assert horizontal_overflow(page) <= 0, f"{name} ({lang}) does not reflow at 320 px"
    finally:
        page.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("course", COURSES)
def test_every_shipped_module_has_no_wcag_violations(contexts, server, library_site,
                                                     course, lang):
    """Every module of the real library (text, tables, quotes, the quiz box) in each language."""
    page = contexts[lang, "learner"].new_page()
    failures = []
    modules = [module for slug, module in library_site.modules if slug == course]
    assert modules
    try:
        for module in modules:
            page.goto(f"{server.url}/courses/{course}/{module}/")
            violations = axe_violations(page)
            if violations:
                failures.append(f"{course}/{module} ({lang}):\n{report(violations)}")
            overflow = horizontal_overflow(page)
            if overflow > 0:
                failures.append(f"{course}/{module} ({lang}): {overflow} px too wide at 320 px")
    finally:
        page.close()
    assert not failures, "\n\n".join(failures)


FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  let box = element.parentElement, background = "rgb(255, 255, 255)";
  while (box) {
    const colour = getComputedStyle(box).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { background = colour; break; }
    box = box.parentElement;
  }
  const style = getComputedStyle(element);
  return {html: element.outerHTML.slice(0, 100), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), colour: style.outlineColor, background};
}"""


def _luminance(rgb):
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    """The WCAG contrast ratio of two CSS rgb() colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("path, who", [("/courses/", "learner"), ("{quiz}", "learner"),
                                       ("/auth/register", None), ("/glossary", None)])
def test_keyboard_focus_is_always_visible(contexts, server, library_site, path, who):
    """Tab through the page: every element that takes focus shows an outline of at least 2 px
    with 3:1 contrast against what surrounds it."""
    page = contexts["en", who].new_page()
    problems, seen = [], []
    try:
        page.goto(_page_url(server, library_site, path, "en"))
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None or focused["html"] in seen[:1]:
                break
            seen.append(focused["html"])
            ratio = contrast(focused["colour"], focused["background"])
            if focused["style"] == "none" or focused["width"] < 2 or ratio < 3:
                problems.append(f"{focused['html']}: outline {focused['style']} "
                                f"{focused['width']}px {focused['colour']} on "
                                f"{focused['background']} ({ratio:.2f}:1)")
    finally:
        page.close()
    assert len(seen) > 5, "Tab reached too few elements"
    assert not problems, "\n".join(problems)
