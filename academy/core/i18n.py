"""Locale selection and template helpers for the two languages."""
from functools import lru_cache

from flask import g, has_request_context, request, session
from flask.globals import _cv_app, _cv_request
from babel.numbers import format_percent
from flask_babel import get_locale, get_translations
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LOCALES = ("en", "ru")


def select_locale():
    """Saved choice, then the session's, then Accept-Language, then English."""
    if not has_request_context():
        return None  # CLI commands and background work: the default locale (English)
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("lang") in LOCALES:
        return session["lang"]
    return browser_language(request.headers.get("Accept-Language", ""))


@lru_cache(maxsize=256)
def browser_language(accept_language):
    """The best of our languages for an Accept-Language header, else English (browsers send a
    handful of distinct headers: the parse is kept)."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(LOCALES) or "en"


def remember_language(lang):
    """Make `lang` the interface language of this browser and, signed in, of the account (the
    caller commits); False for anything but a supported language."""
    if lang not in LOCALES:
        return False
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
    return True


def current_lang():
    """The two-letter language of the current request."""
    if "lang" not in g:
        g.lang = str(get_locale() or "en")[:2]
    return g.lang


def translations():
    """Flask-Babel's catalogue for the current locale, remembered on Flask-Babel's own request
    state while that locale object stays the same (force_locale sets a new one). Templates call
    gettext dozens of times a page; Flask-Babel's own lookup costs several context lookups and
    a locale-to-string conversion each time (issue #12)."""
    # The context variables behind `request` and `g`, read directly: through the proxies, the
    # two lookups cost more than the rest of this function.
    app_context = _cv_app.get(None) if _cv_request.get(None) is not None else None
    state = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()
    memo = getattr(state, "academy_translations", None)
    if memo is None or memo[0] is not locale:
        memo = state.academy_translations = (locale, get_translations())
    return memo[1]


@lru_cache(maxsize=2048)
def _percent(number, locale):
    return format_percent(number, locale=locale)


def percentformat(number, format=None):
    """Flask-Babel's percentformat filter, with the results kept per locale: progress bars and
    scores repeat few values, and Babel formats each anew at some cost."""
    if format is not None:
        return format_percent(number, format=format, locale=get_locale())
    return _percent(number, str(get_locale()))


def init_app(app):
    """Expose the language to templates, and the fast catalogue lookup to their gettext."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n:
            translations().unpgettext(context, singular, plural, n),
        newstyle=True)

    app.jinja_env.filters["percentformat"] = percentformat

    @app.context_processor
    def inject_lang():
        return {"lang": current_lang(), "locales": LOCALES}
