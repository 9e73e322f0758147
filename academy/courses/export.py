"""Writing a course from the database back to files in the library layout (DESIGN §3)."""
from pathlib import Path

import yaml
from flask_babel import _
from sqlalchemy import select

from academy.courses.models import Course, GlossaryTerm, Module
from academy.courses.specs import FINAL_SLUG
from academy.extensions import db


class ExportError(Exception):
    """The course cannot be exported; the message says why."""


def export_course(slug: str, destination) -> list[Path]:
    """Write course `slug` (its current module versions) to `destination`/<slug>/; list files.

    The Markdown files are the sources stored at import, byte for byte (LF line ends), and the
    images their stored bytes, so an export imports back as "unchanged". A glossary.yml is
    written next to the course when the destination has none, so that the exported folder
    checks cleanly on its own.
    """
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise ExportError(_("no course with the slug %(slug)s", slug=slug))
    target = Path(destination) / slug
    if target.exists() and any(target.iterdir()):
        raise ExportError(_("%(path)s already exists and is not empty: choose another "
                            "destination", path=str(target)))
    files = _course_files(course)
    written = []
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="\n")
        written.append(path)
    glossary = Path(destination) / "glossary.yml"
    if not glossary.exists():
        glossary.write_text(glossary_yaml(), encoding="utf-8", newline="\n")
        written.append(glossary)
    return written


def module_folder(module) -> str:
    """The folder name of a module in the library layout: NN-slug, or final."""
    return FINAL_SLUG if module.kind == "final" else f"{module.position:02d}-{module.slug}"


def course_files(course) -> dict[str, str | bytes]:
    """The files of a course in the library layout (its current versions), by relative path."""
    return _course_files(course)


def _course_files(course) -> dict[str, str | bytes]:
    files = {"course.yml": course.source or course_yaml(course)}
    modules = select(Module).where(Module.course_id == course.id, Module.retired.is_(False))
    for module in db.session.scalars(modules.order_by(Module.position)):
        version = module.current_version
        if version is None:
            continue
        folder = module_folder(module)
        for content in version.contents:
            if not content.source:
                raise ExportError(_("module %(module)s was imported before sources were stored: "
                                    "import it again, then export", module=module.slug))
            files[f"{folder}/{content.lang}.md"] = content.source
        for asset in version.assets:
            files[f"{folder}/{asset.name}"] = asset.data
    return files


def course_yaml(course) -> str:
    """course.yml rebuilt from the course row (for courses imported before it was stored)."""
    hours = course.estimated_hours
    data = {
        "title": {"en": course.title_en, "ru": course.title_ru},
        "summary": {"en": course.summary_en, "ru": course.summary_ru},
        "thematic_area": course.thematic_area,
        "pass_mark": course.pass_mark,
        "certificate": course.certificate_policy,
        "estimated_hours": int(hours) if float(hours).is_integer() else hours,
        "valid_as_of": course.valid_as_of,
        "shuffle_options": course.shuffle_options,
    }
    if course.max_attempts:
        data["max_attempts"] = course.max_attempts
    if course.quiz_review != "full":
        data["quiz_review"] = course.quiz_review
    if course.final_draw:
        data["final_assessment"] = {
            "draw": course.final_draw, "max_attempts": course.final_max_attempts,
            "wait_hours": course.final_wait_hours,
            "requires_all_modules": course.final_requires_modules,
            "review": course.final_review}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def glossary_yaml() -> str:
    """glossary.yml rebuilt from the glossary terms in the database."""
    terms = []
    for term in db.session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.key)):
        russian = {"term": term.term_ru, "definition": term.definition_ru}
        if term.avoid_ru:
            russian["avoid"] = list(term.avoid_ru)
        terms.append({"key": term.key, "en": {"term": term.term_en,
                                              "definition": term.definition_en},
                      "ru": russian})
    return yaml.safe_dump({"terms": terms}, allow_unicode=True, sort_keys=False, width=100)
