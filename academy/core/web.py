"""Security headers, error pages and other request-wide behaviour."""
from flask import render_template, request
from flask_wtf.csrf import CSRFError

from academy.extensions import db

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def init_app(app):
    """Register headers and error handlers."""

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["ACADEMY_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, reason="csrf"), 400

    for code in (400, 403, 404, 405, 429):
        app.register_error_handler(code, _http_error(code))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/error.html", code=500, reason=None), 500


def _http_error(code):
    def handler(error):
        if request.path.startswith("/api/") or request.path == "/healthz":
            return {"error": code}, code
        return render_template("errors/error.html", code=code, reason=None), code

    return handler
