"""The bandwidth bars of DESIGN §9, measured in bytes and by behaviour, never by time: no inline
script (only the player's own same-origin file) and no other host's assets on any page, lesson
pages under 100 KB before images, static files cached by the browser, text compressed, and the
learner's path working without JavaScript."""
import re
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.conftest import AuthActions
from tests.library_site import LANGS, PASSWORD, library_site  # noqa: F401  (fixture)

LESSON_BUDGET = 100_000  # bytes of HTML + CSS, uncompressed, images not counted
MAX_PAGES = 500
ASSET_TAG = re.compile(r"<(script|img|link|source|iframe|embed|object|video|audio|track|input"
                       r"|form)\b[^>]*>", re.I)
ASSET_ATTR = re.compile(r'\b(src|href|srcset|data|poster|action|formaction)\s*=\s*"([^"]*)"',
                        re.I)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", re.I)
LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"', re.I)
STYLESHEET = re.compile(r'<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"', re.I)


def client_for(site, lang, who=None):
    """A test client reading in `lang`: anonymous (Accept-Language) or signed in as `who`."""
    client = site.app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    if who:
        response = AuthActions(client).login(email=site.email(lang, who), password=PASSWORD)
        assert response.status_code == 302
    return client


def fetch(client, url, **kwargs):
    """GET `url` and close the response (static files are streamed from an open file)."""
    with client.get(url, **kwargs) as response:
        response.get_data()
        return response


def is_local(url):
    """True for a relative or same-origin URL (no scheme, no host)."""
    parts = urlsplit(url.strip())
    return not parts.scheme and not parts.netloc or parts.scheme == "data"


def crawl(client, seeds):
    """{path: html} of every HTML page reachable by following links from `seeds`."""
    pages, queue = {}, list(seeds)
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in pages:
            continue
        response = fetch(client, path)
        if response.mimetype != "text/html" or \
                response.headers.get("Content-Disposition", "").startswith("attachment"):
            continue  # a module's offline copy is a file to keep, not a page of the site
        html = response.get_data(as_text=True)
        pages[path] = html
        for href in LINK.findall(html):
            target = urldefrag(href.replace("&amp;", "&"))[0]
            if target.startswith("/") and not target.startswith("//") and target not in pages:
                queue.append(target)
    return pages


def seeds(site, lang):
    return ["/courses/", "/glossary", "/glossary?q=refoulement", "/auth/register",
            "/auth/login", "/auth/reset", "/auth/confirm", "/no-such-page", site.reset[lang]]


@pytest.fixture(scope="module")
def site_pages(library_site):
    """{(lang, who, path): html} for the whole site, anonymous and as the enrolled learner."""
    pages = {}
    for lang in LANGS:
        for who in (None, "learner"):
            found = crawl(client_for(library_site, lang, who),
                          seeds(library_site, lang) + ["/dashboard", "/auth/account",
                                                       "/auth/password"] * bool(who))
            pages.update({(lang, who, path): html for path, html in found.items()})
    return pages


def stylesheets(html):
    return [href.replace("&amp;", "&") for href in STYLESHEET.findall(html)]


def test_the_crawl_reaches_every_kind_of_page(site_pages, library_site):
    paths = {path for _lang, _who, path in site_pages}
    for course, module in library_site.modules:
        assert f"/courses/{course}/{module}/" in paths
    for lang in LANGS:
        assert library_site.quiz[lang] in paths and library_site.review[lang] in paths
    assert {"/courses/", "/glossary", "/dashboard", "/auth/account", "/no-such-page"} <= paths


def test_no_page_has_a_script_or_another_hosts_asset(site_pages, library_site):
    client = library_site.app.test_client()
    problems = []
    for (lang, who, path), html in site_pages.items():
        # Same-origin scripts may enhance a page (the quiz saves answers on change, the player
        # remembers the section reached); inline scripts never (CSP), and every page works
        # without them.
        for script in re.findall(r"<script\b[^>]*>", html, re.I):
            if not re.fullmatch(r'<script (defer src="/static/quiz-save\.js\?v=\w+"|'
                                r'src="/static/player\.js\?v=\w+" defer)>', script):
                problems.append(f"{path} ({lang}): {script}")
        for tag in ASSET_TAG.finditer(html):
            for attribute, value in ASSET_ATTR.findall(tag.group(0)):
                urls = [part.split()[0] for part in value.split(",")] if attribute == "srcset" \
                    else [value]
                problems += [f"{path} ({lang}): {tag.group(0)[:120]}"
                             for url in urls if url and not is_local(url)]
        if re.search(r"\bstyle\s*=|<style\b", html, re.I):
            problems.append(f"{path} ({lang}): inline style")
    for href in {href for html in site_pages.values() for href in stylesheets(html)}:
        css = fetch(client, href).get_data(as_text=True)
        problems += [f"{href}: {url or imported}" for url, imported in CSS_URL.findall(css)
                     if not is_local(url or imported)]
    assert not problems, "\n".join(sorted(set(problems)))


def page_weight(client, html):
    """Bytes of the page's HTML and of every stylesheet it links, uncompressed."""
    css = sum(len(fetch(client, href).data) for href in stylesheets(html))
    return len(html.encode("utf-8")) + css


def test_every_shipped_lesson_page_is_under_100_kb(site_pages, library_site):
    client = library_site.app.test_client()
    weights = {(lang, course, module):
               page_weight(client, site_pages[lang, "learner", f"/courses/{course}/{module}/"])
               for lang in LANGS for course, module in library_site.modules}
    (lang, course, module), heaviest = max(weights.items(), key=lambda item: item[1])
    print(f"\nheaviest lesson page: {course}/{module} ({lang}), {heaviest / 1000:.1f} KB "
          f"of {len(weights)} pages")
    assert heaviest < LESSON_BUDGET, f"{course}/{module} ({lang}) weighs {heaviest} bytes"


def test_static_files_have_versioned_urls_cached_for_a_year(site_pages, library_site):
    client = library_site.app.test_client()
    hrefs = {href for html in site_pages.values() for href in stylesheets(html)}
    assert {urlsplit(href).path for href in hrefs} == {"/static/academy.css",
                                                       "/glossary/static/glossary.css"}
    for href in hrefs:
        assert re.search(r"\?v=\w+$", href), href
        response = fetch(client, href)
        assert response.cache_control.max_age >= 365 * 24 * 3600 and response.cache_control.public
        assert "Set-Cookie" not in response.headers
        stale = fetch(client, urlsplit(href).path + "?v=stale")  # not this file's version
        assert not stale.cache_control.max_age


def test_html_and_css_are_compressed_for_our_own_pages(library_site):
    client = client_for(library_site, "en", "learner")
    module = "/courses/{}/{}/".format(*library_site.modules[0])
    raw = client.get(module)
    for encoding in ("br", "gzip"):
        response = client.get(module, headers={"Accept-Encoding": encoding,
                                               "Sec-Fetch-Site": "same-origin"})
        assert response.headers["Content-Encoding"] == encoding
        assert len(response.data) < len(raw.data) / 2
        assert "Accept-Encoding" in response.headers["Vary"]
    css = fetch(client, stylesheets(raw.get_data(as_text=True))[0],
                headers={"Accept-Encoding": "gzip, deflate, br"})
    assert css.headers["Content-Encoding"] == "br"
    # A request another site makes the browser send is not compressed: no size oracle (BREACH).
    cross_site = client.get(module, headers={"Accept-Encoding": "br, gzip",
                                             "Sec-Fetch-Site": "cross-site"})
    assert "Content-Encoding" not in cross_site.headers


@pytest.mark.browser
def test_a_learner_studies_without_javascript(browser, library_site):
    """Sign in, enrol, open a module, start the quiz, submit it and read the review, with
    JavaScript switched off in the browser."""
    from playwright.sync_api import expect

    from tests.live import LiveServer

    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        with LiveServer(library_site.app) as server:
            page.goto(server.url + "/auth/login")
            page.get_by_label("E-mail address").fill(library_site.email("en", "newcomer"))
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/dashboard")
            page.goto(server.url + "/courses/")
            page.locator(f'a[href="/courses/{library_site.course}/"]').click()
            page.get_by_role("button", name="Enrol in this course").click()
            # expect() waits for the next page: a click returns before it is loaded.
            expect(page.locator("main .flash")).to_contain_text("You are enrolled")
            page.locator(".outline a").first.click()
            page.get_by_role("button", name="Start the quiz").click()
            expect(page.locator("main fieldset").first).to_be_visible()
            page.wait_for_load_state()  # every question, not only the first
            fieldsets = page.locator("main fieldset")
            for index in range(fieldsets.count()):
                fieldsets.nth(index).locator("input").first.check()
            page.get_by_role("button", name="Submit answers").click()
            expect(page.locator("main")).to_contain_text("Your score")
            expect(page.locator("main")).to_contain_text("correct option")
    finally:
        context.close()
