"""Whole pages kept per reader and served again while nothing they show has changed (issue #12).

A view whose page may be kept (`@keepable`) calls keep_page(), with the time its page stops being true if it
shows one (a quiz's next attempt). The response is then stored under everything the request
pipeline reads from the request (path and query, cookies, language, encoding, client address,
host…) and the two page stamps read before the view ran:

- the reader's, `user.page_stamp`, and the site's, `page_stamp` row 0. Database triggers move
  them (migration 5e7d0c1a9b42): the reader's on every change to their account or a row of
  theirs (enrolments, progress, attempts and answers, completions, certificates, assignments),
  the site's on every change of course content or the glossary, whoever makes it, on any
  worker or host.

The next request with the same key reads both stamps in one query, which also checks the
session as academy.auth.sessions.load_user does, and gets the same bytes without the view when
they are unchanged and the page's time has not run out. Every before-request hook (CSRF, rate
limits) has run by then, and every after-request hook runs as usual.

Only the pages of learners and anonymous readers are kept (staff pages show other people's
work), only 200 responses that set no cookie and leave the session as it was (a flash shown, a
new CSRF token), and never from a request that wrote. The cache is per process and bounded.
"""
import struct
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, select

from academy.auth.models import AuthSession, User
from academy.auth.session_records import LAST_SEEN_STEP, _digest, _is_live
from academy.auth.tokens import _as_utc, utcnow
from academy.core.database import read_one
from academy.core.pagecache_models import PageStamp
from academy.core.static_files import accepted_encoding
from academy.core.roles import Role
from academy.extensions import db

# A kept page is rendered again after this long even when nothing changed.
MAX_AGE = 300
TOKEN_GAP = b"\0csrf\0"  # where a first visit's page had its CSRF token (never in a page)
# A gzip member's header: no name, no time, maximum compression, unknown OS (RFC 1952).
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
# What the pipeline reads of a request, beyond the path and query.
KEY_ENVIRON = ("SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "HTTP_COOKIE", "HTTP_AUTHORIZATION",
               "HTTP_ACCEPT_LANGUAGE", "HTTP_ACCEPT_ENCODING", "HTTP_ACCEPT",
               "HTTP_SEC_FETCH_SITE", "HTTP_USER_AGENT", "HTTP_HOST", "wsgi.url_scheme",
               "REMOTE_ADDR")

SITE_STAMP = select(PageStamp.value).where(PageStamp.scope == 0)
READER = (select(User.page_stamp, User.active, User.session_version, User.role,
                 AuthSession.id, AuthSession.remember, AuthSession.last_seen_at,
                 AuthSession.created_at, SITE_STAMP.scalar_subquery())
          .join(AuthSession, AuthSession.user_id == User.id)
          .where(User.id == bindparam("user_id"), AuthSession.token_hash == bindparam("token")))


@dataclass(frozen=True)
class Reader:
    """Who a page is kept for: the parts of Flask-Login's "id:version:token" session value."""

    login: str  # the session's value itself
    user_id: int
    version: int
    token_hash: str

    @classmethod
    def of_session(cls):
        """The reader this request's session names, None when anonymous, False when it names
        none we can check (an odd value, a remember-me cookie only: never kept)."""
        login = session.get("_user_id")
        if login is None:
            return False if "remember_token" in request.cookies else None
        parts = str(login).split(":")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() \
                or max(len(parts[0]), len(parts[1])) > 18 or not 0 < len(parts[2]) <= 100:
            return False
        return cls(login, int(parts[0]), int(parts[1]), _digest(parts[2]))


@dataclass(frozen=True)
class KeptPage:
    reader: Reader | None
    stamps: tuple
    until: float
    headers: tuple
    body: bytes
    # A first visit's page (no cookie yet) is kept uncompressed, split where its new CSRF token
    # was: every first visit gets its own session and token, put back in these places.
    token_gaps: int = 0
    # ... and, when it went out compressed, its parts between the gaps deflated once: a visit
    # gets a gzip stream of these with its token between them (no page compressed per visit).
    deflated: tuple = ()

    @property
    def size(self):
        return len(self.body) + sum(map(len, self.deflated))


class _Account:  # what academy.auth.session_records._is_live asks of an account
    def __init__(self, role):
        self.role = role

    has_role = User.has_role


def _stamps(reader):
    """(reader's stamp, site's stamp), or None when the session is not live (load_user would
    refuse it)."""
    if reader is None:
        return (None, read_one(SITE_STAMP)[0])
    row = read_one(READER, user_id=reader.user_id, token=reader.token_hash)
    if row is None:
        return None
    stamp, active, version, role, record_id, remember, last_seen_at, created_at, site = row
    if not active or version != reader.version or role != Role.LEARNER.value:
        return None
    record = SimpleNamespace(remember=remember, last_seen_at=last_seen_at, created_at=created_at)
    now = utcnow()
    if not _is_live(_Account(role), record, now):
        return None
    if now - _as_utc(last_seen_at) > LAST_SEEN_STEP:
        g.auth_session_seen = record_id  # as find_user_session: written after the response
    return (stamp, site)


class PageCache:
    """A thread-safe LRU of KeptPage, bounded by the bytes of the bodies it holds."""

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self._pages = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, page):
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= old.size
            self._pages[key] = page
            self.size += page.size
            while self.size > self.limit and self._pages:
                _key, dropped = self._pages.popitem(last=False)
                self.size -= dropped.size

    def clear(self):
        with self._lock:
            self._pages.clear()
            self.size = 0


def keepable(view):
    """Mark a view whose page may be kept (it calls keep_page when it is)."""
    view.keepable = True
    return view


def keep_page(until=None):
    """Let this GET request's page be kept (until the datetime `until`, if it is given)."""
    seconds = time.time() + MAX_AGE
    if until is not None:
        seconds = min(seconds, _as_utc(until).timestamp())
    g.page_until = seconds


def _serve():
    """Before the view: a kept page for this request, or note the stamps to keep the next."""
    if request.method != "GET" or not getattr(
            current_app.view_functions.get(request.endpoint), "keepable", False):
        return None
    environ = request.environ
    key = tuple(environ.get(name) for name in KEY_ENVIRON)
    g.page_key = key
    reader = Reader.of_session()
    if reader is False:
        return None
    cache = current_app.extensions["academy.pages"]
    page = cache.get(key)
    if page is not None and (page.reader != reader or page.until <= time.time()):
        page = None
    stamps = _stamps(reader)
    if stamps is None:
        return None
    if page is not None and page.stamps == stamps:
        body, headers = page.body, list(page.headers)
        if page.token_gaps:
            token = generate_csrf().encode("ascii")
            if page.deflated:
                body = _gzip(page, token)
                headers.append(("Content-Encoding", "gzip"))
            else:
                body = body.replace(TOKEN_GAP, token)
        return current_app.response_class(body, headers=headers)
    # Read before anything of the request's own transaction: what the view reads is at least
    # as new as these stamps, so a page is never kept under stamps newer than its data.
    if not db.session().in_transaction():
        g.page_stamps, g.page_reader = stamps, reader
    return None


def _first_visit(response):
    """Before compression: a first visit's page (its session holds nothing but the CSRF token
    the page made), kept with that token left out."""
    if g.get("page_until") is None or "HTTP_COOKIE" in request.environ \
            or set(session) != {"csrf_token"} or "csrf_token" not in g \
            or response.status_code != 200 or response.is_streamed \
            or "Content-Encoding" in response.headers:
        return response
    body = response.get_data()
    if TOKEN_GAP in body:
        return response
    parts = body.split(g.csrf_token.encode("ascii"))
    if len(parts) > 1:
        g.page_first_visit = (TOKEN_GAP.join(parts), len(parts) - 1, _headers(response))
    return response


def _deflate(parts):
    """Each of `parts` as raw deflate blocks of its own, only the last one final."""
    packed = []
    for number, part in enumerate(parts, 1):
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        last = number == len(parts)
        packed.append(packer.compress(part) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
    return tuple(packed)


def _gzip(page, token):
    """The first visit's page with `token` in its gaps, as one gzip member: the deflated parts
    joined by the token in a stored block (each part ends on a byte boundary)."""
    stored = b"\0" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token
    crc = 0
    parts = page.body.split(TOKEN_GAP)
    for number, part in enumerate(parts):
        crc = zlib.crc32(part, zlib.crc32(token, crc) if number else crc)
    size = len(page.body) + page.token_gaps * (len(token) - len(TOKEN_GAP))
    return b"".join((GZIP_HEADER, stored.join(page.deflated),
                     struct.pack("<II", crc, size & 0xFFFFFFFF)))


def _headers(response):
    return tuple((name, value) for name, value in response.headers.items()
                 if name not in ("Content-Length", "Set-Cookie", "Date"))


def _store(response):
    """After every other after-request hook: keep the page if its view allowed it."""
    until = g.pop("page_until", None)
    stamps = g.get("page_stamps")
    first_visit = g.pop("page_first_visit", None)
    if until is None or stamps is None or response.status_code != 200 \
            or response.is_streamed or g.get("sqlite_write"):
        return response
    if first_visit is not None:
        body, gaps, headers = first_visit
        deflated = ()
        if "Content-Encoding" in response.headers and accepted_encoding(
                request.headers.get("Accept-Encoding", ""), ("gzip",)) == "gzip":
            deflated = _deflate(body.split(TOKEN_GAP))
        current_app.extensions["academy.pages"].put(
            g.page_key, KeptPage(None, stamps, until, headers, body, gaps, deflated))
        return response
    if session.modified or "Set-Cookie" in response.headers:
        return response
    reader = g.page_reader
    user = current_user._get_current_object()
    if reader is None and user.is_authenticated or reader is not None and (
            not user.is_authenticated or user.id != reader.user_id or user.role != Role.LEARNER.value):
        return response
    current_app.extensions["academy.pages"].put(
        g.page_key, KeptPage(reader, stamps, until, _headers(response), response.get_data()))
    return response


def init_app(app):
    """Serve kept pages after every other before-request hook; keep them after every other
    after-request hook. The setting PAGE_CACHE_MB = 0 turns it off."""
    megabytes = app.config["ACADEMY_PAGE_CACHE_MB"]
    if not megabytes:
        return
    app.extensions["academy.pages"] = PageCache(megabytes * 1024 * 1024)
    app.before_request(_serve)
    app.after_request(_first_visit)  # registered last: runs first, before compression
    # Flask runs after-request hooks last-registered first: this one runs after all others.
    app.after_request_funcs.setdefault(None, []).insert(0, _store)
