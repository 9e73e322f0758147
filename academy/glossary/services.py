"""The glossary page's data: terms in the reader's language, filtered and grouped by letter."""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from academy.core.audit import AuditEvent
from academy.core.cache import versioned_cache
from academy.core.database import read_one
from academy.courses.models import GlossaryTerm
from academy.extensions import db
from academy.glossary.text import fold, index_letter, sort_key

MAX_QUERY = 100


_sorted_terms = versioned_cache(16)


@dataclass(frozen=True)
class TermSnapshot:
    """A glossary term as the page shows it: a plain copy, shared by the requests of a worker."""

    id: int
    key: str
    term_en: str
    term_ru: str
    definition_en: str
    definition_ru: str

    def term(self, lang):
        return self.term_ru if lang == "ru" else self.term_en

    def definition(self, lang):
        return self.definition_ru if lang == "ru" else self.definition_en


# Every glossary page asks it: the statement is built once.
VERSION = select(func.max(AuditEvent.id)).where(AuditEvent.action == "courses.import")


def glossary_version():
    """The glossary's version: the last import of the library, which alone changes it (read
    outside the request's transaction: the page then needs no other query while it is kept)."""
    return read_one(VERSION)[0] or 0


def sorted_terms(lang, version=None):
    """Every term, sorted in `lang`; cached per glossary version and language."""
    def build():
        terms = [TermSnapshot(t.id, t.key, t.term_en, t.term_ru, t.definition_en,
                              t.definition_ru) for t in db.session.scalars(select(GlossaryTerm))]
        terms.sort(key=lambda term: sort_key(term.term(lang), lang))
        return tuple(terms)

    if version is None:
        version = glossary_version()
    return _sorted_terms.get((version, lang), build)


@dataclass
class LetterGroup:
    letter: str
    anchor: str
    terms: list[GlossaryTerm] = field(default_factory=list)


def matches(term, query: str) -> bool:
    """Whether the folded `query` occurs in the term or definition, in either language."""
    needle = fold(query)
    return any(needle in fold(text) for text in
               (term.term_en, term.term_ru, term.definition_en, term.definition_ru))


def clean_query(raw) -> str:
    """The search text as typed, trimmed and bounded."""
    return " ".join((raw or "").split())[:MAX_QUERY]


def glossary(lang: str, query: str = "", version=None):
    """(groups, total): the terms matching `query`, sorted in `lang` and grouped by letter."""
    terms = sorted_terms(lang, version)
    total = len(terms)
    if query:
        terms = [term for term in terms if matches(term, query)]
    groups: list[LetterGroup] = []
    for term in terms:
        letter = index_letter(term.term(lang))
        if not groups or groups[-1].letter != letter:
            groups.append(LetterGroup(letter, f"letter-{len(groups) + 1}"))
        groups[-1].terms.append(term)
    return groups, total
