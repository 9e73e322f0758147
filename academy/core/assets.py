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


def init_app(app):
    """Version static URLs, cache versioned files for a year, compress same-origin responses."""
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
            # Only what academy.core.static_files leaves to Flask (a Range request) gets here.
            _cache_if_versioned(response)
        elif "Content-Encoding" in response.headers:
            # Compressed by its view (the verification page keeps its compressed bytes): all
            # Flask-Compress would do is name the header the encoding was chosen by.
            response.vary.add("Accept-Encoding")
        elif request.headers.get("Sec-Fetch-Site", "none") in COMPRESSED_FETCH_SITES:
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
