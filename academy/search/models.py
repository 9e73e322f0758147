"""The search index: one plain-text document per course, module and glossary term per language.

On SQLite the stems also go into the FTS5 table `search_fts` (external content, rowid = id);
on PostgreSQL the column `search_vector` (tsvector, GIN-indexed) exists only in the database,
filled from title and body with the `english` or `russian` configuration. Both are created by
the migration, and neither is mapped here.
"""
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from academy.extensions import db


class SearchDocument(db.Model):
    __tablename__ = "search_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # course, module, term
    lang: Mapped[str] = mapped_column(String(5))
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("module.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int | None] = mapped_column(
        ForeignKey("glossary_term.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # a module's place in its course
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Snowball stems of title and body, space-separated: what FTS5 indexes on SQLite.
    title_stems: Mapped[str] = mapped_column(Text)
    body_stems: Mapped[str] = mapped_column(Text)


def include_in_autogenerate(name, type_, _parent_names):
    """Alembic `include_name`: leave out what the migration makes by hand for one dialect only
    (the FTS5 table and its shadow tables; the tsvector column and its GIN index)."""
    if type_ == "table":
        return not (name or "").startswith("search_fts")
    if type_ == "column":
        return name != "search_vector"
    if type_ == "index":
        return name != "ix_search_document_search_vector"
    return True
