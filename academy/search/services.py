"""Answering a search: FTS5 over Snowball stems on SQLite, tsvector/tsquery on PostgreSQL."""
from dataclasses import dataclass, field

from flask import url_for
from markupsafe import Markup
from sqlalchemy import select, text
from sqlalchemy.orm import defer, undefer

from academy.courses.models import Course, GlossaryTerm, Module
from academy.extensions import db
from academy.search.models import SearchDocument
from academy.search.text import MAX_QUERY_CHARS, Highlighter, query_words, stem

MAX_MATCHES = 200  # documents ranked by the database; two languages of one page count once
MAX_RESULTS = 30
MIN_PREFIX = 4  # the last word also matches as a prefix ("refoul" finds "refoulement")

_SQLITE = text(
    "SELECT search_fts.rowid, bm25(search_fts, 10.0, 1.0) AS rank FROM search_fts "
    "WHERE search_fts MATCH :match ORDER BY rank, search_fts.rowid LIMIT :limit")
_POSTGRES = text(
    # Title (A) words weigh five times body (B) words; 1 = divided by 1 + log(length), as
    # bm25 does on SQLite, so a long module that repeats a word does not bury its definition.
    "SELECT id, ts_rank('{0.02, 0.05, 0.2, 1.0}', search_vector, CASE WHEN lang = 'ru' "
    "THEN to_tsquery('russian', :match) ELSE to_tsquery('english', :match) END, 1) AS rank "
    "FROM search_document "
    "WHERE (lang = 'ru' AND search_vector @@ to_tsquery('russian', :match)) "
    "OR (lang <> 'ru' AND search_vector @@ to_tsquery('english', :match)) "
    "ORDER BY rank DESC, id LIMIT :limit")


@dataclass
class SearchResult:
    """One page found: what it is, its title and snippet (escaped, matches in <mark>), link."""

    kind: str
    lang: str
    title: Markup
    snippet: Markup
    url: str
    context: str = ""


@dataclass
class SearchOutcome:
    query: str
    words: list[str]
    results: list[SearchResult] = field(default_factory=list)
    total: int = 0


def _prefix(words):
    return len(words[-1]) >= MIN_PREFIX


def fts5_match(words) -> str:
    """An FTS5 query: every stem as a quoted phrase, ANDed; the last one also as a prefix."""
    terms = [f'"{stem(word)}"' for word in words]
    if _prefix(words):
        terms[-1] += "*"
    return " AND ".join(terms)


def tsquery_text(words) -> str:
    """A to_tsquery() argument: the words ANDed, the last one also as a prefix."""
    terms = list(words)
    if _prefix(words):
        terms[-1] += ":*"
    return " & ".join(terms)


def _ranked_ids(words):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        rows = db.session.execute(_POSTGRES, {"match": tsquery_text(words), "limit": MAX_MATCHES})
    else:
        rows = db.session.execute(_SQLITE, {"match": fts5_match(words), "limit": MAX_MATCHES})
    return [row[0] for row in rows]


def _target(document):
    return (document.kind, document.module_id or document.course_id or document.term_id)


def _best_per_page(documents, lang):
    """One document per page, in rank order; the reader's language where both matched."""
    chosen: dict[tuple, SearchDocument] = {}
    for document in documents:
        key = _target(document)
        if key not in chosen or (document.lang == lang and chosen[key].lang != lang):
            chosen[key] = document
    return list(chosen.values())


def _urls(documents):
    course_ids = {d.course_id for d in documents if d.course_id}
    module_ids = {d.module_id for d in documents if d.module_id}
    term_ids = {d.term_id for d in documents if d.term_id}
    courses = {c.id: c for c in db.session.scalars(select(Course).where(Course.id.in_(course_ids)))}
    modules = {m.id: m for m in db.session.scalars(select(Module).where(Module.id.in_(module_ids)))}
    terms = {t.id: t for t in db.session.scalars(
        select(GlossaryTerm).where(GlossaryTerm.id.in_(term_ids)))}
    for document in documents:
        if document.kind == "term":
            yield url_for("glossary.index", _anchor=terms[document.term_id].key), ""
            continue
        course = courses[document.course_id]
        if document.kind == "module":
            yield (url_for("learning.module", slug=course.slug,
                           module_slug=modules[document.module_id].slug),
                   course.title(document.lang))
        else:
            yield url_for("learning.course", slug=course.slug), ""


def search(raw_query, lang) -> SearchOutcome:
    """The pages matching every word of `raw_query` (any form of it), best first."""
    query = " ".join((raw_query or "").split())[:MAX_QUERY_CHARS]
    words = query_words(query)
    outcome = SearchOutcome(query=query, words=words)
    if not words:
        return outcome
    ids = _ranked_ids(words)
    # Long bodies are loaded below for the shown results only.
    by_id = {d.id: d for d in db.session.scalars(
        select(SearchDocument).where(SearchDocument.id.in_(ids))
        .options(defer(SearchDocument.body), defer(SearchDocument.body_stems),
                 defer(SearchDocument.title_stems)))}
    pages = _best_per_page([by_id[i] for i in ids if i in by_id], lang)
    outcome.total = len(pages)
    pages = pages[:MAX_RESULTS]
    db.session.scalars(select(SearchDocument).where(SearchDocument.id.in_([p.id for p in pages]))
                       .options(undefer(SearchDocument.body), undefer(SearchDocument.body_stems))
                       ).all()
    highlighter = Highlighter(words)
    for document, (url, context) in zip(pages, _urls(pages)):
        outcome.results.append(SearchResult(
            kind=document.kind, lang=document.lang, title=highlighter.mark(document.title),
            snippet=highlighter.snippet(document.body, document.body_stems), url=url,
            context=context))
    return outcome
