"""course.yml through a form, and module order: checked and imported like files."""
import re
from datetime import date

import yaml
from flask_babel import lazy_gettext as _l

from academy.authoring import workspace
from academy.core.audit import record_event
from academy.courses.export import module_folder
from academy.courses.sourcefiles import SAFE_LOADER

# The course.yml keys the form edits; the others (final_assessment, max_attempts) stay as they are.
FIELDS = ("title_en", "title_ru", "summary_en", "summary_ru", "thematic_area", "pass_mark",
          "certificate", "estimated_hours", "valid_as_of", "shuffle_options")
_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def course_meta(course) -> dict:
    """course.yml as plain data (the stored source, read by the safe loader)."""
    data = yaml.load(course.source, Loader=SAFE_LOADER) if course.source else None
    return data if isinstance(data, dict) else {}


def form_values(course) -> dict[str, str]:
    """The form's initial values, as text."""
    meta = course_meta(course)
    title, summary = meta.get("title") or {}, meta.get("summary") or {}
    return {"title_en": title.get("en", ""), "title_ru": title.get("ru", ""),
            "summary_en": summary.get("en", ""), "summary_ru": summary.get("ru", ""),
            **{key: _text(meta.get(key)) for key in FIELDS[4:]}}


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def _typed(text: str):
    """The YAML value a form text stands for; anything odd stays text for the checker to name."""
    text = text.strip()
    if _INTEGER.match(text):
        return int(text)
    if _NUMBER.match(text):
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def course_yaml_from_form(course, values: dict[str, str]) -> str:
    """course.yml with the form's fields set; the keys the form does not show are kept."""
    meta = course_meta(course)
    meta["title"] = {"en": values.get("title_en", "").strip(),
                     "ru": values.get("title_ru", "").strip()}
    meta["summary"] = {"en": values.get("summary_en", "").strip(),
                       "ru": values.get("summary_ru", "").strip()}
    for key in FIELDS[4:]:
        raw = values.get(key, "")
        if key == "shuffle_options":
            meta[key] = raw == "true"
        elif key in ("thematic_area", "certificate"):
            meta[key] = raw.strip()
        else:
            meta[key] = _typed(raw)
    order = ["title", "summary", "thematic_area", "pass_mark", "certificate", "estimated_hours",
             "valid_as_of", "shuffle_options"]
    ordered = {key: meta[key] for key in order if key in meta}
    ordered.update({key: value for key, value in meta.items() if key not in ordered})
    return yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100)


def save_course_fields(course, values):
    """Check, then import course.yml from the form; returns the problems (nothing saved if any
    is an error)."""
    source = course_yaml_from_form(course, values)
    problems = workspace.check_course(course, overrides={"course.yml": source})
    if any(problem.severity == "error" for problem in problems):
        return problems
    workspace.apply_course(course, overrides={"course.yml": source})
    record_event("authoring.course_fields", target=course.slug)
    return problems


def reorder_modules(course, positions: dict[str, str]):
    """Renumber the lesson modules (slug → new number); returns the problems (nothing saved if
    any is an error)."""
    renames = {}
    for module in course.modules:
        if module.kind != "lesson" or module.current_version_id is None:
            continue
        raw = (positions.get(module.slug) or "").strip()
        number = int(raw) if raw.isdigit() and 0 < int(raw) < 100 else None
        if number is None:
            return [workspace.Problem(module.slug, 1, str(_l(
                "give the module a number from 1 to 99"))), ]
        renames[module_folder(module)] = f"{number:02d}-{module.slug}"
    problems = workspace.check_course(course, renames=renames)
    if any(problem.severity == "error" for problem in problems):
        return problems
    workspace.apply_course(course, renames=renames)
    record_event("authoring.reorder", target=course.slug, order=sorted(renames.values()))
    return problems
