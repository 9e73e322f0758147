"""Building the search index from the imported library; runs on import, never per request."""
from sqlalchemy import delete, select, text
from sqlalchemy.orm import selectinload

from academy.courses.models import Course, GlossaryTerm, Module, ModuleVersion
from academy.courses.services import library_imported
from academy.extensions import db
from academy.search.models import SearchDocument
from academy.search.text import html_to_text, stems

LANGS = ("en", "ru")
# PostgreSQL configuration per document language; the title weighs more than the body.
PG_VECTOR = text(
    "UPDATE search_document SET search_vector = "
    "setweight(to_tsvector(CASE lang WHEN 'ru' THEN 'russian'::regconfig "
    "ELSE 'english'::regconfig END, title), 'A') || "
    "setweight(to_tsvector(CASE lang WHEN 'ru' THEN 'russian'::regconfig "
    "ELSE 'english'::regconfig END, body), 'B')")


def _document(kind, lang, title, body, **links):
    return SearchDocument(kind=kind, lang=lang, title=title[:300], body=body,
                          title_stems=" ".join(stems(title)), body_stems=" ".join(stems(body)),
                          **links)


def _course_documents(course):
    for lang in LANGS:
        yield _document("course", lang, course.title(lang), course.summary(lang),
                        course_id=course.id)


def _module_documents(module):
    # Only the languages the module is written in: a fallback to English is not Russian text.
    for content in module.current_version.contents:
        body = " ".join([content.summary or "", " ".join(map(str, content.objectives or [])),
                         html_to_text(content.html)])
        yield _document("module", content.lang, content.title, body, course_id=module.course_id,
                        module_id=module.id, position=module.position)


def _term_documents(term):
    for lang in LANGS:
        yield _document("term", lang, term.term(lang), term.definition(lang), term_id=term.id)


def rebuild_index():
    """Replace the whole index with the current library (lessons only: no quiz content); flushes.

    Returns the number of documents.
    """
    db.session.execute(delete(SearchDocument))
    documents = []
    for course in db.session.scalars(select(Course)):
        documents.extend(_course_documents(course))
    modules = db.session.scalars(
        select(Module).where(Module.kind == "lesson", Module.retired.is_(False),
                             Module.current_version_id.is_not(None))
        .options(selectinload(Module.current_version).selectinload(ModuleVersion.contents))
        # Modules loaded earlier in this transaction (a publish) get their new version.
        .execution_options(populate_existing=True))
    for module in modules:
        if module.current_version is not None:
            documents.extend(_module_documents(module))
    for term in db.session.scalars(select(GlossaryTerm)):
        documents.extend(_term_documents(term))
    db.session.add_all(documents)
    db.session.flush()
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        db.session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    elif dialect == "postgresql":
        db.session.execute(PG_VECTOR)
    return len(documents)


@library_imported.connect
def _on_library_imported(summary, **_extra):
    # An unchanged import writes nothing, unless the index is still empty (a database that
    # had its library before the search index existed).
    empty = db.session.scalar(select(SearchDocument.id).limit(1)) is None
    if summary.changed or empty:
        rebuild_index()
