"""The catalogue: courses grouped by the six thematic areas of the Prague Process."""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from academy.core.cache import versioned_cache
from academy.courses.models import LANGUAGES, Course, Module, ModuleContent
from academy.extensions import db
from academy.learning.progress import ProgressCount, enrolment_completions, progress_for_courses

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


# Catalogue filter by estimated time: key -> (label, more than, at most) hours.
DURATIONS = {
    "short": (_l("Up to 4 hours"), None, 4),
    "medium": (_l("4 to 8 hours"), 4, 8),
    "long": (_l("More than 8 hours"), 8, None),
}
LANGUAGE_NAMES = {"en": _l("English"), "ru": _l("Russian")}


@dataclass
class CatalogueFilters:
    """The catalogue's filters from the query string; an unknown value means "any"."""

    area: str = ""
    lang: str = ""
    duration: str = ""

    @classmethod
    def from_args(cls, args):
        """The filters of `?area=&lang=&duration=`, unknown values dropped."""
        def pick(name, allowed):
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(area=pick("area", THEMATIC_AREAS), lang=pick("lang", LANGUAGES),
                   duration=pick("duration", DURATIONS))

    @property
    def active(self):
        return bool(self.area or self.lang or self.duration)

    def admits(self, course, languages):
        """True when `course`, available in `languages`, passes every filter."""
        if self.area and course.thematic_area != self.area:
            return False
        if self.lang and self.lang not in languages:
            return False
        if self.duration:
            _label, above, at_most = DURATIONS[self.duration]
            hours = course.estimated_hours
            if (above is not None and hours <= above) or (at_most is not None and hours > at_most):
                return False
        return True


def filter_options(courses):
    """(key, label) pairs for each filter of the catalogue: areas that have courses (of
    `courses`, every course), languages, durations."""
    present = {course.thematic_area for course in courses}
    return {"area": [(key, title) for key, title in THEMATIC_AREAS.items() if key in present],
            "lang": list(LANGUAGE_NAMES.items()),
            "duration": [(key, label) for key, (label, _a, _b) in DURATIONS.items()]}


@dataclass
class CatalogueEntry:
    course: Course
    module_count: int
    progress: "ProgressCount | None" = None
    languages: tuple = ()


@dataclass
class AreaGroup:
    key: str
    title: str
    entries: list[CatalogueEntry] = field(default_factory=list)


def area_title(key):
    """The translated official title of a thematic area (the key itself if unknown)."""
    return THEMATIC_AREAS.get(key, key)


_PUBLISHED_LESSON = (Module.kind == "lesson", Module.retired.is_(False),
                     Module.current_version_id.is_not(None))


def course_languages(counts):
    """{course id: the languages every published lesson of the course is written in}."""
    written = db.session.execute(
        select(Module.course_id, ModuleContent.lang, func.count(Module.id))
        .join(ModuleContent, ModuleContent.version_id == Module.current_version_id)
        .where(*_PUBLISHED_LESSON).group_by(Module.course_id, ModuleContent.lang)).all()
    languages: dict[int, tuple] = {}
    for course_id, lang, count in sorted(written, key=lambda row: LANGUAGES.index(row[1])
                                         if row[1] in LANGUAGES else len(LANGUAGES)):
        if count == counts.get(course_id):
            languages[course_id] = languages.get(course_id, ()) + (lang,)
    return languages


_facts = versioned_cache(16)


def _lesson_facts(courses):
    """({course id: published lessons}, {course id: languages}), cached under the courses'
    content hashes, which every import that changes a module changes."""
    def build():
        counts = dict(db.session.execute(
            select(Module.course_id, func.count(Module.id))
            .where(*_PUBLISHED_LESSON).group_by(Module.course_id)).all())
        return counts, course_languages(counts)

    return _facts.get(tuple((c.id, c.content_hash) for c in courses), build)


def all_courses():
    """Every course, by English title."""
    return db.session.scalars(select(Course).order_by(Course.title_en)).all()


def catalogue_by_area(user_id=None, filters=None, courses=None):
    """Areas that have courses, in the official order, each with its courses and their progress.

    With `filters`, only the courses they admit (and the areas that keep any); `courses` (from
    all_courses) when the caller has them.
    """
    filters = filters or CatalogueFilters()
    courses = all_courses() if courses is None else courses
    counts, languages = _lesson_facts(courses)
    enrolled = enrolment_completions(user_id) if user_id else {}
    progress = progress_for_courses(user_id, [c for c in courses if c.id in enrolled],
                                             completions=enrolled)
    groups = {key: AreaGroup(key, title) for key, title in THEMATIC_AREAS.items()}
    for course in courses:
        course_langs = languages.get(course.id, LANGUAGES if not counts.get(course.id) else ())
        if not filters.admits(course, course_langs):
            continue
        group = groups.setdefault(course.thematic_area,
                                  AreaGroup(course.thematic_area, course.thematic_area))
        group.entries.append(CatalogueEntry(course, counts.get(course.id, 0),
                                            progress.get(course.id), course_langs))
    return [group for group in groups.values() if group.entries]
