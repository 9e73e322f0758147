"""Courses, modules and their immutable published versions."""
from datetime import date, datetime

from sqlalchemy import (JSON, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint, func, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.extensions import db

LANGUAGES = ("en", "ru")


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title_en: Mapped[str] = mapped_column(String(300))
    title_ru: Mapped[str] = mapped_column(String(300))
    summary_en: Mapped[str] = mapped_column(Text)
    summary_ru: Mapped[str] = mapped_column(Text)
    thematic_area: Mapped[str] = mapped_column(String(40), index=True)
    pass_mark: Mapped[int] = mapped_column(Integer)
    certificate_policy: Mapped[str] = mapped_column(String(10))
    estimated_hours: Mapped[float]
    valid_as_of: Mapped[date] = mapped_column(Date)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    final_draw: Mapped[int | None] = mapped_column(Integer)
    # What the review of a module quiz shows: full, outcome or score (specs.REVIEW_LEVELS).
    quiz_review: Mapped[str] = mapped_column(String(10), default="full", server_default="full")
    # The final assessment keeps its value (DESIGN §4): limited attempts, a wait between them,
    # open only once every module is complete, a review without the key until it is passed.
    final_max_attempts: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    final_wait_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    final_requires_modules: Mapped[bool] = mapped_column(default=True, server_default=true())
    final_review: Mapped[str] = mapped_column(String(10), default="outcome",
                                              server_default="outcome")
    # Hash of the whole course as imported: the "content version" certificates name.
    content_hash: Mapped[str] = mapped_column(String(64))
    content_version: Mapped[int] = mapped_column(Integer, default=1)
    # course.yml as imported, so that `academy courses export` writes it back unchanged; only
    # export and the course editor read it, so it is loaded when they ask (deferred).
    source: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    modules: Mapped[list["Module"]] = relationship(
        order_by="Module.position",
        primaryjoin="and_(Course.id == Module.course_id, Module.retired == False)",
        viewonly=True)

    def title(self, lang):
        return self.title_ru if lang == "ru" else self.title_en

    def summary(self, lang):
        return self.summary_ru if lang == "ru" else self.summary_en


class Module(db.Model):
    """A module of a course; kind 'final' holds the final assessment's question pool."""

    __tablename__ = "module"
    __table_args__ = (UniqueConstraint("course_id", "slug", name="uq_module_course_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="lesson")
    # A module removed from the course files is retired, never deleted: records point at it.
    retired: Mapped[bool] = mapped_column(default=False)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_version.id", use_alter=True, name="fk_module_current_version"))

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    current_version: Mapped["ModuleVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True)


class ModuleVersion(db.Model):
    """An immutable published version of a module, both languages together."""

    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_id", "number", name="uq_module_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    source_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    module: Mapped[Module] = relationship(foreign_keys=[module_id])
    contents: Mapped[list["ModuleContent"]] = relationship(
        back_populates="version", cascade="all, delete-orphan")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan")
    assets: Mapped[list["ModuleAsset"]] = relationship(
        back_populates="version", order_by="ModuleAsset.name", cascade="all, delete-orphan")

    def content(self, lang):
        """The content in `lang`, or the English content when there is no translation."""
        by_lang = {c.lang: c for c in self.contents}
        return by_lang.get(lang) or by_lang["en"]


class ModuleContent(db.Model):
    """One language of a module version: front matter and the HTML rendered at import."""

    __tablename__ = "module_content"
    __table_args__ = (UniqueConstraint("version_id", "lang", name="uq_module_content_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    estimated_minutes: Mapped[int] = mapped_column(Integer, default=0)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    html: Mapped[str] = mapped_column(Text)  # sanitised at import: safe to output as is
    source_hash: Mapped[str] = mapped_column(String(64))
    # The Markdown file as imported, so that `academy courses export` can write it back.
    source: Mapped[str] = mapped_column(Text, default="", server_default="")

    version: Mapped[ModuleVersion] = relationship(back_populates="contents")


class ModuleAsset(db.Model):
    """An image of a module version, stored with it and as immutable as it.

    Its bytes are part of the version's source hash: a changed image is a new version.
    """

    __tablename__ = "module_asset"
    __table_args__ = (UniqueConstraint("version_id", "name", name="uq_module_asset_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(110))  # a slug and .png, .jpg, .jpeg or .webp
    media_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    # Deferred: a revalidation (304) or a listing never loads the bytes.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    version: Mapped[ModuleVersion] = relationship(back_populates="assets")


class Question(db.Model):
    """A question of a module version; stems, feedback and option texts are sanitised HTML."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("module_version.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # single, multiple, truefalse
    scenario: Mapped[bool] = mapped_column(default=False)
    stem_en: Mapped[str] = mapped_column(Text)
    stem_ru: Mapped[str | None] = mapped_column(Text)
    feedback_en: Mapped[str] = mapped_column(Text, default="")
    feedback_ru: Mapped[str | None] = mapped_column(Text)

    version: Mapped[ModuleVersion] = relationship(back_populates="questions")
    options: Mapped[list["Option"]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan")

    def stem(self, lang):
        return self.stem_ru if lang == "ru" and self.stem_ru else self.stem_en

    def feedback(self, lang):
        return self.feedback_ru if lang == "ru" and self.stem_ru else self.feedback_en


class Option(db.Model):
    __tablename__ = "option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    is_correct: Mapped[bool] = mapped_column(default=False)
    text_en: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str | None] = mapped_column(Text)

    question: Mapped[Question] = relationship(back_populates="options")

    def text(self, lang):
        return self.text_ru if lang == "ru" and self.text_ru else self.text_en


class GlossaryTerm(db.Model):
    __tablename__ = "glossary_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    term_en: Mapped[str] = mapped_column(String(300))
    term_ru: Mapped[str] = mapped_column(String(300))
    definition_en: Mapped[str] = mapped_column(Text)
    definition_ru: Mapped[str] = mapped_column(Text)
    # Competing Russian translations that modules must not use for this term.
    avoid_ru: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    def term(self, lang):
        return self.term_ru if lang == "ru" else self.term_en

    def definition(self, lang):
        return self.definition_ru if lang == "ru" else self.definition_en
