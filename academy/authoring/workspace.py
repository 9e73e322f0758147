"""A module's draft checked and published exactly as files are: through the course library.

The course is written to a temporary folder in the library layout (its current versions, with
the draft's en.md/ru.md in the module's folder), then `parse_library` checks it as `academy
courses check` does and `import_parsed` imports it as `academy courses import` does.
"""
import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

from academy.courses.export import course_files, glossary_yaml, module_folder
from academy.courses.images import media_url
from academy.courses.markdown import ImageSource, render_blocks, render_inline, render_markdown
from academy.courses.parser import parse_library
from academy.courses.services import CourseLibraryError, import_parsed
from academy.courses.specs import ModuleSpec, Problem

_SOURCE_HASH_LINE = re.compile(r"^source_hash:.*$", re.MULTILINE)
_SOURCE_HASH_VALUE = re.compile(r"""^source_hash:\s*["']?([0-9a-f]{12})["']?\s*$""")


@dataclass
class ModuleCheck:
    """The checker's findings for a draft: per language, and elsewhere in the course."""

    by_lang: dict[str, list[Problem]] = field(default_factory=dict)
    other: list[Problem] = field(default_factory=list)
    spec: ModuleSpec | None = None

    @property
    def errors(self) -> list[Problem]:
        """Every error, whatever the file."""
        found = [p for problems in self.by_lang.values() for p in problems] + self.other
        return [p for p in found if p.severity == "error"]


def normalise(text: str | None) -> str | None:
    """Text as the checker reads a file: LF line ends, no byte-order mark; None when blank."""
    if text is None:
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip() else None


def english_hash(text_en: str) -> str:
    """The 12 hex digits a translation of `text_en` carries as its source_hash."""
    return hashlib.sha256(text_en.encode("utf-8")).hexdigest()[:12]


def translated_from(text_ru: str | None) -> str | None:
    """The source_hash in the front matter of a Russian text, or None."""
    if not text_ru:
        return None
    lines = text_ru.split("\n")
    if lines[0].rstrip() != "---":
        return None
    for line in lines[1:]:
        if line.rstrip() in ("---", "..."):
            return None
        match = _SOURCE_HASH_VALUE.match(line)
        if match:
            return match.group(1)
    return None


def mark_translated(text_ru: str, text_en: str) -> str:
    """The Russian text with its source_hash set to the English text's (front matter only)."""
    lines = text_ru.split("\n")
    if lines[0].rstrip() != "---":
        return text_ru
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[1:index])
            value = f"source_hash: {english_hash(text_en)}"
            if _SOURCE_HASH_LINE.search(front):
                front = _SOURCE_HASH_LINE.sub(value, front, count=1)
            else:
                front = f"{front}\n{value}" if front else value
            return "\n".join(["---", front] + lines[index:])
    return text_ru


def _write_course(root: Path, course, module=None, text_en=None, text_ru=None, *,
                  overrides=None, renames=None, images=None) -> Path:
    """Write the course's files under `root`; a module's texts, other files (`overrides`,
    None deletes) and module folder names (`renames`) replaced on the way."""
    files = course_files(course)
    if module is not None:
        folder = module_folder(module)
        files[f"{folder}/en.md"] = text_en
        files[f"{folder}/ru.md"] = text_ru
        for name, data in (images or {}).items():
            files[f"{folder}/{name}"] = data
    for relative, content in (overrides or {}).items():
        files[relative] = content
    target = root / course.slug
    for relative, content in files.items():
        if content is None:
            continue
        folder, _sep, rest = relative.partition("/")
        if rest and renames and folder in renames:
            relative = f"{renames[folder]}/{rest}"
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="\n")
    (root / "glossary.yml").write_text(glossary_yaml(), encoding="utf-8", newline="\n")
    return target


def check_course(course, overrides=None, renames=None) -> list[Problem]:
    """Every problem `academy courses check` finds in the course with these changes."""
    with tempfile.TemporaryDirectory(prefix="academy-authoring-") as tmp:
        folder = _write_course(Path(tmp), course, overrides=overrides, renames=renames)
        _library, problems = parse_library(folder)
        return [_relative(problem, Path(tmp)) for problem in problems]


def apply_course(course, overrides=None, renames=None):
    """Import the course with these changes, as `academy courses import` does (no commit)."""
    with tempfile.TemporaryDirectory(prefix="academy-publish-") as tmp:
        folder = _write_course(Path(tmp), course, overrides=overrides, renames=renames)
        library, problems = parse_library(folder)
        if any(problem.severity == "error" for problem in problems):
            raise CourseLibraryError([_relative(p, Path(tmp)) for p in problems])
        return import_parsed(library, problems)


def _relative(problem: Problem, root: Path) -> Problem:
    path = Path(problem.path)
    shown = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
    return Problem(shown, problem.line, problem.message, problem.severity)


def check_module(course, module, text_en: str, text_ru: str | None,
                 images=None) -> ModuleCheck:
    """Check the course with this module's texts replaced, as `academy courses check` would."""
    with tempfile.TemporaryDirectory(prefix="academy-authoring-") as tmp:
        root = Path(tmp)
        folder = _write_course(root, course, module, text_en, text_ru, images=images)
        library, problems = parse_library(folder)
        module_path = folder / module_folder(module)
        result = ModuleCheck(by_lang={"en": [], "ru": []})
        for problem in problems:
            path = Path(problem.path)
            shown = _relative(problem, root)
            if path.parent == module_path and path.name in ("en.md", "ru.md"):
                result.by_lang[path.stem].append(shown)
            else:
                result.other.append(shown)
        for course_spec in library.courses:
            for spec in course_spec.modules:
                if spec.slug == module.slug and spec.kind == module.kind:
                    result.spec = spec
        return result


def publish_texts(course, module, text_en: str, text_ru: str | None, images=None):
    """Import the course with this module's texts, as `academy courses import` does (no commit).

    Only modules whose files changed get a new immutable version. Raises CourseLibraryError.
    """
    with tempfile.TemporaryDirectory(prefix="academy-publish-") as tmp:
        folder = _write_course(Path(tmp), course, module, text_en, text_ru, images=images)
        library, problems = parse_library(folder)
        if any(problem.severity == "error" for problem in problems):
            raise CourseLibraryError([_relative(p, Path(tmp)) for p in problems])
        return import_parsed(library, problems)


def preview_html(course, module, spec: ModuleSpec, draft_urls=None) -> dict[str, dict]:
    """Each language rendered by the site's renderer: teaching text and questions (safe HTML).

    Images come from the draft (`draft_urls`: name -> URL) or else the published version.
    """
    version = module.current_version
    published = {asset.name for asset in version.assets} if version else set()
    number = version.number if version else 0
    draft_urls = draft_urls or {}
    images = {name: ImageSource(draft_urls.get(name) or media_url(course.slug, module.slug,
                                                                    number, name),
                                image.width, image.height)
              for name, image in spec.images.items() if name in published or name in draft_urls}
    previews = {}
    for lang, module_file in spec.files.items():
        questions = [{"stem": render_markdown(question.stem, images),
                      "options": [(render_inline(text, images), correct)
                                  for text, correct in question.options],
                      "feedback": render_markdown(question.feedback, images)}
                     for question in module_file.questions]
        previews[lang] = {"title": module_file.front.get("title", ""),
                          "blocks": render_blocks(module_file.body, images),
                          "questions": questions}
    return previews


def aligned(previews, part):
    """Rows of (lang, item) pairs: the n-th block (or question) of each language side by side,
    an empty cell where one language has fewer."""
    langs = [lang for lang in ("en", "ru") if lang in previews]
    columns = [previews[lang][part] for lang in langs]
    return [list(zip(langs, row)) for row in zip_longest(*columns, fillvalue=None)]
