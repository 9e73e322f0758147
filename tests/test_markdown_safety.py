"""Safe Markdown: a hostile corpus must never reach the output as live markup."""
import re
from html.parser import HTMLParser

import pytest

from academy.courses.markdown import render_inline, render_markdown

HOSTILE = {
    "script tag": "<script>alert(1)</script>",
    "script block": "<script>\nalert(1)\n</script>\n",
    "img onerror": '<img src=x onerror="alert(1)">',
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "event attribute": '<a href="https://ok.example/" onclick="alert(1)">x</a>',
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "style tag": "<style>body{background:red}</style>",
    "html comment": "<!-- <script>alert(1)</script> -->",
    "form": '<form action="https://evil.example/"><input name=x></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "inline link": "[x](javascript:alert(1))",
    "mixed case": "[x](JaVaScRiPt:alert(1))",
    "entity encoded": "[x](jav&#x61;script:alert(1))",
    "decimal entity": "[x](&#106;avascript:alert(1))",
    "named entity colon": "[x](javascript&colon;alert(1))",
    "leading space entity": "[x](&#32;javascript:alert(1))",
    "tab inside scheme": "[x](<java\tscript:alert(1)>)",
    "newline inside scheme": "[x](<java\nscript:alert(1)>)",
    "percent in scheme": "[x](jav%61script:alert(1))",
    "reference link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "reference with title": '[x][evil]\n\n[evil]: javascript:alert(1) "title"',
    "autolink": "<javascript:alert(1)>",
    "autolink mixed case": "<JAVASCRIPT:alert(1)>",
    "vbscript": "[x](vbscript:msgbox(1))",
    "data link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "javascript image": "![x](javascript:alert(1))",
    "file link": "[x](file:///etc/passwd)",
    "link title breakout": '[x](https://ok.example/ "a\\" onmouseover=\\"alert(1)")',
    "image alt breakout": '![a" onerror="alert(1)](https://ok.example/a.png)',
    "html entity script": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "nested markdown in html": "<div onclick=alert(1)>\n\n*x*\n\n</div>",
    "question container": "::: question\n<script>alert(1)</script>\n\n- [x] <img src=x "
                          "onerror=alert(1)>\n- [ ] b\n\n> [f](javascript:alert(1))\n:::",
    "table cell": "| a |\n|---|\n| <script>alert(1)</script> [x](javascript:alert(1)) |",
}

ALLOWED = {
    "p": set(), "em": set(), "strong": set(), "code": set(), "pre": set(), "div": {"class"},
    "ul": set(), "ol": {"start"}, "li": set(), "blockquote": set(), "table": set(),
    "thead": set(), "tbody": set(), "tr": set(), "th": set(), "td": set(), "br": set(),
    "hr": set(), "del": set(), "s": set(), "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}


class MarkupReader(HTMLParser):
    """What a browser would see: the tags, attributes and comments of the output."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.comments = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.comments.append(data)


def assert_inert(html):
    reader = MarkupReader()
    reader.feed(html)
    reader.close()
    assert not reader.comments, html
    for tag, attrs in reader.tags:
        assert tag in ALLOWED, html
        assert set(attrs) <= ALLOWED[tag], html
        for name in ("href", "src"):
            url = "".join((attrs.get(name) or "").split()).lower()
            scheme = url.split(":", 1)[0] if ":" in url.split("/", 1)[0] else ""
            assert scheme in ("", "http", "https", "mailto"), html
            if tag == "img":
                assert scheme in ("", "https"), html


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_markdown_renders_inert(name):
    assert_inert(render_markdown(HOSTILE[name]))


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_inline_markdown_renders_inert(name):
    assert_inert(render_inline(HOSTILE[name]))


def test_raw_html_is_shown_as_text():
    assert render_markdown("<script>alert(1)</script>") == \
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_javascript_link_is_not_a_link():
    html = render_markdown("[click](javascript:alert(1))")
    assert "<a" not in html and "click" in html


def test_safe_links_are_kept_with_rel():
    html = render_markdown("[a](https://example.org/x?y=1) [b](mailto:unit@example.org) "
                           "[c](../02-next/) [d](http://example.org/)")
    assert '<a href="https://example.org/x?y=1" rel="noopener noreferrer">a</a>' in html
    assert '<a href="mailto:unit@example.org" rel="noopener noreferrer">b</a>' in html
    assert '<a href="../02-next/" rel="noopener noreferrer">c</a>' in html
    assert '<a href="http://example.org/" rel="noopener noreferrer">d</a>' in html


def test_glossary_links_point_at_the_glossary_page():
    assert render_markdown("[term](glossary:non-refoulement)") == (
        '<p><a href="/glossary#non-refoulement" rel="noopener noreferrer">term</a></p>\n')


def test_images_only_relative():
    html = render_markdown("![a](map.png) ![b](https://example.org/b.png) "
                           "![c](http://example.org/c.png) ![d](//evil.example/d.png)")
    assert '<img src="map.png" alt="a" loading="lazy">' in html
    assert "https://example.org/b.png" not in html
    assert "http://example.org/c.png" not in html
    assert "src=\"//evil.example" not in html


def test_headings_get_stable_unique_ids():
    html = render_markdown("# Scope\n\n## Who is protected?\n\n## Кто защищён?\n\n## Scope")
    assert re.findall(r'id="([^"]+)"', html) == [
        "sec-scope", "sec-who-is-protected", "sec-кто-защищён", "sec-scope-2"]
    assert render_markdown("## Who is protected?") == \
        '<h2 id="sec-who-is-protected">Who is protected?</h2>\n'


def test_tables_render():
    html = render_markdown("| Article | Rule |\n|---|---:|\n| 33(1) | non-refoulement |")
    assert "<table>" in html and "<td>33(1)</td>" in html
    assert "style" not in html


def test_commonmark_basics():
    assert render_markdown("*a* **b** `c`\n\n> quote\n\n1. one\n2. two") == (
        "<p><em>a</em> <strong>b</strong> <code>c</code></p>\n<blockquote>\n<p>quote</p>\n"
        "</blockquote>\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n")
