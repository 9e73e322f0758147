"""Bandwidth: static files under versioned URLs that browsers keep for a year, and compressed
responses (officials often study over slow links)."""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, request

from academy.extensions import compress

STATIC_MAX_AGE = 365 * 24 * 3600
# Only requests from our own pages (or typed, bookmarked) are compressed: a page that another
# site makes the browser load could otherwise leak the CSRF token through its compressed size
# (BREACH). Browsers that predate Fetch Metadata send no Sec-Fetch-Site and are compressed.
COMPRESSED_FETCH_SITES = {"same-origin", "none"}


def _static_folder(endpoint):
    if endpoint == "static":
        return current_app.static_folder
    blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0])
    return blueprint.static_folder if blueprint else None


def _is_static(endpoint):
    return bool(endpoint) and (endpoint == "static" or endpoint.endswith(".static"))


@lru_cache(maxsize=256)
def _digest(path, _mtime_ns, _size):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def file_version(folder, filename):
    """A short hash of the file's bytes, recomputed only when its size or mtime changes."""
    path = Path(folder) / filename
    try:
        stat = path.stat()
    except OSError:
        return None
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


class StaticCompressionCache:
    """Flask-Compress's cache, holding static files only: each file is compressed once per
    version and encoding (issue #12); pages, whose key is empty, are never kept."""

    def __init__(self, size=64):
        self.size = size
        self._items = {}

    def get(self, key):
        return self._items.get(key)

    def set(self, key, value):
        if key.partition(";")[2] and key not in self._items:
            if len(self._items) >= self.size:
                self._items.pop(next(iter(self._items)))
            self._items[key] = value


def static_cache_key(req):
    """The file and its version for a static file, else "" (not cached)."""
    if not _is_static(req.endpoint) or "Range" in req.headers:
        return ""
    folder = _static_folder(req.endpoint)
    filename = (req.view_args or {}).get("filename", "")
    version = folder and file_version(folder, filename)
    return f"{folder}/{filename}@{version}" if version else ""


def init_app(app):
    """Version static URLs, cache versioned files for a year, compress same-origin responses."""
    # Read by compress.init_app, which runs after this.
    app.config.setdefault("COMPRESS_CACHE_BACKEND", StaticCompressionCache)
    app.config.setdefault("COMPRESS_CACHE_KEY", static_cache_key)

    @app.url_defaults
    def version_static_urls(endpoint, values):
        if _is_static(endpoint) and "filename" in values and "v" not in values:
            folder = _static_folder(endpoint)
            version = folder and file_version(folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_and_compress(response):
        if _is_static(request.endpoint):
            _cache_if_versioned(response)
        if request.headers.get("Sec-Fetch-Site", "none") in COMPRESSED_FETCH_SITES:
            if _is_static(request.endpoint) and response.is_streamed:
                # Read the (small) file now: the response then closes it, and is compressed whole.
                response.direct_passthrough = False
                response.make_sequence()
            response = compress.after_request(response)
        return response


def _cache_if_versioned(response):
    """A year in any cache for a static file asked for under its current version."""
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if response.status_code in (200, 304) and version and \
            version == file_version(_static_folder(request.endpoint), filename):
        response.cache_control.max_age = STATIC_MAX_AGE
        response.cache_control.public = True
        response.cache_control.no_cache = None
        response.cache_control.immutable = True
