"""The course player's reading aids: the sections of a module ("On this page"), the EN/RU
side-by-side pairing, and the self-contained offline copy of a module."""
import base64
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import undefer

from academy.core.cache import versioned_cache
from academy.courses.models import ModuleAsset
from academy.extensions import db
from academy.learning import services
from academy.learning.progress import ProgressCount, course_progress

_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)
_VOID = {"br", "hr", "img", "input", "wbr"}
_IDS = re.compile(r'\b(id|popovertarget)="')
_MEDIA = re.compile(r'src="(/courses/[^"/]+/[^"/]+/media/v(\d+)/([^"/]+))"')
_ROOT_LINK = re.compile(r'href="/(?!/)')


@dataclass
class Section:
    """A heading of a module's text, with its anchor."""

    anchor: str
    title: str
    level: int


def sections(html):
    """The module's level-2 and level-3 headings in order ("On this page")."""
    return [Section(anchor, Markup(title).striptags(), int(level))
            for level, anchor, title in _HEADING.findall(html or "")]


class _BlockSplitter(HTMLParser):
    """Offsets of the top-level elements of an HTML fragment."""

    def __init__(self, html):
        super().__init__(convert_charrefs=False)
        self.lines = [0]
        for line in html.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.depth, self.start, self.blocks = 0, None, []
        self.feed(html)
        self.close()

    def _offset(self):
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.start = self._offset()
        if tag in _VOID:
            if self.depth == 0:
                self.blocks.append((self.start, self._offset() + len(self.get_starttag_text())))
            return
        self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            start = self._offset()
            self.blocks.append((start, start + len(self.get_starttag_text())))

    def handle_endtag(self, tag):
        if tag in _VOID or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0:
            end = self._offset() + len(f"</{tag}>")
            self.blocks.append((self.start, end))


def blocks(html):
    """The top-level elements of an HTML fragment, as strings."""
    return [html[start:end] for start, end in _BlockSplitter(html or "").blocks]


def _by_section(parts):
    grouped = [[]]
    for part in parts:
        if re.match(r"<h[23]\b", part) and grouped[-1]:
            grouped.append([])
        grouped[-1].append(part)
    return [group for group in grouped if group]


def prefix_ids(html, prefix):
    """The fragment with every id (and popover target) prefixed, so that two can share a page."""
    return _IDS.sub(lambda match: f'{match.group(1)}="{prefix}', html)


def parallel_rows(first_html, second_html):
    """Pairs (first, second) of HTML aligned paragraph by paragraph where both texts have the
    same structure, else section by section, else the whole texts side by side."""
    first, second = _by_section(blocks(first_html)), _by_section(blocks(second_html))
    if len(first) != len(second):
        first, second = [sum(first, [])], [sum(second, [])]
    rows = []
    for one, other in zip(first, second, strict=True):
        if len(one) == len(other):
            rows += list(zip(one, other, strict=True))
        else:
            rows.append(("\n".join(one), "\n".join(other)))
    return [(Markup(one), Markup(other)) for one, other in rows]


def inline_images(html, version):
    """The fragment with the module version's images as data: URIs (an offline copy)."""
    wanted = {name for _url, number, name in _MEDIA.findall(html) if int(number) == version.number}
    if not wanted:
        return html
    assets = {asset.name: asset for asset in db.session.scalars(
        select(ModuleAsset).where(ModuleAsset.version_id == version.id,
                                  ModuleAsset.name.in_(wanted)).options(undefer(ModuleAsset.data)))}

    def replace(match):
        asset = assets.get(match.group(3)) if int(match.group(2)) == version.number else None
        if asset is None:
            return 'src=""'
        encoded = base64.b64encode(asset.data).decode("ascii")
        return f'src="data:{asset.media_type};base64,{encoded}"'

    return _MEDIA.sub(replace, html)


def absolute_links(html, base_url):
    """The fragment with site-relative links made absolute (they must work from a file)."""
    return _ROOT_LINK.sub(f'href="{base_url.rstrip("/")}/', html)


_sections = versioned_cache(256)  # (module version, text language) -> its sections


@dataclass
class PlayerBar:
    """What the module page's sticky bar shows: where the module sits and the course progress."""

    number: int | None  # the module's place among the lessons; None for the final
    total: int
    count: ProgressCount
    sections: list
    resume: Section | None


def player_bar(user_id, course, module, modules, rows, completion, content):
    """The sticky bar of a module page; `rows` as progress_rows, `content` its text."""
    lessons, _final = services.split_modules(modules)
    number = next((i for i, m in enumerate(lessons, start=1) if m.id == module.id), None)
    count = course_progress(user_id, course, modules, rows, completion).count
    last_section = getattr(rows.get(module.id), "last_section", None)
    found = _sections.get((module.current_version_id, content.lang),
                          lambda: tuple(sections(content.html)))
    resume = next((s for s in found if s.anchor == last_section), None)
    return PlayerBar(number, len(lessons), count, found, resume)
