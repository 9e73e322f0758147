"""The legal-source index: every act and article the courses cite, and who cites them.

Built from the course library on disk (`index_library`, for `academy courses sources` and the
checker) or from the published modules in the database (`index_database`, for the /sources/
page). Both read the English text; the Russian module asks the same questions.
"""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import _

from academy.courses.specs import Problems
from academy.sources.identifiers import Act, celex_act, find_citations, parse_source, treaty_act

DEFAULT_MAX_AGE_MONTHS = 12


@dataclass(frozen=True)
class ModuleRef:
    """A module that cites sources, with what a listing needs to name and link it."""

    course_slug: str
    course_title: str
    module_slug: str
    module_title: str
    kind: str  # lesson | final
    valid_as_of: date | None
    course_title_ru: str = ""
    module_title_ru: str = ""

    def titles(self, lang):
        """(course title, module title) in `lang`, English where there is no translation."""
        if lang == "ru" and self.module_title_ru:
            return self.course_title_ru or self.course_title, self.module_title_ru
        return self.course_title, self.module_title

    @property
    def label(self):
        return f"{self.course_slug}/{self.module_slug}"


@dataclass(frozen=True)
class Use:
    """One place citing an article: the module's sources list, its text, or question N."""

    module: ModuleRef
    where: str  # "sources" | "text" | "question"
    question: int | None = None
    snippet: str = ""


@dataclass
class ActEntry:
    act: Act
    articles: dict[str, list[Use]] = field(default_factory=dict)  # "" = the act as a whole

    def modules(self):
        """Every module citing the act, in course order."""
        return list(dict.fromkeys(use.module for uses in self.articles.values() for use in uses))


@dataclass
class SourceIndex:
    acts: dict[str, ActEntry] = field(default_factory=dict)
    modules: list[ModuleRef] = field(default_factory=list)

    def add(self, act: Act, article: str, use: Use):
        """Record that `use` cites `article` of `act` (once per place)."""
        entry = self.acts.setdefault(act.id, ActEntry(act))
        uses = entry.articles.setdefault(article, [])
        if use not in uses:
            uses.append(use)

    def select(self, act=None, article=None) -> list["ActEntry"]:
        """The entries for an act (CELEX, application number, treaty key or a word of the
        label) and an article, sorted: EU acts, treaties, then case law."""
        chosen = []
        needle = (act or "").strip().casefold()
        for entry in sorted(self.acts.values(), key=lambda e: e.act.sort_key):
            if needle and needle != entry.act.id.casefold() and \
                    needle not in entry.act.label.casefold():
                continue
            if article:
                wanted = str(article).strip()
                articles = {number: uses for number, uses in entry.articles.items()
                            if number == wanted}
                if not articles:
                    continue
                entry = ActEntry(entry.act, articles)
            chosen.append(entry)
        return chosen

    def stale(self, today=None, max_age_months=DEFAULT_MAX_AGE_MONTHS) -> list[ModuleRef]:
        """Modules whose course's `valid_as_of` is older than `max_age_months`."""
        limit = months_before(today or date.today(), max_age_months)
        return [module for module in self.modules
                if module.valid_as_of is not None and module.valid_as_of < limit]


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the last day of a shorter month)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    return date(year, month + 1, 28)


def _act_for(key):
    return treaty_act(key) if key == "ECHR" or key.startswith("UNTS ") else celex_act(key)


def index_module(index: SourceIndex, ref: ModuleRef, sources, body, questions):
    """Add one module: its `sources` entries, article citations in its text and questions."""
    index.modules.append(ref)
    known = {}
    for text in sources or ():
        parsed = parse_source(str(text))
        for act in parsed.acts:
            known[act.id] = act
            index.add(act, "", Use(ref, "sources", snippet=str(text)))
            if len(parsed.acts) == 1:
                for article in parsed.articles:
                    index.add(act, article, Use(ref, "sources", snippet=str(text)))
    for citation in find_citations(body or ""):
        act = known.get(citation.act) or _act_for(citation.act)
        index.add(act, citation.article, Use(ref, "text", snippet=citation.snippet))
    for number, question in enumerate(questions or (), start=1):
        parts = [question.stem, question.feedback, *(text for text, _ok in question.options)]
        for citation in (c for part in parts for c in find_citations(part)):
            act = known.get(citation.act) or _act_for(citation.act)
            index.add(act, citation.article, Use(ref, "question", number, citation.snippet))


def _as_date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def index_library(library) -> SourceIndex:
    """The index of a parsed course library (`academy.courses.parser.parse_library`)."""
    index = SourceIndex()
    for course in library.courses:
        title = ((course.meta or {}).get("title") or {}).get("en", course.slug)
        valid = _as_date((course.meta or {}).get("valid_as_of"))
        for module in course.modules:
            english = module.files.get("en")
            if english is None:
                continue
            ref = ModuleRef(course.slug, str(title), module.slug,
                            str(english.front.get("title", module.slug)), module.kind, valid)
            index_module(index, ref, english.front.get("sources"), english.body,
                         english.questions)
    return index


def index_database() -> SourceIndex:
    """The index of the published (current) versions of every module in the database."""
    from sqlalchemy import select

    from academy.courses.models import Course, Module
    from academy.courses.questions import parse_body
    from academy.courses.sourcefiles import split_front_matter
    from academy.extensions import db

    index = SourceIndex()
    modules = db.session.execute(
        select(Module, Course).join(Course, Module.course_id == Course.id)
        .where(Module.retired.is_(False), Module.current_version_id.is_not(None))
        .order_by(Course.slug, Module.position)).all()
    for module, course in modules:
        contents = {c.lang: c for c in module.current_version.contents}
        content = contents.get("en")
        if content is None:
            continue
        russian = contents.get("ru")
        problems = Problems()
        parts = split_front_matter(content.source or "", "en.md", problems)
        body, questions = "", []
        if parts is not None:
            parsed = parse_body(parts[2], parts[3], "en.md", "en", problems)
            body, questions = parsed.text, parsed.questions
        ref = ModuleRef(course.slug, course.title_en, module.slug, content.title, module.kind,
                        course.valid_as_of, course.title_ru, russian.title if russian else "")
        index_module(index, ref, content.sources, body, questions)
    return index


def check_sources(library, problems: Problems):
    """Warn about `sources` entries whose identifier is malformed (CELEX, application no.)."""
    for course in library.courses:
        for module in course.modules:
            for module_file in module.files.values():
                for position, text in enumerate(module_file.front.get("sources") or ()):
                    for message in parse_source(str(text)).problems:
                        line = module_file.key_lines.get(("sources", position), 1)
                        problems.warning(module_file.path, line, _("sources: %(message)s",
                                                                   message=message))
