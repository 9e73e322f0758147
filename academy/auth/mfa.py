"""The second factor: TOTP (RFC 6238) with one-time recovery codes, required for privileged roles.

Sign-in becomes two steps for an account that has a second factor or whose role requires one:
the password check leaves a short-lived *pending* sign-in in the session, and only the code
completes it. An account whose role requires the factor and has none enrols first.
"""
import hashlib
import secrets
import time
from datetime import datetime

import pyotp
import segno
from flask import current_app, session
from sqlalchemy import DateTime, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from academy.auth.models import User
from academy.auth.tokens import utcnow
from academy.core.audit import record_event
from academy.core.security_log import security_event
from academy.extensions import db

ISSUER = "Prague Process Training Academy"
RECOVERY_CODES = 10
PENDING_SECONDS = 600
RECENT_AUTH_SECONDS = 900
_PENDING = "mfa_pending"
_SETUP_SECRET = "mfa_setup_secret"
AUTH_AT = "auth_at"


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app (stored hashed)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def required_roles():
    """The roles that must use a second factor (ACADEMY_MFA_REQUIRED_ROLES)."""
    value = current_app.config.get("ACADEMY_MFA_REQUIRED_ROLES", "coordinator,admin")
    if isinstance(value, str):
        value = value.split(",")
    return {role.strip() for role in value if role.strip()}


def is_required(user):
    """True when `user`'s role must use a second factor."""
    return user.role in required_roles()


def is_enrolled(user):
    """True when `user` has confirmed an authenticator app."""
    return user.mfa_enabled_at is not None


def needs_second_step(user):
    """True when signing in as `user` takes a code after the password."""
    return is_enrolled(user) or is_required(user)


# --- the pending sign-in ---------------------------------------------------------------------

def begin(user, remember, next_url):
    """Remember, for a few minutes, that `user` gave the right password."""
    session[_PENDING] = {"id": user.id, "v": user.session_version, "remember": bool(remember),
                         "next": next_url or "", "at": int(time.time())}


def pending():
    """(user, remember, next) of a live pending sign-in, or None."""
    data = session.get(_PENDING)
    if not isinstance(data, dict) or time.time() - data.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or not user.active or user.session_version != data.get("v"):
        return None
    return user, data.get("remember", False), data.get("next", "")


def clear_pending():
    """Forget the pending sign-in and any secret shown for enrolment."""
    session.pop(_PENDING, None)
    session.pop(_SETUP_SECRET, None)


# --- enrolment -------------------------------------------------------------------------------

def setup_secret():
    """The secret offered for enrolment in this session (a new one on first use)."""
    secret = session.get(_SETUP_SECRET)
    if not secret:
        secret = session[_SETUP_SECRET] = pyotp.random_base32()
    return secret


def provisioning_uri(user, secret):
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri):
    """The QR code of `uri` as an SVG data: URI (the CSP allows data: images, not scripts)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _step(secret, code):
    """The 30-second time step `code` belongs to (now, or one step either side), or None."""
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp, now = pyotp.TOTP(secret), time.time()
    for offset in (0, -30, 30):
        if secrets.compare_digest(totp.at(now + offset), code):
            return totp.timecode(datetime.fromtimestamp(now + offset))
    return None


def enrol(user, code):
    """Confirm the offered secret with a code from the app; the new recovery codes, or None."""
    secret = session.get(_SETUP_SECRET)
    step = _step(secret, code) if secret else None
    if step is None:
        security_event("mfa.enrol_failure", user)
        return None
    user.mfa_secret, user.mfa_enabled_at, user.mfa_last_step = secret, utcnow(), step
    session.pop(_SETUP_SECRET, None)
    record_event("users.mfa_enrol", target=user.email)
    security_event("mfa.enrolled", user)
    return new_recovery_codes(user)


def new_recovery_codes(user):
    """Replace `user`'s recovery codes with RECOVERY_CODES new ones; returns them (shown once)."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    db.session.flush()
    return codes


def _digest(code):
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


# --- verification ----------------------------------------------------------------------------

def verify(user, code):
    """True when `code` is a fresh TOTP code or an unused recovery code of `user`."""
    step = _step(user.mfa_secret, code) if user.mfa_secret else None
    # A code already used (or an older one) is refused: a shoulder-surfed code dies on use.
    if step is not None and step > (user.mfa_last_step or 0):
        user.mfa_last_step = step
        security_event("mfa.success", user, method="totp")
        return True
    if _use_recovery_code(user, code):
        security_event("mfa.success", user, method="recovery code",
                       codes_left=remaining_recovery_codes(user))
        return True
    security_event("mfa.failure", user)
    return False


def _use_recovery_code(user, code):
    if not code or len(code) > 40:
        return False
    result = db.session.execute(
        db.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()))
    return result.rowcount == 1


def remaining_recovery_codes(user):
    """How many unused recovery codes `user` has."""
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def reset(user):
    """Remove `user`'s second factor (lost device and codes); they enrol again at sign-in."""
    user.mfa_secret = user.mfa_enabled_at = user.mfa_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_version += 1
    record_event("users.mfa_reset", target=user.email)
    security_event("mfa.reset", user)
    db.session.flush()


# --- recent authentication -------------------------------------------------------------------

def mark_authenticated():
    """Note the time of a full sign-in (or re-authentication) in the session."""
    session[AUTH_AT] = int(time.time())


def is_recent():
    """True when this session proved password (and second factor) in the last 15 minutes."""
    return time.time() - session.get(AUTH_AT, 0) <= RECENT_AUTH_SECONDS
