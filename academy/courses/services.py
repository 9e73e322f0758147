"""Importing a checked course library into the database: all or nothing, idempotent, versioned."""
import hashlib
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from blinker import Namespace
from flask_babel import _
from sqlalchemy import func, select

from academy.core.audit import record_event
from academy.courses.images import media_url
from academy.courses.markdown import (GlossaryNote, ImageSource, render_inline, render_markdown,
                                      render_module)
from academy.courses.models import (Course, GlossaryTerm, Module, ModuleAsset, ModuleContent,
                                    ModuleVersion, Option, Question)
from academy.courses.parser import parse_library
from academy.courses.specs import FINAL_DEFAULTS, CourseSpec, GlossaryEntry, ModuleSpec, Problem
from academy.extensions import db


class CourseLibraryError(Exception):
    """The library has errors; nothing was imported. `problems` lists every finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [problem for problem in self.problems if problem.severity == "error"]
        super().__init__("\n".join(str(problem) for problem in errors)
                         or _("the course library could not be imported"))


_RANDOM = random.SystemRandom()

# Sent inside the import's transaction, after every write: listeners (the search index) update
# what they derive from the library, and fail the import with them if they fail.
library_imported = Namespace().signal("library-imported")


@dataclass
class ImportSummary:
    """What an import changed; re-importing unchanged files leaves every count but *_unchanged 0."""

    courses_created: int = 0
    courses_updated: int = 0
    courses_unchanged: int = 0
    modules_created: int = 0
    modules_updated: int = 0
    modules_unchanged: int = 0
    modules_retired: int = 0
    versions_created: int = 0
    glossary_created: int = 0
    glossary_updated: int = 0
    glossary_unchanged: int = 0
    glossary_removed: int = 0
    warnings: list[Problem] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        """What changed, one translated line per kind of record."""
        return [
            _("courses: %(created)d created, %(updated)d updated, %(unchanged)d unchanged",
              created=self.courses_created, updated=self.courses_updated,
              unchanged=self.courses_unchanged),
            _("modules: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
              "%(retired)d retired", created=self.modules_created, updated=self.modules_updated,
              unchanged=self.modules_unchanged, retired=self.modules_retired),
            _("new module versions: %(count)d", count=self.versions_created),
            _("glossary terms: %(created)d created, %(updated)d updated, %(unchanged)d "
              "unchanged, %(removed)d removed", created=self.glossary_created,
              updated=self.glossary_updated, unchanged=self.glossary_unchanged,
              removed=self.glossary_removed),
        ]

    def __str__(self):
        return "; ".join(self.report_lines())

    @property
    def changed(self) -> bool:
        """True when the import wrote anything."""
        return any((self.courses_created, self.courses_updated, self.modules_created,
                    self.modules_updated, self.modules_retired, self.versions_created,
                    self.glossary_created, self.glossary_updated, self.glossary_removed))


def import_library(path) -> ImportSummary:
    """Check the library at `path`, then import it in one transaction; raise on any error."""
    library, problems = parse_library(path)
    if any(problem.severity == "error" for problem in problems):
        raise CourseLibraryError(problems)
    try:
        summary = import_parsed(library, problems)
        if summary.changed:
            record_event("courses.import", target=Path(path).name, summary=summary.report_lines())
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return summary


def import_parsed(library, problems) -> ImportSummary:
    """Import a checked, error-free parsed library into the session; flushes, never commits."""
    summary = ImportSummary(warnings=list(problems))
    db.session.info.pop("glossary_notes", None)  # rendered per import, from this glossary
    try:
        if library.glossary is not None:
            _import_glossary(library.glossary, summary)
        for course in library.courses:
            _import_course(course, summary)
        db.session.flush()
    finally:
        db.session.info.pop("glossary_notes", None)
    # Derived data (the search index) follows in the same transaction, whoever imported:
    # `academy courses import`, a publish in the browser or an uploaded zip.
    library_imported.send(summary)
    return summary


def module_version_hash(spec: ModuleSpec) -> str:
    """The identity of a module's content: both languages' file hashes and its images' bytes."""
    parts = [f"{lang}:{spec.files[lang].source_hash if lang in spec.files else '-'}"
             for lang in ("en", "ru")]
    # Only modules with images get these parts, so the hash of a module without any is unchanged.
    parts += [f"image:{name}:{image.sha256}" for name, image in sorted(spec.images.items())]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def course_content_hash(spec: CourseSpec) -> str:
    """The identity of a whole course: course.yml and every module's content."""
    parts = [f"course.yml:{spec.source_hash}"]
    parts += [f"{module.kind}:{module.slug}:{module_version_hash(module)}"
              for module in spec.modules]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _course_fields(meta):
    valid_as_of = meta["valid_as_of"]
    return {
        "title_en": meta["title"]["en"], "title_ru": meta["title"]["ru"],
        "summary_en": meta["summary"]["en"], "summary_ru": meta["summary"]["ru"],
        "thematic_area": meta["thematic_area"], "pass_mark": meta["pass_mark"],
        "certificate_policy": meta["certificate"],
        "estimated_hours": float(meta["estimated_hours"]),
        "valid_as_of": (valid_as_of if isinstance(valid_as_of, date)
                        else date.fromisoformat(valid_as_of)),
        "shuffle_options": meta.get("shuffle_options", True) is not False,
        "max_attempts": meta.get("max_attempts"),
        "quiz_review": meta.get("quiz_review", "full"),
        **_final_fields(meta.get("final_assessment") or {}),
    }


def _final_fields(final):
    """The final assessment's options from course.yml, each with its safe default (DESIGN §4)."""
    options = {**FINAL_DEFAULTS, **{k: v for k, v in final.items() if v is not None}}
    return {"final_draw": final.get("draw"), "final_max_attempts": options["max_attempts"],
            "final_wait_hours": options["wait_hours"],
            "final_requires_modules": options["requires_all_modules"] is not False,
            "final_review": options["review"]}


def _update(row, fields) -> bool:
    """Set the fields that differ; True when any did."""
    changed = False
    for name, value in fields.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _import_course(spec: CourseSpec, summary: ImportSummary):
    fields = {**_course_fields(spec.meta), "source": spec.source}
    content_hash = course_content_hash(spec)
    course = db.session.scalar(select(Course).where(Course.slug == spec.slug))
    if course is None:
        course = Course(slug=spec.slug, content_hash=content_hash, content_version=1, **fields)
        db.session.add(course)
        db.session.flush()
        summary.courses_created += 1
    else:
        changed = _update(course, fields)
        if course.content_hash != content_hash:
            course.content_hash = content_hash
            course.content_version += 1
            changed = True
        if changed:
            course.updated_at = func.now()
            summary.courses_updated += 1
        else:
            summary.courses_unchanged += 1
    existing = {module.slug: module for module in db.session.scalars(
        select(Module).where(Module.course_id == course.id))}
    for module_spec in spec.modules:
        _import_module(course, existing.pop(module_spec.slug, None), module_spec, summary)
    for module in existing.values():
        # A module never published (a new module still in authoring) has nothing to retire.
        if not module.retired and module.current_version_id is not None:
            module.retired = True
            summary.modules_retired += 1


def _import_module(course, module, spec: ModuleSpec, summary: ImportSummary):
    version_hash = module_version_hash(spec)
    created = module is None
    if created:
        module = Module(course_id=course.id, slug=spec.slug, position=spec.position,
                        kind=spec.kind, retired=False)
        db.session.add(module)
        db.session.flush()
        summary.modules_created += 1
        changed = True
    else:
        changed = _update(module, {"position": spec.position, "kind": spec.kind,
                                   "retired": False})
    current = module.current_version
    if current is None or current.source_hash != version_hash:
        last = db.session.scalar(select(func.max(ModuleVersion.number))
                                 .where(ModuleVersion.module_id == module.id)) or 0
        # Older versions stay as they are: attempts and progress point at the one they used.
        version = _create_version(course, module, spec, last + 1, version_hash)
        module.current_version_id = version.id
        summary.versions_created += 1
        changed = True
    else:
        # Same sources: the stored HTML is only refreshed when the renderer or glossary changed.
        _refresh_reading_html(course, module, current, spec)
    if not created:
        if changed:
            summary.modules_updated += 1
        else:
            summary.modules_unchanged += 1


def _module_images(course, module, spec: ModuleSpec, number):
    return {name: ImageSource(media_url(course.slug, module.slug, number, name), image.width,
                              image.height) for name, image in spec.images.items()}


def _glossary_notes(lang):
    """Glossary terms by key, as module text in `lang` explains them in place."""
    notes = db.session.info.get("glossary_notes")
    if notes is None:
        notes = db.session.info["glossary_notes"] = {
            code: {term.key: GlossaryNote(term.term(code), term.definition(code))
                   for term in db.session.scalars(select(GlossaryTerm))}
            for code in ("en", "ru")}
    return notes[lang]


def reading_html(spec: ModuleSpec, lang, images):
    """The HTML a learner reads for one language of a module."""
    return render_module(spec.files[lang].body, lang, images, _glossary_notes(lang))


def _refresh_reading_html(course, module, version, spec: ModuleSpec):
    images = _module_images(course, module, spec, version.number)
    for content in version.contents:
        if content.lang in spec.files:
            html = reading_html(spec, content.lang, images)
            if content.html != html:
                content.html = html


def _create_version(course, module, spec: ModuleSpec, number, version_hash) -> ModuleVersion:
    """A new immutable version: content per language (HTML rendered now), questions, options,
    images."""
    version = ModuleVersion(module_id=module.id, number=number, source_hash=version_hash)
    images = _module_images(course, module, spec, number)

    def html(text):
        return render_markdown(text, images)

    for lang, module_file in spec.files.items():
        front = module_file.front
        version.contents.append(ModuleContent(
            lang=lang, title=front["title"], summary=front["summary"],
            estimated_minutes=front["estimated_minutes"], objectives=list(front["objectives"]),
            sources=list(front["sources"]), html=reading_html(spec, lang, images),
            source_hash=module_file.source_hash, source=module_file.source))
    english, russian = spec.files["en"], spec.files.get("ru")
    for position, question in enumerate(english.questions, start=1):
        translated = russian.questions[position - 1] if russian else None
        row = Question(
            position=position, kind=question.kind, scenario=question.scenario,
            stem_en=html(question.stem), stem_ru=html(translated.stem) if translated else None,
            feedback_en=html(question.feedback),
            feedback_ru=html(translated.feedback) if translated else None)
        options = [Option(position=index + 1, is_correct=correct, text_en=render_inline(text, images),
                          text_ru=(render_inline(translated.options[index][0], images)
                                   if translated else None))
                   for index, (text, correct) in enumerate(question.options)]
        # Insert in random order: option ids go into the quiz form, and ids that rise with the
        # authored position would let a learner undo the per-attempt shuffle.
        row.options.extend(_RANDOM.sample(options, len(options)))
        version.questions.append(row)
    for name, image in sorted(spec.images.items()):
        version.assets.append(ModuleAsset(name=name, media_type=image.media_type,
                                          sha256=image.sha256, size=len(image.data),
                                          data=image.data))
    db.session.add(version)
    db.session.flush()
    return version


def _import_glossary(entries: list[GlossaryEntry], summary: ImportSummary):
    rows = {term.key: term for term in db.session.scalars(select(GlossaryTerm))}
    for entry in entries:
        fields = {"term_en": entry.term_en, "term_ru": entry.term_ru,
                  "definition_en": entry.definition_en, "definition_ru": entry.definition_ru,
                  "avoid_ru": list(entry.avoid_ru)}
        row = rows.pop(entry.key, None)
        if row is None:
            db.session.add(GlossaryTerm(key=entry.key, **fields))
            summary.glossary_created += 1
        elif _update(row, fields):
            summary.glossary_updated += 1
        else:
            summary.glossary_unchanged += 1
    # glossary.yml is the whole glossary: a term taken out of it leaves the glossary page.
    for row in rows.values():
        db.session.delete(row)
        summary.glossary_removed += 1
    db.session.flush()
