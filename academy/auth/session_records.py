"""Server-side session records: one row per signed-in device, listed and ended one by one."""
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import Integer, String, bindparam, delete, inspect, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from academy.auth.models import AuthSession, User
from academy.auth.tokens import _as_utc, utcnow
from academy.core.database import begin_writing, read_one
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


# Every signed-in request runs it: the account and its session record in one row, read as
# committed on the thread's own connection (read_one: no transaction, pool checkout and ORM
# load for it); the account then joins the request's session as a loaded row would.
_users = User.__table__
_sessions = AuthSession.__table__
_USER_KEYS = tuple(prop.key for prop in inspect(User).column_attrs)
_new_user = inspect(User).class_manager.new_instance
USER_SESSION = (select(*(getattr(User, key) for key in _USER_KEYS), _sessions.c.id,
                       _sessions.c.remember, _sessions.c.last_seen_at, _sessions.c.created_at)
                .join_from(_users, _sessions, _sessions.c.user_id == _users.c.id)
                .where(_users.c.id == bindparam("user_id", type_=Integer),
                       _sessions.c.token_hash == bindparam("token_hash", type_=String)))


class _SessionRow(NamedTuple):
    id: int
    remember: bool
    last_seen_at: object
    created_at: object


def find_user_session(user_id, version, token):
    """The active account `user_id` at `version` with a live session `token` (one query), or
    None."""
    if not token or len(token) > 100:
        return None
    row = read_one(USER_SESSION, user_id=user_id, token_hash=_digest(token))
    if row is None:
        return None
    user = _new_user()  # as the ORM builds a loaded row: no constructor, no change events
    user.__dict__.update(zip(_USER_KEYS, row))
    record = _SessionRow(*row[len(_USER_KEYS):])
    now = utcnow()
    if not user.active or user.session_version != version or not _is_live(user, record, now):
        return None
    if now - _as_utc(record.last_seen_at) > LAST_SEEN_STEP:
        g.auth_session_seen = record.id  # written after the response is ready (touch_last_seen)
    user = _attached(user)
    user.session_token, user.session_record_id = token, record.id
    return user


def _attached(user):
    """`user`, built from its row, as a persistent account of the request's session (no query),
    or the one the session holds already."""
    held = db.session.identity_map.get(identity_key(User, user.id))
    if held is not None:
        return held
    make_transient_to_detached(user)
    db.session.add(user)
    return user


# Moves a session's last-seen time: s_id, s_now (also inside another statement: the quiz
# submission on PostgreSQL).
MOVE_LAST_SEEN = (update(_sessions).where(_sessions.c.id == bindparam("s_id", type_=Integer))
                  .values(last_seen_at=bindparam("s_now", type_=_sessions.c.last_seen_at.type)))


def last_seen_due():
    """The id of this request's session record when its last-seen time is due to move, else
    None. A view that writes anyway may move it in its own transaction (then last_seen_moved)."""
    return g.get("auth_session_seen")


def last_seen_moved():
    """The view's committed transaction moved the last-seen time: no second one after it."""
    g.pop("auth_session_seen", None)


def touch_last_seen():
    """Move the last-seen time of this request's session, if due; never fails the request."""
    record_id = g.pop("auth_session_seen", None)
    if record_id is None:
        return
    # Whatever the view left uncommitted would be rolled back at teardown anyway; the next
    # transaction writes, so on SQLite it takes the write lock up front (begin_writing).
    begin_writing()
    try:
        db.session.execute(MOVE_LAST_SEEN, {"s_id": record_id, "s_now": utcnow()})
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
