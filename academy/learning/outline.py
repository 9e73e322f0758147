"""A course's outline (its published modules with titles, no text) and module texts, cached.

The outline is cached under the course's content hash, which every import that changes a module
(text, order, kind, retirement) changes; a module version and its texts are immutable, so they
are cached under the version id. Cached values are plain objects, never ORM rows: they are
shared by the requests of a worker and hold nothing bound to a database session.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from academy.core.cache import versioned_cache
from academy.courses.models import Module, ModuleContent, ModuleVersion, Question
from academy.extensions import db

_outlines = versioned_cache(256)
_texts = versioned_cache(512)

_HEAD_COLUMNS = ("id", "version_id", "lang", "title", "summary", "estimated_minutes",
                 "objectives", "sources")


@dataclass(frozen=True)
class ContentSnapshot:
    """One language of a module version: front matter, and the HTML only where loaded."""

    id: int
    version_id: int
    lang: str
    title: str
    summary: str
    estimated_minutes: int
    objectives: list
    sources: list
    html: str | None = None


@dataclass(frozen=True)
class VersionSnapshot:
    id: int
    number: int
    contents: tuple[ContentSnapshot, ...]
    question_count: int

    def content(self, lang):
        """The front matter in `lang`, or the English one when there is no translation."""
        by_lang = {c.lang: c for c in self.contents}
        return by_lang.get(lang) or by_lang["en"]


@dataclass(frozen=True)
class OutlineModule:
    """What the course, lesson and dashboard pages need of a module: no text."""

    id: int
    course_id: int
    slug: str
    position: int
    kind: str
    current_version_id: int
    current_version: VersionSnapshot = field(compare=False)
    retired: bool = False


def _snapshot(content, html=False):
    return ContentSnapshot(*(getattr(content, name) for name in _HEAD_COLUMNS),
                           html=content.html if html else None)


def _build_outline(course_id):
    rows = db.session.execute(
        select(Module, ModuleVersion.number)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(Module.course_id == course_id, Module.retired.is_(False))
        .order_by((Module.kind == "final").asc(), Module.position)).all()
    version_ids = [module.current_version_id for module, _number in rows]
    heads = {}
    counts = {}
    if version_ids:
        for content in db.session.scalars(
                select(ModuleContent).options(load_only(*(getattr(ModuleContent, name)
                                                          for name in _HEAD_COLUMNS)))
                .where(ModuleContent.version_id.in_(version_ids))
                .execution_options(populate_existing=False)):
            heads.setdefault(content.version_id, []).append(_snapshot(content))
        counts = dict(db.session.execute(
            select(Question.version_id, func.count(Question.id))
            .where(Question.version_id.in_(version_ids)).group_by(Question.version_id)).all())
    return tuple(
        OutlineModule(module.id, module.course_id, module.slug, module.position, module.kind,
                      module.current_version_id,
                      VersionSnapshot(module.current_version_id, number,
                                      tuple(sorted(heads.get(module.current_version_id, ()),
                                                   key=lambda c: c.lang)),
                                      counts.get(module.current_version_id, 0)))
        for module, number in rows)


def course_outline(course):
    """The course's published modules in order, lessons first (a tuple of OutlineModule)."""
    return _outlines.get((course.id, course.content_hash), lambda: _build_outline(course.id))


def module_text(version_id, lang):
    """The module version's text in `lang` (English when untranslated), with its HTML."""
    def build():
        contents = db.session.scalars(select(ModuleContent)
                                      .where(ModuleContent.version_id == version_id)).all()
        by_lang = {c.lang: c for c in contents}
        return _snapshot(by_lang.get(lang) or by_lang["en"], html=True)

    return _texts.get((version_id, lang), build)
