"""The glossary page's data: terms in the reader's language, filtered and grouped by letter."""
from dataclasses import dataclass, field

from sqlalchemy import select

from academy.courses.models import GlossaryTerm
from academy.extensions import db
from academy.glossary.text import fold, index_letter, sort_key

MAX_QUERY = 100


@dataclass
class LetterGroup:
    letter: str
    anchor: str
    terms: list[GlossaryTerm] = field(default_factory=list)


def matches(term: GlossaryTerm, query: str) -> bool:
    """Whether the folded `query` occurs in the term or definition, in either language."""
    needle = fold(query)
    return any(needle in fold(text) for text in
               (term.term_en, term.term_ru, term.definition_en, term.definition_ru))


def clean_query(raw) -> str:
    """The search text as typed, trimmed and bounded."""
    return " ".join((raw or "").split())[:MAX_QUERY]


def glossary(lang: str, query: str = ""):
    """(groups, total): the terms matching `query`, sorted in `lang` and grouped by letter."""
    terms = db.session.scalars(select(GlossaryTerm)).all()
    total = len(terms)
    if query:
        terms = [term for term in terms if matches(term, query)]
    terms.sort(key=lambda term: sort_key(term.term(lang), lang))
    groups: list[LetterGroup] = []
    for term in terms:
        letter = index_letter(term.term(lang))
        if not groups or groups[-1].letter != letter:
            groups.append(LetterGroup(letter, f"letter-{len(groups) + 1}"))
        groups[-1].terms.append(term)
    return groups, total
