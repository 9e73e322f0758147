"""Safe Markdown: CommonMark + tables, raw HTML off, allow-listed links, sanitised output."""
import re
import unicodedata
from pathlib import PurePosixPath
from typing import NamedTuple
from urllib.parse import unquote

import nh3
from flask_babel import _, force_locale
from markupsafe import escape
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

from academy.courses.specs import SLUG_RE

GLOSSARY_SCHEME = "glossary:"
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers drop ASCII tab and newline anywhere in a URL and trim control characters and spaces,
# so "java\tscript:" is "javascript:" to them: judge the URL as they will read it.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th",
    "td", "div", "span", "button",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    # Made by the renderer only (raw HTML is off): table scroll regions and glossary popovers.
    "div": {"tabindex", "role", "aria-label"},
    "span": {"id", "popover"},
    "button": {"type", "popovertarget"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}


class ImageSource(NamedTuple):
    """Where an imported module image is served from, and its size in pixels."""

    url: str
    width: int
    height: int


def url_kind(url: str) -> str:
    """'relative', 'glossary', 'host' (//host/…), or the URL's scheme in lower case, as a
    browser would read it."""
    compact = _IGNORED_IN_URL.sub("", url)
    if compact[:2].replace("\\", "/") == "//":
        return "host"
    for candidate in (compact, _IGNORED_IN_URL.sub("", unquote(compact))):
        if candidate.lower().startswith(GLOSSARY_SCHEME):
            return "glossary"
        match = _SCHEME.match(candidate)
        if match:
            return match.group(1).lower()
    return "relative"


def glossary_key(url: str) -> str:
    """The glossary key of a `glossary:<key>` URL."""
    return _IGNORED_IN_URL.sub("", url)[len(GLOSSARY_SCHEME):]


def relative_image_name(url: str) -> str:
    """The file name a relative image URL points at ('./map.png?x#y' -> 'map.png')."""
    return str(PurePosixPath(unquote(url.split("#", 1)[0].split("?", 1)[0])))


def link_problem(url: str, image: bool = False) -> str | None:
    """Why `url` may not be used in a module (a message), or None when it may."""
    kind = url_kind(url)
    if image:
        if kind == "relative":
            return None
        # Every asset is served by the Academy itself (no third-party hosts, CSP img-src 'self').
        return _("image address %(url)s is not allowed: an image must be a file in the module's "
                 "folder, linked relatively", url=_shorten(url))
    if kind in LINK_SCHEMES or kind == "relative":
        return None
    if kind == "host":
        return _("link %(url)s has no scheme: write the full address with https://",
                 url=_shorten(url))
    if kind == "glossary":
        if SLUG_RE.match(glossary_key(url)):
            return None
        return _("%(url)s is not a valid glossary link: write glossary:<key>", url=_shorten(url))
    return _("link %(url)s uses a forbidden scheme (%(scheme)s); only http, https, mailto, "
             "relative and glossary: links are allowed", url=_shorten(url), scheme=kind + ":")


def _shorten(url):
    return repr(url if len(url) <= 60 else url[:57] + "...")


def heading_slug(text: str) -> str:
    """A stable anchor for a heading: lower case words joined by hyphens (Cyrillic kept)."""
    text = unicodedata.normalize("NFKC", text).lower()
    words = re.findall(r"[^\W_]+", text)
    return "-".join(words)[:80].strip("-") or "section"


def _validate_link(url):
    kind = url_kind(url)
    return kind in LINK_SCHEMES or kind in ("relative", "glossary")


def _render_link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    href = token.attrGet("href") or ""
    if url_kind(href) == "glossary":
        key = glossary_key(href)
        token.attrSet("href", "/glossary#" + key if SLUG_RE.match(key) else "")
    if not token.attrGet("href"):
        token.attrs.pop("href", None)
    return self.renderToken(tokens, idx, options, env)


def _render_image(self, tokens, idx, options, env):
    token = tokens[idx]
    src = token.attrGet("src") or ""
    kind = url_kind(src)
    if kind != "relative":
        token.attrSet("src", "")
    elif kind == "relative" and env.get("images") is not None:
        # At import a module image gets its stable, versioned URL and its size (no layout shift).
        image = env["images"].get(relative_image_name(src))
        token.attrSet("src", image.url if image else "")
        if image:
            token.attrSet("width", str(image.width))
            token.attrSet("height", str(image.height))
    return self.image(tokens, idx, options, env)


def _question_container(md):
    container_plugin(md, "question",
                     validate=lambda params, *_args: params.strip().split(" ", 1)[0] == "question")


def build_parser(validate_links=True) -> MarkdownIt:
    """A CommonMark parser with raw HTML off, tables and `::: question` containers.

    `validate_links=False` keeps every link in the token stream so that the checker can report
    forbidden ones with their line; such a parser must never be used to render.
    """
    # The commonmark preset turns raw HTML on: switch it off explicitly.
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    _question_container(md)
    md.validateLink = _validate_link if validate_links else (lambda url: True)
    return md


_RENDERER = build_parser()
_RENDERER.add_render_rule("link_open", _render_link_open)
_RENDERER.add_render_rule("image", _render_image)


def _image_attribute_filter(tag, attribute, value):
    if tag != "img":
        return value
    if attribute == "src" and url_kind(value) != "relative":
        return None
    if attribute in ("width", "height") and not (value.isascii() and value.isdigit()):
        return None
    return value


_CLEANER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                       attribute_filter=_image_attribute_filter, url_schemes=set(LINK_SCHEMES),
                       link_rel="noopener noreferrer", strip_comments=True,
                       allowed_classes={"div": {"question", "table-scroll"},
                                        "span": {"gloss-pop", "vh"}, "button": {"gloss-btn"},
                                        "a": {"gloss-link", "term"}},
                       set_tag_attribute_values={"img": {"loading": "lazy"}})


def sanitize_html(html: str) -> str:
    """Pass HTML through the allow-list sanitiser (the last line of defence)."""
    return _CLEANER.clean(html)


def render_markdown(text: str, images: dict[str, ImageSource] | None = None) -> str:
    """Render module Markdown to safe HTML: no raw HTML, allow-listed links, heading anchors.

    With `images` (file name -> ImageSource), relative image sources become the images' served
    URLs; an image missing from it loses its source.
    """
    env = {"images": images}
    tokens = _RENDERER.parse(text, env)
    _anchor_headings(tokens)
    return sanitize_html(_RENDERER.renderer.render(tokens, _RENDERER.options, env))


def render_blocks(text: str, images: dict[str, ImageSource] | None = None) -> list[str]:
    """As `render_markdown`, one safe HTML string per top-level block (a paragraph, heading,
    list, table, quote…): for previews that set two languages side by side block by block."""
    env = {"images": images}
    tokens = _RENDERER.parse(text, env)
    _anchor_headings(tokens)
    blocks, start, depth = [], 0, 0
    for index, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            blocks.append(sanitize_html(_RENDERER.renderer.render(tokens[start:index + 1],
                                                                  _RENDERER.options, env)))
            start = index + 1
    return blocks


def _anchor_headings(tokens):
    used = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            slug = "sec-" + heading_slug(tokens[index + 1].content)
            used[slug] = used.get(slug, 0) + 1
            token.attrSet("id", slug if used[slug] == 1 else f"{slug}-{used[slug]}")


def render_inline(text: str, images: dict[str, ImageSource] | None = None) -> str:
    """Render one line of Markdown (an option of a question) to safe inline HTML."""
    return sanitize_html(_RENDERER.renderInline(text, {"images": images}))


class GlossaryNote(NamedTuple):
    """What a module's glossary link explains in place: the term and its definition."""

    term: str
    definition: str


def _wrap_tables(tokens, lang):
    """Put each table in a focusable region that scrolls sideways on narrow screens."""
    wrapped, count = [], 0
    for token in tokens:
        if token.type == "table_open":
            count += 1
            with force_locale(lang):
                label = _("Table %(number)d", number=count)
            wrapped.append(_html_block(f'<div class="table-scroll" role="region" tabindex="0" '
                                       f'aria-label="{escape(label)}">'))
        wrapped.append(token)
        if token.type == "table_close":
            wrapped.append(_html_block("</div>"))
    return wrapped


def _html_block(content):
    from markdown_it.token import Token

    token = Token("html_block", "", 0)
    token.content = content
    return token


def _explain_glossary_links(tokens, glossary, lang):
    """After the first link to each glossary term, a small button that opens the term's definition in place (a
    popover). The link stays a link; the popover needs no JavaScript, and a browser without
    popovers shows the definition inline.
    """
    from markdown_it.token import Token

    count, explained = 0, set()
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        result, pending = [], None
        for child in block.children:
            result.append(child)
            if child.type == "link_open":
                href = child.attrGet("href") or ""
                key = glossary_key(href) if url_kind(href) == "glossary" else None
                # Explained at its first use only: later links just lead to the glossary.
                note = glossary.get(key) if key and key not in explained else None
                if note is not None:
                    explained.add(key)
                    child.attrSet("class", "term")
                    pending = (key, note)
                else:
                    pending = None
            elif child.type == "link_close" and pending:
                key, note = pending
                pending = None
                count += 1
                ident = f"gl-{lang}-{count}"
                with force_locale(lang):
                    label = _("Definition: %(term)s", term=note.term)
                    open_label = _("Open in the glossary")
                token = Token("html_inline", "", 0)
                token.content = (
                    f'<button type="button" class="gloss-btn" popovertarget="{ident}">'
                    f'<span class="vh">{escape(label)}</span></button>'
                    f'<span class="gloss-pop" id="{ident}" popover>'
                    f'<strong>{escape(note.term)}</strong> {escape(note.definition)} '
                    f'<a class="gloss-link" href="/glossary#{escape(key)}">{escape(open_label)}</a>'
                    f'</span>')
                result.append(token)
        block.children = result
    return tokens


def render_module(text: str, lang: str, images: dict[str, ImageSource] | None = None,
                  glossary: dict[str, GlossaryNote] | None = None) -> str:
    """A module's text for reading: as `render_markdown`, with tables in scrollable regions and
    glossary terms that explain themselves in place (definitions in the module's language)."""
    env = {"images": images}
    tokens = _RENDERER.parse(text, env)
    _anchor_headings(tokens)
    tokens = _wrap_tables(tokens, lang)
    if glossary:
        tokens = _explain_glossary_links(tokens, glossary, lang)
    return sanitize_html(_RENDERER.renderer.render(tokens, _RENDERER.options, env))
