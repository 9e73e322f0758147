"""Trainer invitations and Trainer Network profiles."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from academy.extensions import db


class TrainerInvitation(db.Model):
    """An invitation to join the Trainer Network, sent to one e-mail address."""

    __tablename__ = "network_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(8))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(5))
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # SHA-256 of the random nonce inside the signed link; a new nonce replaces the old link.
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 index=True)


class TrainerProfile(db.Model):
    """What the Trainer Network knows about a trainer beyond the account's profile fields."""

    __tablename__ = "network_trainer_profile"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    # Comma-separated thematic-area keys and language codes, in a fixed order.
    areas: Mapped[str] = mapped_column(String(300), default="", server_default="")
    languages: Mapped[str] = mapped_column(String(100), default="", server_default="")
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    bio_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    trainings_delivered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def area_keys(self):
        return [key for key in self.areas.split(",") if key]

    @property
    def language_codes(self):
        return [code for code in self.languages.split(",") if code]
