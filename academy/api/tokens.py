"""Personal access tokens: created (shown once), stored hashed, expiring, scoped, revocable."""
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from academy.api.models import ApiToken
from academy.core.audit import record_event
from academy.extensions import db

SCOPES = ("reports:read", "certificates:read")
PREFIX = "acad_"
DEFAULT_DAYS = 90
MAX_DAYS = 366
TOUCH_EVERY = timedelta(minutes=1)  # last use is written at most once a minute per token


class TokenError(ValueError):
    """A token request was refused; str(error) explains why."""


def _hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def create_token(user, scopes, days=DEFAULT_DAYS, name=""):
    """A new token for `user`: returns (the token text, shown only now; the record); flushes."""
    scopes = sorted(set(scopes))
    if not scopes or any(scope not in SCOPES for scope in scopes):
        raise TokenError("choose scopes among: " + ", ".join(SCOPES))
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"a token lives from 1 to {MAX_DAYS} days")
    if "reports:read" in scopes:
        from academy.reports.filters import report_scope

        if report_scope(user) is None:
            raise TokenError("this account has no access to reports")
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name.strip()[:100], prefix=token[:12],
                      token_hash=_hash(token), scopes=" ".join(scopes),
                      expires_at=datetime.now(UTC) + timedelta(days=days))
    db.session.add(record)
    db.session.flush()
    record_event("tokens.create", target=user.email, token=record.prefix, scopes=scopes, days=days)
    return token, record


def revoke_token(record):
    """Revoke `record` (kept, for the record); flushes."""
    if record.revoked_at is None:
        record.revoked_at = datetime.now(UTC)
        record_event("tokens.revoke", target=record.user.email, token=record.prefix)
        db.session.flush()


def user_tokens(user):
    """The user's tokens, newest first."""
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.id.desc())).all()


def find_token(token):
    """The live ApiToken for `token` text (active user, not expired or revoked), or None."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    now = datetime.now(UTC)
    if (record is None or record.revoked_at is not None or _aware(record.expires_at) <= now
            or not record.user.active):
        return None
    last = _aware(record.last_used_at)
    if last is None or now - last >= TOUCH_EVERY:
        record.last_used_at = now
        db.session.commit()
    return record
