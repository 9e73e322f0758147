"""The public verification page, kept lean: one indexed query and a pre-rendered page skeleton.

Anyone scanning a QR code lands here, so the page is cheap to answer (issue #8, performance):
- the facts come from one query by the unique code (the successor's code joined in), read on
  every request, so a revocation or re-issue shows at once in every worker;
- the page is rendered once per language and shape (status, which names, revision, successor)
  with placeholders, and each request pastes its escaped facts into that skeleton;
- finished pages (and their compressed bytes) are also kept per process, keyed by every fact
  they show, so a kept page is never stale.
"""
import re
from collections import OrderedDict, namedtuple
from datetime import datetime

from flask import current_app, g, render_template, request, url_for
from flask_babel import force_locale, format_date, format_decimal, to_user_timezone
from markupsafe import escape
from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from academy.certificates.models import Certificate
from academy.core.assets import COMPRESSED_FETCH_SITES
from academy.core.database import read_one
from academy.extensions import compress

try:  # Flask-Compress's own negotiation and compression, so the result is the same
    from flask_compress.flask_compress import _choose_algorithm, _compress_data
except ImportError:  # another version: the page is left to Flask-Compress, uncached
    _choose_algorithm = _compress_data = None

PAGE_CACHE_SIZE = 2048
_successor = aliased(Certificate)
FACTS = select(
    Certificate.code, Certificate.status, Certificate.revoked_at, Certificate.revoke_reason,
    _successor.code.label("successor_code"), Certificate.name_latin, Certificate.name_cyrillic,
    Certificate.course_title_en, Certificate.course_title_ru, Certificate.completed_on,
    Certificate.hours, Certificate.serial, Certificate.revision, Certificate.issued_at,
    Certificate.content_version,
).outerjoin(_successor, _successor.id == Certificate.superseded_by_id).where(
    Certificate.code == bindparam("code"))
# Placeholders: private-use characters, which neither HTML escaping nor gettext touch.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\w+){_CLOSE}")
_skeletons = {}
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")
_pages = OrderedDict()


Facts = namedtuple("Facts", FACTS.selected_columns.keys())


def find(code):
    """The facts row of the revision with verification code `code`, or None (one query, outside
    the request's transaction: the page needs nothing else from the database)."""
    row = read_one(FACTS, code=code)
    return None if row is None else Facts(*row)


def _placeholder(name):
    return f"{_OPEN}{name}{_CLOSE}"


def _render(template, lang, **context):
    """Render `template` in `lang`, leaving the request's own language as it was."""
    saved = g.pop("lang", None)
    try:
        with force_locale(lang):
            g.lang = lang
            return render_template(template, lang=lang, **context)
    finally:
        g.pop("lang", None)
        if saved is not None:
            g.lang = saved


_formatted = OrderedDict()


def _format(kind, value, lang):
    """A date ('long') or number as flask-babel formats it in `lang`; certificates share few
    distinct dates and hours, so the results are kept."""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()  # what format_date does with a datetime
    key = (kind, value, lang)
    text = _formatted.get(key)
    if text is None:
        with force_locale(lang):
            text = format_date(value, "long") if kind == "date" else format_decimal(value)
        _formatted[key] = text
        if len(_formatted) > PAGE_CACHE_SIZE:
            _formatted.popitem(last=False)
    return text


_paths = {}


def _path(endpoint, code):
    """url_for(endpoint, code=code) for a URL-safe code, from a prefix and suffix built once."""
    key = (endpoint, request.script_root)
    parts = _paths.get(key)
    if parts is None:
        placeholder = "0" * 40
        parts = _paths[key] = url_for(endpoint, code=placeholder).rpartition(placeholder)[::2]
    if not _URL_SAFE.fullmatch(code):
        return url_for(endpoint, code=code)
    return f"{parts[0]}{code}{parts[1]}"


def _display(row, lang):
    """The facts as the page prints them, formatted for `lang`."""
    values = {
        "name_latin": row.name_latin, "name_cyrillic": row.name_cyrillic,
        "course_title": row.course_title_ru if lang == "ru" else row.course_title_en,
        "completed_on": _format("date", row.completed_on, lang),
        "hours": _format("number", row.hours, lang), "serial": row.serial,
        "issued_on": _format("date", row.issued_at, lang),
        "content_version": str(row.content_version),
        "revoked_on": _format("date", row.revoked_at, lang) if row.revoked_at else "",
        "revoke_reason": row.revoke_reason or "",
        "credential_url": _path("certificates.credential", row.code),
        "successor_url": _path("certificates.verify", row.successor_code) if row.successor_code
        else "",
    }
    return values


def _skeleton(row, lang, names):
    """The page for rows of this shape, with a placeholder for each fact."""
    shape = (lang, request.script_root, row.status, bool(row.name_latin),
             bool(row.name_cyrillic), row.revision, bool(row.successor_code))
    skeleton = _skeletons.get(shape)
    if skeleton is None:
        facts = {name: _placeholder(name) for name in names}
        skeleton = _skeletons[shape] = _render(
            "certificates/verify.html", lang, status=row.status, revision=row.revision,
            has_latin=bool(row.name_latin), has_cyrillic=bool(row.name_cyrillic),
            has_successor=bool(row.successor_code), v=facts)
    return skeleton


def verify_page(row, lang):
    """The verification page of `row` in `lang`: (body bytes, Content-Encoding or None).

    The body is compressed here as Flask-Compress would (same choice of encoding, same
    levels), so that the compressed bytes are kept with the page.
    """
    key = (lang, request.script_root, *row)
    page = _pages.get(key)
    if page is None:
        values = _display(row, lang)
        skeleton = _skeleton(row, lang, values)
        # One pass: a fact that happens to contain a placeholder is never expanded again.
        html = _PLACEHOLDER.sub(lambda match: str(escape(values[match.group(1)])), skeleton)
        page = _pages[key] = {None: html.encode()}
        if len(_pages) > PAGE_CACHE_SIZE:
            _pages.popitem(last=False)
    else:
        _pages.move_to_end(key)
    encoding = _encoding(len(page[None]))
    if encoding is not None and encoding not in page:
        page[encoding] = _compress_data(current_app, page[None], encoding)
    return page[encoding], encoding


def _encoding(size):
    """The encoding Flask-Compress would choose for a page of `size` bytes, or None."""
    if _choose_algorithm is None or size < current_app.config["COMPRESS_MIN_SIZE"]:
        return None
    if request.headers.get("Sec-Fetch-Site", "none") not in COMPRESSED_FETCH_SITES:
        return None  # academy.core.assets compresses no cross-site response
    return _choose_algorithm(compress.enabled_algorithms, request.headers.get("Accept-Encoding", ""))


def not_found_page(lang):
    """The one 'not found' page of a language (the same for unknown and malformed codes)."""
    key = ("not-found", lang, request.script_root)
    page = _skeletons.get(key)
    if page is None:
        page = _skeletons[key] = _render("certificates/not_found.html", lang)
    return page
