"""Locale selection and template helpers for the two languages."""
from flask import g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LOCALES = ("en", "ru")


def select_locale():
    """Saved choice, then the session's, then Accept-Language, then English."""
    if not has_request_context():
        return None  # CLI commands and background work: the default locale (English)
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("lang") in LOCALES:
        return session["lang"]
    return request.accept_languages.best_match(LOCALES) or "en"


def current_lang():
    """The two-letter language of the current request."""
    if "lang" not in g:
        g.lang = str(get_locale() or "en")[:2]
    return g.lang


def init_app(app):
    """Expose the language to templates."""

    @app.context_processor
    def inject_lang():
        return {"lang": current_lang(), "locales": LOCALES}
