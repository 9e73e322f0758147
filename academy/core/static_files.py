"""Static files answered before Flask: each file is read and compressed once per version and then
served from memory (issue #12: a stylesheet costs a fraction of a page). Range requests, other
methods and unknown files go on to Flask's own static view."""
import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from urllib.parse import parse_qs

import brotli
from werkzeug.security import safe_join

STATIC_MAX_AGE = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass(frozen=True)
class StaticFile:
    """One version of one file: its bytes, their compressed forms and its headers."""

    stamp: tuple
    version: str
    content_type: str
    bodies: dict  # encoding ("identity", "br", "gzip") -> bytes


def read_static_file(path, stamp):
    """Read `path` and compress it with each encoding that makes it smaller."""
    with open(path, "rb") as handle:
        data = handle.read()
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type == "application/javascript":
        content_type += "; charset=utf-8"
    bodies = {"identity": data}
    if content_type.startswith(COMPRESSIBLE):
        for encoding, packed in (("br", brotli.compress(data, quality=11)),
                                 ("gzip", gzip.compress(data, 9, mtime=0))):
            if len(packed) < len(data):
                bodies[encoding] = packed
    version = hashlib.sha256(data).hexdigest()[:12]
    return StaticFile(stamp, version, content_type, bodies)


def accepted_encoding(header, offered):
    """The best of br and gzip that the Accept-Encoding `header` allows and `offered` has."""
    accepted = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        quality = params.strip().removeprefix("q=")
        if quality and quality.strip("0.") == "":  # q=0, q=0.0 ...: refused
            continue
        accepted.add(name.strip().lower())
    for encoding in ("br", "gzip"):
        if encoding in offered and (encoding in accepted or "*" in accepted):
            return encoding
    return "identity"


class StaticFiles:
    """WSGI middleware serving GET and HEAD of the app's static folders from memory."""

    def __init__(self, wsgi_app, folders, headers):
        self.wsgi_app = wsgi_app
        self.folders = folders  # URL prefix ("/static/") -> folder
        self.headers = headers  # extra response headers (security headers), a list of pairs
        self.files = {}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and "HTTP_RANGE" not in environ:
            for prefix, folder in self.folders.items():
                if path.startswith(prefix):
                    found = self.find(folder, path[len(prefix):])
                    if found:
                        return self.respond(found, environ, start_response)
                    break
        return self.wsgi_app(environ, start_response)

    def find(self, folder, filename):
        """The cached file, re-read when its size or modification time has changed."""
        path = safe_join(folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            return None
        if not os.path.isfile(path):
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self.files.get(path)
        if cached is None or cached.stamp != stamp:
            cached = self.files[path] = read_static_file(path, stamp)
        return cached

    def respond(self, file, environ, start_response):
        """200 with the best encoding, or 304 when the browser's copy is current."""
        etag = f'"{file.version}"'
        versioned = parse_qs(environ.get("QUERY_STRING", "")).get("v") == [file.version]
        cache = (f"public, max-age={STATIC_MAX_AGE}, immutable" if versioned else "no-cache")
        headers = [("ETag", etag), ("Cache-Control", cache), ("Vary", "Accept-Encoding"),
                   *self.headers]
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", headers)
            return [b""]
        encoding = accepted_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""), file.bodies)
        body = file.bodies[encoding]
        headers += [("Content-Type", file.content_type), ("Content-Length", str(len(body)))]
        if encoding != "identity":
            headers.append(("Content-Encoding", encoding))
        start_response("200 OK", headers)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]


def init_app(app, headers):
    """Put StaticFiles in front of the app for its own and its blueprints' static folders."""
    folders = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            prefix = rule.rule.partition("<")[0]
            blueprint = app.blueprints.get(rule.endpoint.rpartition(".")[0])
            folder = app.static_folder if rule.endpoint == "static" else blueprint.static_folder
            folders[prefix] = folder
    app.wsgi_app = StaticFiles(app.wsgi_app, folders, headers)
