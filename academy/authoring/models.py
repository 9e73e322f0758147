"""A draft of a module: both languages' Markdown files as an author left them."""
import enum
from datetime import datetime

from sqlalchemy import (JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint, func)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.auth.models import User
from academy.courses.models import Module, ModuleVersion
from academy.extensions import db


class DraftStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"


OPEN_STATUSES = (DraftStatus.DRAFT.value, DraftStatus.SUBMITTED.value, DraftStatus.RETURNED.value)


class AuthoringDraft(db.Model):
    """Work on one module until it is published; then the record of who wrote and published it."""

    __tablename__ = "authoring_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    # The version the draft started from: publishing is refused when the module moved on.
    base_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_version.id", name="fk_authoring_draft_base_version"))
    text_en: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=DraftStatus.DRAFT.value, index=True)
    # Raised by every save: a save carrying an older revision is a stale save.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", name="fk_authoring_draft_author"))
    updated_by_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", name="fk_authoring_draft_updated_by"))
    # Everyone who saved it: none of them may publish it.
    contributor_ids: Mapped[list] = mapped_column(JSON, default=list)
    review_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", name="fk_authoring_draft_reviewer"))
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_version.id", name="fk_authoring_draft_published_version"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    module: Mapped[Module] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    base_version: Mapped[ModuleVersion | None] = relationship(foreign_keys=[base_version_id])
    published_version: Mapped[ModuleVersion | None] = relationship(
        foreign_keys=[published_version_id])
    images: Mapped[list["AuthoringImage"]] = relationship(
        order_by="AuthoringImage.name", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        """True until published."""
        return self.status in OPEN_STATUSES


class AuthoringImage(db.Model):
    """An image uploaded into a draft; it becomes a ModuleAsset when the draft is published."""

    __tablename__ = "authoring_image"
    __table_args__ = (UniqueConstraint("draft_id", "name", name="uq_authoring_image_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("authoring_draft.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(110))
    media_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
