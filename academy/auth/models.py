"""Account records."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from academy.core.roles import Role
from academy.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    name_latin: Mapped[str] = mapped_column(String(200), default="")
    name_cyrillic: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(8), default="other", index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(5), default="en")
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER.value, index=True)
    # A coordinator's states: "all" or comma-separated ISO codes (academy.auth.scopes).
    country_scope: Mapped[str] = mapped_column(String(400), default="all", server_default="all")
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change, logout-everywhere and deactivation to end old sessions.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The second factor (academy.auth.mfa): the TOTP secret, when it was confirmed, and the
    # last time step used, so that no code works twice.
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Moved by database triggers on every change to this account or a row of theirs (their
    # enrolments, progress, attempts, certificates…): a kept page of theirs is current while it
    # is unchanged (academy.core.pagecache). Never set by the application.
    page_stamp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_active(self):
        return self.active

    @property
    def is_authenticated(self):
        # An account object is a signed-in user (load_user refuses deactivated ones). Not read
        # from `active`: after a view's commit that would load the row again, and on SQLite a
        # POST would take the write lock a second time just for the response headers.
        return True

    # The token of the session record this request was loaded with (academy.auth.session_records).
    session_token = None
    session_record_id = None

    def get_id(self):
        return f"{self.id}:{self.session_version}:{self.session_token or ''}"

    @property
    def display_name(self):
        return self.name_latin or self.name_cyrillic or self.email

    def has_role(self, *roles):
        """True when the account holds one of `roles`, or is an admin."""
        return self.role == Role.ADMIN.value or self.role in {Role(r).value for r in roles}


class AuthToken(db.Model):
    """A single-use, expiring token for e-mail confirmation or password reset (stored hashed)."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AuthSession(db.Model):
    """A signed-in session on one device; the cookie holds its token, the table only a hash.

    Deleting the row ends the session: a copy of its cookie stops working too (ASVS V3.3).
    """

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
