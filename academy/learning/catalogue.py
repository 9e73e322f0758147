"""The catalogue: courses grouped by the six thematic areas of the Prague Process."""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from academy.courses.models import Course, Module, ModuleContent
from academy.extensions import db
from academy.learning import services

# Keys are fixed by the course format (courses/README.md); the order is the Action Plan's.
THEMATIC_AREAS = {
    "irregular-migration": _l("Preventing and fighting irregular migration and migrant smuggling "
                              "(includes Integrated Border Management)"),
    "asylum-protection": _l("Strengthening capacities in the area of asylum and international "
                            "protection"),
    "return-reintegration": _l("Promoting readmission, voluntary return and sustainable "
                               "reintegration"),
    "legal-migration": _l("Addressing legal migration and mobility, with emphasis on labour "
                          "migration"),
    "integration": _l("Promoting integration of legally residing migrants in their host "
                      "societies"),
    "migration-development": _l("Making migration and mobility positive forces for development"),
}


@dataclass
class CatalogueEntry:
    course: Course
    module_count: int
    progress: "services.ProgressCount | None" = None
    languages: tuple = ("en",)


@dataclass
class AreaGroup:
    key: str
    title: str
    entries: list[CatalogueEntry] = field(default_factory=list)


def area_title(key):
    """The translated official title of a thematic area (the key itself if unknown)."""
    return THEMATIC_AREAS.get(key, key)


def catalogue_by_area(user_id=None):
    """Areas that have courses, in the official order, each with its courses and their progress."""
    courses = db.session.scalars(select(Course).order_by(Course.title_en)).all()
    counts = dict(db.session.execute(
        select(Module.course_id, func.count(Module.id))
        .where(Module.kind == "lesson", Module.retired.is_(False),
               Module.current_version_id.is_not(None))
        .group_by(Module.course_id)).all())
    # Russian is offered when every lesson module of the course has a Russian text.
    translated = dict(db.session.execute(
        select(Module.course_id, func.count(ModuleContent.id))
        .join(ModuleContent, ModuleContent.version_id == Module.current_version_id)
        .where(Module.kind == "lesson", Module.retired.is_(False), ModuleContent.lang == "ru")
        .group_by(Module.course_id)).all())
    progress = services.progress_for_courses(user_id) if user_id else {}
    groups = {key: AreaGroup(key, title) for key, title in THEMATIC_AREAS.items()}
    for course in courses:
        group = groups.setdefault(course.thematic_area,
                                  AreaGroup(course.thematic_area, course.thematic_area))
        total = counts.get(course.id, 0)
        languages = ("en", "ru") if total and translated.get(course.id) == total else ("en",)
        group.entries.append(CatalogueEntry(course, total, progress.get(course.id), languages))
    return [group for group in groups.values() if group.entries]
