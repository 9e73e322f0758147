"""Single-use, expiring tokens sent by e-mail; only their SHA-256 is stored."""
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from academy.auth.models import AuthToken, User
from academy.extensions import db

CONFIRM_EMAIL = "confirm_email"
RESET_PASSWORD = "reset_password"


def utcnow():
    """The current time in UTC, timezone-aware."""
    return datetime.now(timezone.utc)


def _as_utc(moment):
    # SQLite hands timestamps back without a zone; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _digest(raw_token):
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def issue_token(user, purpose, lifetime: timedelta):
    """A new raw token for `user` (earlier unused ones of this purpose stop working)."""
    revoke_tokens(user, purpose)
    raw_token = secrets.token_urlsafe(32)
    db.session.add(AuthToken(user_id=user.id, purpose=purpose, token_hash=_digest(raw_token),
                             expires_at=utcnow() + lifetime))
    db.session.flush()
    return raw_token


def revoke_tokens(user, purpose):
    """Mark every unused token of `user` for `purpose` as used."""
    db.session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.purpose == purpose,
               AuthToken.used_at.is_(None))
        .values(used_at=utcnow()))


def find_token(raw_token, purpose):
    """The stored token matching `raw_token` and `purpose`, used or not (None if unknown)."""
    if not raw_token or len(raw_token) > 200:
        return None
    return db.session.scalar(select(AuthToken).where(AuthToken.token_hash == _digest(raw_token),
                                                     AuthToken.purpose == purpose))


def is_usable(token):
    """True when `token` exists, is unused and has not expired."""
    return token is not None and token.used_at is None and _as_utc(token.expires_at) > utcnow()


def token_user(raw_token, purpose):
    """The active account a usable token belongs to, or None."""
    token = find_token(raw_token, purpose)
    if not is_usable(token):
        return None
    user = db.session.get(User, token.user_id)
    return user if user is not None and user.active else None


def consume_token(raw_token, purpose):
    """Use the token once: return its active account and mark it used, or None if unusable."""
    token = find_token(raw_token, purpose)
    if not is_usable(token):
        return None
    # The conditional UPDATE makes two simultaneous clicks consume the token only once.
    result = db.session.execute(
        update(AuthToken).where(AuthToken.id == token.id, AuthToken.used_at.is_(None))
        .values(used_at=utcnow()))
    if result.rowcount != 1:
        return None
    user = db.session.get(User, token.user_id)
    return user if user is not None and user.active else None
