"""Parse and check a course library folder (DESIGN §3, courses/README.md).

`parse_library(path)` never raises for bad input: every problem becomes a `Problem` with the
file and line to fix. The importer only proceeds when there is no error.
"""
import re
from pathlib import Path

from flask_babel import _

from academy.courses.images import IMAGE_SUFFIXES, check_images
from academy.courses.questions import parse_body
from academy.courses.sourcefiles import (MAX_COURSE_YML_BYTES, MAX_GLOSSARY_BYTES, load_yaml,
                                         read_source, sha256_hex, split_front_matter)
from academy.courses.specs import (FINAL_SLUG, LANGUAGES, MAX_MODULE_BYTES, MAX_SLUG_LENGTH,
                                   SLUG_RE, CourseSpec, GlossaryEntry, Library, ModuleFile,
                                   ModuleSpec, Problem, Problems, QuestionSpec)
from academy.courses.validation import (COURSE_SCHEMA, GLOSSARY_TERM_SCHEMA, MODULE_SCHEMA,
                                        MODULE_SCHEMA_RU, check_glossary_usage, check_links,
                                        check_mapping, check_translation)

__all__ = ["CourseSpec", "GlossaryEntry", "Library", "ModuleFile", "ModuleSpec", "Problem",
           "QuestionSpec", "parse_library"]

_MODULE_FOLDER = re.compile(r"^(\d{2})-(.*)$")


def parse_library(path) -> tuple[Library, list[Problem]]:
    """Parse a course folder or a folder of courses; return it with every problem found."""
    root = Path(path)
    library, problems = Library(), Problems()
    if not root.is_dir():
        problems.error(root, 1, _("%(path)s is not a folder: give a course folder or a folder of "
                                  "courses", path=str(root)) if root.exists() else
                       _("no such folder: give a course folder or a folder of courses"))
        return library, problems
    try:
        glossary = _parse_folders(root, library, problems)
    except OSError as exc:  # an unreadable folder, a file removed while checking
        problems.error(exc.filename or root, 1, _("cannot read: %(reason)s",
                                                  reason=exc.strerror or exc))
        return library, _in_file_order(problems)
    keys = {entry.key for entry in glossary} if glossary is not None else None
    for course in library.courses:
        for module in course.modules:
            for module_file in module.files.values():
                check_links(module_file, keys, problems)
            if "ru" in module.files:
                check_glossary_usage(module.files["ru"], glossary, problems)
    return library, _in_file_order(problems)


def _in_file_order(problems):
    """Problems grouped by file and sorted by line, as an editor lists them."""
    return sorted(problems, key=lambda problem: (problem.path, problem.line))


def _parse_folders(root, library, problems):
    """Parse the course(s) under `root`; return the glossary entries links are checked against."""
    if _is_course_folder(root):
        glossary_file = root.parent / "glossary.yml"
        # A single course is checked against the glossary of the library it belongs to.
        glossary = parse_glossary(glossary_file, Problems()) if glossary_file.is_file() else None
        _add_course(library, root, problems)
    else:
        glossary_file = root / "glossary.yml"
        if glossary_file.exists():
            library.glossary = glossary = parse_glossary(glossary_file, problems)
            library.glossary_path = glossary_file
        else:
            glossary = None
        for child in sorted(root.iterdir()):
            if child.is_dir() and not child.name.startswith((".", "_")):
                _add_course(library, child, problems)
        if not library.courses and library.glossary is None and not problems:
            problems.error(root, 1, _("no course found: a course folder holds a course.yml"))
    return glossary


def _is_course_folder(folder):
    if (folder / "course.yml").exists():
        return True
    # A course whose course.yml is missing still looks like one: it has module folders.
    return any(child.is_dir() and (_MODULE_FOLDER.match(child.name) or child.name == FINAL_SLUG)
               for child in folder.iterdir())


def _add_course(library, folder, problems):
    course = parse_course(folder, problems)
    if course is not None:
        library.courses.append(course)


def _slug_problem(slug):
    if not slug or len(slug) > MAX_SLUG_LENGTH or not SLUG_RE.match(slug):
        return _("%(slug)s is not a safe slug: use lower-case ASCII letters, digits and single "
                 "hyphens (like non-refoulement-basics)", slug=repr(slug))
    return None


def parse_course(folder: Path, problems: Problems) -> CourseSpec | None:
    """Parse one course folder: course.yml and its module folders."""
    if folder.is_symlink():
        problems.error(folder, 1, _("symbolic links are not allowed in the course library"))
        return None
    problem = _slug_problem(folder.name)
    if problem:
        problems.error(folder, 1, _("course folder name: %(problem)s", problem=problem))
    course = CourseSpec(slug=folder.name, path=folder, meta={})
    course_yml = folder / "course.yml"
    lines = {}
    if not course_yml.is_file():
        problems.error(course_yml, 1, _("missing course.yml: every course folder needs one"))
    else:
        source = read_source(course_yml, problems, MAX_COURSE_YML_BYTES)
        if source is not None:
            course.source_hash, course.source = sha256_hex(source[0]), source[1]
            meta, lines = load_yaml(source[1], course_yml, problems)
            if meta is None and lines is not None:
                problems.error(course_yml, 1, _("course.yml is empty"))
            elif meta is not None and check_mapping(meta, COURSE_SCHEMA, course_yml, lines,
                                                    problems):
                course.meta = meta
    _add_modules(course, problems)
    _check_final(course, course_yml, lines or {}, problems)
    return course


def _add_modules(course, problems):
    numbers, slugs = {}, {}
    for child in sorted(course.path.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        if child.is_symlink():
            problems.error(child, 1, _("symbolic links are not allowed in the course library"))
            continue
        if child.name == FINAL_SLUG:
            course.modules.append(parse_module(child, 0, FINAL_SLUG, "final", problems))
            continue
        match = _MODULE_FOLDER.match(child.name)
        if not match:
            problems.error(child, 1, _("module folder %(name)s must be named NN-slug, a two-digit "
                                       "number and a slug (like 01-sources-and-scope)",
                                       name=repr(child.name)))
            continue
        number, slug = int(match.group(1)), match.group(2)
        problem = _slug_problem(slug) or (slug == FINAL_SLUG and _(
            "the slug 'final' is reserved for the final assessment folder"))
        if problem:
            problems.error(child, 1, _("module folder name: %(problem)s", problem=problem))
            continue
        if number in numbers:
            problems.error(child, 1, _("module number %(number)02d is used twice (also by "
                                       "%(other)s)", number=number, other=numbers[number]))
            continue
        if slug in slugs:
            problems.error(child, 1, _("module slug %(slug)s is used twice (also by %(other)s)",
                                       slug=slug, other=slugs[slug]))
            continue
        numbers[number], slugs[slug] = child.name, child.name
        course.modules.append(parse_module(child, number, slug, "lesson", problems))
    course.modules.sort(key=lambda module: module.position)


def _check_final(course, course_yml, lines, problems):
    final = next((module for module in course.modules if module.kind == "final"), None)
    draw = (course.meta.get("final_assessment") or {}).get("draw")
    if final is None:
        if draw is not None:
            problems.error(course_yml, lines.get(("final_assessment",), 1), _(
                "final_assessment is set but there is no final/ folder with the question pool"))
        return
    if course.meta and draw is None:
        problems.error(final.path / "en.md", 1, _(
            "final/ holds a question pool but course.yml has no final_assessment: add "
            "'final_assessment: {draw: N}'"))
    english = final.files.get("en")
    if english is None:
        return
    if not english.questions:
        problems.error(english.path, english.body_line, _(
            "the final assessment pool has no questions"))
    elif isinstance(draw, int) and draw > len(english.questions):
        problems.error(course_yml, lines.get(("final_assessment", "draw"), 1), _(
            "final_assessment.draw is %(draw)d but the pool in final/en.md has only %(pool)d "
            "questions", draw=draw, pool=len(english.questions)))


def parse_module(folder: Path, number: int, slug: str, kind, problems: Problems) -> ModuleSpec:
    """Parse one module folder: en.md, ru.md, their checks against each other, its images."""
    module = ModuleSpec(number=number, slug=slug, kind=kind, path=folder)
    for lang in LANGUAGES:
        path = folder / f"{lang}.md"
        if path.exists() or path.is_symlink():
            module_file = parse_module_file(path, lang, problems)
            if module_file is not None:
                module.files[lang] = module_file
    english, russian = folder / "en.md", folder / "ru.md"
    if not english.exists():
        problems.error(english, 1, _("missing en.md: every module needs its English text"))
    elif not russian.exists():
        problems.warning(english, 1, _("no Russian translation (ru.md): Russian readers will see "
                                       "the English text with a notice"))
    if "en" in module.files and "ru" in module.files and not _has_errors(problems, module):
        check_translation(module.files["en"], module.files["ru"], problems)
    # After the translation check, which an image problem must not hide.
    shown = check_images(module, problems)
    for child in sorted(folder.iterdir()):
        if child.name in ("en.md", "ru.md") or child.name.startswith(".") or child.is_dir():
            continue
        if child.suffix.lower() not in IMAGE_SUFFIXES:
            problems.warning(child, 1, _("unexpected file, ignored: a module folder holds en.md, "
                                         "ru.md and images"))
        elif child.name not in shown:
            problems.warning(child, 1, _("image not shown in en.md or ru.md: it is not imported"))
    return module


def _has_errors(problems, module):
    paths = {str(module_file.path) for module_file in module.files.values()}
    return any(p.severity == "error" and p.path in paths for p in problems)


def parse_module_file(path: Path, lang: str, problems: Problems) -> ModuleFile | None:
    """Parse en.md or ru.md: front matter, teaching text, questions and links."""
    source = read_source(path, problems, MAX_MODULE_BYTES)
    if source is None:
        return None
    data, text = source
    parts = split_front_matter(text, path, problems)
    if parts is None:
        return None
    front_text, front_line, body, body_line = parts
    front, lines = load_yaml(front_text, path, problems, first_line=front_line)
    if front is None:
        if lines is not None:
            problems.error(path, 1, _("the front matter is empty"))
        return None
    check_mapping(front, MODULE_SCHEMA_RU if lang == "ru" else MODULE_SCHEMA, path, lines,
                  problems)
    parsed = parse_body(body, body_line, path, lang, problems)
    return ModuleFile(path=path, lang=lang, front=front if isinstance(front, dict) else {},
                      body=parsed.text, questions=parsed.questions, source_hash=sha256_hex(data),
                      source=text, body_line=body_line, links=parsed.links, key_lines=lines)


def parse_glossary(path: Path, problems: Problems) -> list[GlossaryEntry] | None:
    """Parse glossary.yml into entries; None when it cannot be read at all."""
    source = read_source(path, problems, MAX_GLOSSARY_BYTES)
    if source is None:
        return None
    data, lines = load_yaml(source[1], path, problems)
    if data is None:
        if lines is not None:
            problems.error(path, 1, _("glossary.yml is empty: it holds a list of terms"))
        return None
    schema = {"terms": (True, lambda value: None if isinstance(value, list)
                        else _("must be a list of terms"))}
    if not check_mapping(data, schema, path, lines, problems):
        return None
    entries, seen = [], {}
    for index, term in enumerate(data["terms"]):
        line = lines.get(("terms", index), 1)
        if not check_mapping(term, GLOSSARY_TERM_SCHEMA, path, lines, problems,
                             ("terms", index), line):
            continue
        if term["key"] in seen:
            problems.error(path, line, _("glossary key %(key)s is defined twice (also on line "
                                         "%(line)d)", key=term["key"], line=seen[term["key"]]))
            continue
        seen[term["key"]] = line
        entries.append(GlossaryEntry(
            key=term["key"], term_en=term["en"]["term"], term_ru=term["ru"]["term"],
            definition_en=term["en"]["definition"], definition_ru=term["ru"]["definition"],
            avoid_ru=list(term["ru"].get("avoid") or []), line=line))
    return entries
