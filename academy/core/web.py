"""Security headers, error pages and other request-wide behaviour."""
from flask import render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from academy.core import static_files
from academy.core.security_log import REQUEST_ID, log_rate_limited, request_id_for
from academy.extensions import db

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, kept off responses marked `Cache-Control: public`.

    A shared cache may hand such a response (a module image) to anyone: it must carry no cookie
    and must not vary on one. Skipping the save leaves the stored session as it was, so an
    operation pending in it (Flask-Login's remember cookie) simply happens on the next request.
    """

    def get_signing_serializer(self, app):
        # Built once per app and keys, not for every open and save (Flask builds a new one).
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built = app.extensions.get("academy.session_serializer")
        if built is None or built[0] != keys:
            built = (keys, super().get_signing_serializer(app))
            app.extensions["academy.session_serializer"] = built
        return built[1]

    def open_session(self, app, request):
        # No cookie, nothing to verify: skip building the signing serializer (a QR scan, a bot).
        # (Werkzeug finds the Cookie header by walking the whole environ: look for it first.)
        if app.secret_key and ("HTTP_COOKIE" not in request.environ
                               or not request.cookies.get(self.get_cookie_name(app))):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        # (The header is parsed only when it may say "public": parsing it costs more than this.)
        if "public" in response.headers.get("Cache-Control", "") and \
                response.cache_control.public:
            response.headers.remove("Set-Cookie")
            return
        if not session and not session.modified:  # nothing to write or delete (Flask's own test)
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:…>` limited to what a database integer holds: a larger number is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def security_headers(app):
    """The headers every response carries, as (name, value) pairs."""
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
               ("Permissions-Policy", "camera=(), microphone=(), geolocation=()")]
    if app.config["ACADEMY_ENV"] == "production":
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


class ResponseHeaders:
    """WSGI middleware: every request gets an id, every response of the app the security headers
    it has not set itself and that id (X-Request-ID), added to the plain header list once
    rather than one by one to each Response object."""

    def __init__(self, wsgi_app, headers):
        self.wsgi_app = wsgi_app
        self.headers = [(name.lower(), (name, value)) for name, value in headers]

    def __call__(self, environ, start_response):
        request_id = environ[REQUEST_ID] = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers.extend(pair for name, pair in self.headers if name not in present)
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def init_app(app):
    """Register headers, error handlers and the session interface."""
    app.session_interface = SessionInterface()
    proxies = app.config["ACADEMY_PROXIES"]
    if proxies:
        # Behind a proxy every request comes from its address: per-IP rate limits would be one
        # limit for everybody. Trust X-Forwarded-For/-Proto from exactly that many proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    headers = security_headers(app)
    app.wsgi_app = ResponseHeaders(app.wsgi_app, headers)
    static_files.init_app(app, headers)

    @app.after_request
    def no_store_when_signed_in(response):
        if "Cache-Control" not in response.headers and current_user.is_authenticated:
            # Signed-in pages hold personal data: no shared cache, no back button after sign-out.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, reason="csrf"), 400

    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _http_error(code))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if request.path.startswith("/api/"):
            return api_error(500), 500
        return render_template("errors/error.html", code=500, reason=None), 500


API_ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                   405: "method_not_allowed", 413: "too_large", 429: "too_many_requests",
                   500: "server_error"}


def api_error(status, message=None):
    """The API's one error body: {"error": {"status", "code", "message"}}."""
    from werkzeug.http import HTTP_STATUS_CODES

    return {"error": {"status": status, "code": API_ERROR_CODES.get(status, "error"),
                      "message": message or HTTP_STATUS_CODES.get(status, "error")}}


def _http_error(code):
    def handler(error):
        if code == 429:
            log_rate_limited(error)
        if request.path.startswith("/api/"):
            return api_error(code), code
        if request.path == "/healthz":
            return {"error": code}, code
        return render_template("errors/error.html", code=code, reason=None), code

    return handler
