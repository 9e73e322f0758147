"""The parsed course library: plain data that the checker produces and the importer consumes."""
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]

THEMATIC_AREAS = ("irregular-migration", "asylum-protection", "return-reintegration",
                  "legal-migration", "integration", "migration-development")
LANGUAGES = ("en", "ru")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 100
MAX_MODULE_BYTES = 512 * 1024
FINAL_SLUG = "final"
FINAL_POSITION = 99
# What a quiz review shows: "full" — each answer, the correct options and the feedback;
# "outcome" — the score and, per question, the stem and whether the answer was right;
# "score" — the score alone.
REVIEW_LEVELS = ("full", "outcome", "score")
FINAL_DEFAULTS = {"max_attempts": 3, "wait_hours": 24, "requires_all_modules": True,
                  "review": "outcome"}


@dataclass(frozen=True)
class Problem:
    """One finding of the checker, printed as `path:line: severity: message`."""

    path: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self):
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass
class GlossaryEntry:
    key: str
    term_en: str
    term_ru: str
    definition_en: str
    definition_ru: str
    avoid_ru: list[str] = field(default_factory=list)
    line: int = 1


@dataclass
class QuestionSpec:
    """A `::: question` container; stem, feedback and option texts are Markdown source."""

    line: int
    stem: str
    options: list[tuple[str, bool]]
    feedback: str
    scenario: bool = False
    kind: Literal["single", "multiple", "truefalse"] = "single"

    @property
    def answer_key(self) -> tuple[bool, ...]:
        """Which options are correct, in order."""
        return tuple(correct for _text, correct in self.options)


@dataclass
class ModuleFile:
    """One language of a module: front matter, teaching text and questions."""

    path: Path
    lang: str
    front: dict
    body: str
    questions: list[QuestionSpec]
    source_hash: str
    source: str = ""  # the whole file as read (LF line ends), kept for export
    body_line: int = 1  # line of the file where `body` starts, for messages
    links: list[tuple[int, str, bool]] = field(default_factory=list)  # (line, url, is_image)
    key_lines: dict = field(default_factory=dict)  # front matter key path -> line


@dataclass(frozen=True)
class ImageFile:
    """A checked module image: a safe name, an allowed type judged by content, within the limit."""

    name: str
    media_type: str
    data: bytes = field(repr=False)
    sha256: str
    width: int
    height: int


@dataclass
class ModuleSpec:
    number: int
    slug: str
    kind: Literal["lesson", "final"]
    path: Path
    files: dict[str, ModuleFile] = field(default_factory=dict)
    images: dict[str, ImageFile] = field(default_factory=dict)  # name -> image en.md/ru.md show

    @property
    def position(self) -> int:
        """Where the module sits in its course; the final pool always comes last."""
        return FINAL_POSITION if self.kind == "final" else self.number


@dataclass
class CourseSpec:
    slug: str
    path: Path
    meta: dict
    modules: list[ModuleSpec] = field(default_factory=list)
    source_hash: str = ""  # SHA-256 of course.yml
    source: str = ""  # course.yml as read


@dataclass
class Library:
    courses: list[CourseSpec] = field(default_factory=list)
    glossary: list[GlossaryEntry] | None = None
    glossary_path: Path | None = None


class Problems(list):
    """The problems found so far, in the order found."""

    def error(self, path, line, message):
        """Record an error: the library cannot be imported."""
        self.append(Problem(str(path), line, str(message), "error"))

    def warning(self, path, line, message):
        """Record a warning: imported anyway, but worth fixing."""
        self.append(Problem(str(path), line, str(message), "warning"))

    @property
    def has_errors(self) -> bool:
        """True when any problem is an error."""
        return any(problem.severity == "error" for problem in self)
