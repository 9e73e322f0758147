"""Server-side session records: one row per signed-in device, listed and ended one by one."""
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from academy.auth.models import AuthSession, User
from academy.auth.tokens import _as_utc, utcnow
from academy.core.database import begin_writing
from academy.core.security_log import security_event
from academy.extensions import db

# Pages must not write on every request: the last-seen time moves at most this often.
LAST_SEEN_STEP = timedelta(minutes=5)


def _digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ASVS V3.3: a session ends after a time without use, sooner for the accounts that can see and
# change other people's data, and after an absolute lifetime however busy it is.
IDLE_PRIVILEGED = timedelta(minutes=30)
IDLE = timedelta(hours=2)


def _idle_limit(user, record):
    if user.has_role("coordinator"):
        return IDLE_PRIVILEGED
    return current_app.config["REMEMBER_COOKIE_DURATION"] if record.remember else IDLE


def _absolute_limit(record):
    config = current_app.config
    return config["REMEMBER_COOKIE_DURATION"] if record.remember else \
        config["PERMANENT_SESSION_LIFETIME"]


def _is_live(user, record, now):
    return (now - _as_utc(record.last_seen_at) <= _idle_limit(user, record)
            and now - _as_utc(record.created_at) <= _absolute_limit(record))


def start_session(user, remember):
    """Record a new session of `user` on this device; `user.get_id()` then carries its token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = AuthSession(user_id=user.id, token_hash=_digest(token), remember=bool(remember),
                         user_agent=(request.headers.get("User-Agent") or "")[:300],
                         ip_address=(request.remote_addr or "")[:45],
                         created_at=now, last_seen_at=now)
    db.session.add(record)
    db.session.flush()
    user.session_token, user.session_record_id = token, record.id
    return record


# Every signed-in request runs it: built once (a statement built per call costs more than
# running this one).
USER_SESSION = (select(User, AuthSession).join(AuthSession, AuthSession.user_id == User.id)
                .where(User.id == bindparam("user_id"),
                       AuthSession.token_hash == bindparam("token_hash")))


def find_user_session(user_id, version, token):
    """The active account `user_id` at `version` with a live session `token` (one query), or
    None."""
    if not token or len(token) > 100:
        return None
    found = db.session.execute(USER_SESSION, {"user_id": user_id,
                                              "token_hash": _digest(token)}).first()
    if found is None:
        return None
    user, record = found
    now = utcnow()
    if not user.active or user.session_version != version or not _is_live(user, record, now):
        return None
    if now - _as_utc(record.last_seen_at) > LAST_SEEN_STEP:
        g.auth_session_seen = record.id  # written after the response is ready (touch_last_seen)
    user.session_token, user.session_record_id = token, record.id
    return user


def touch_last_seen():
    """Move the last-seen time of this request's session, if due; never fails the request."""
    record_id = g.pop("auth_session_seen", None)
    if record_id is None:
        return
    # Whatever the view left uncommitted would be rolled back at teardown anyway; the next
    # transaction writes, so on SQLite it takes the write lock up front (begin_writing).
    begin_writing()
    try:
        db.session.execute(update(AuthSession).where(AuthSession.id == record_id)
                           .values(last_seen_at=utcnow()))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("could not record the last-seen time of a session",
                                   exc_info=True)


def end_session(user, record_id):
    """End one session of `user`; False when it is not theirs (or already ended)."""
    result = db.session.execute(delete(AuthSession).where(AuthSession.id == record_id,
                                                          AuthSession.user_id == user.id))
    if result.rowcount == 1:
        security_event("session.end", user, session_id=record_id)
    return result.rowcount == 1


def end_all_sessions(user):
    """Delete every session record of `user`."""
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


@dataclass
class SessionView:
    """One row of the account page's session list."""

    id: int
    device: str
    ip_address: str
    created_at: object
    last_seen_at: object
    current: bool


def active_sessions(user):
    """The live sessions of `user`, this one first, then the most recently seen."""
    records = db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)
                                 .order_by(AuthSession.last_seen_at.desc())).all()
    now = utcnow()
    rows = [SessionView(r.id, describe_device(r.user_agent), r.ip_address, _as_utc(r.created_at),
                        _as_utc(r.last_seen_at), r.id == user.session_record_id)
            for r in records if _is_live(user, r, now)]
    rows.sort(key=lambda row: not row.current)
    return rows


# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = [("Edg", "Edge"), ("OPR", "Opera"), ("YaBrowser", "Yandex Browser"),
             ("Firefox", "Firefox"), ("Chromium", "Chromium"), ("Chrome", "Chrome"),
             ("HeadlessChrome", "Chrome"),
             ("Safari", "Safari")]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux")]


def _first_match(pairs, user_agent):
    for marker, name in pairs:
        if re.search(rf"\b{re.escape(marker)}\b", user_agent):
            return name
    return None


def describe_device(user_agent):
    """A short, human name for the device behind a User-Agent: "Firefox on Windows"."""
    browser = _first_match(_BROWSERS, user_agent or "")
    system = _first_match(_SYSTEMS, user_agent or "")
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown device")
