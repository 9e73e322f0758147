"""Public verification, the issuer's keys and status list, and the learner's own certificates."""
import hmac
import re

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_login import current_user, login_required

from academy.certificates import credentials, keys, public, services
from academy.certificates.models import VALID
from academy.core.i18n import LOCALES, browser_language, current_lang
from academy.extensions import db, limiter

bp = Blueprint("certificates", __name__)

VERIFY_LIMIT = "30 per minute"
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
_DUMMY_CODE = "x" * 32
LANGS = ("en", "ru", "bilingual")


def _certificate_for_code(code):
    """The revision with `code`, or None; unknown and malformed codes cost the same query."""
    well_formed = CODE_PATTERN.fullmatch(code) is not None
    certificate = services.by_code(code if well_formed else _DUMMY_CODE)
    if certificate is None or not hmac.compare_digest(certificate.code, code):
        return None
    return certificate


def _no_index(response):
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page_lang():
    """?lang=, else the request's language; a cookie-less visitor (a scan) is not looked up."""
    asked = request.args.get("lang")
    if asked in LOCALES:
        return asked
    if "HTTP_COOKIE" not in request.environ or not request.cookies:
        # No session, no remember cookie: what select_locale would find.
        return browser_language(request.headers.get("Accept-Language", ""))
    return current_lang()


@bp.get("/verify/<code>")
@limiter.limit(VERIFY_LIMIT)
def verify(code):
    """The authoritative facts of a certificate, for anyone holding its code."""
    lang = _page_lang()
    # Unknown and malformed codes cost the same query and get the same page.
    well_formed = CODE_PATTERN.fullmatch(code) is not None
    row = public.find(code if well_formed else _DUMMY_CODE)
    if row is None or not hmac.compare_digest(row.code, code):
        response = Response(public.not_found_page(lang), 404)
    else:
        body, encoding = public.verify_page(row, lang)
        response = Response(body, content_type="text/html; charset=utf-8")
        if encoding:
            response.headers["Content-Encoding"] = encoding  # Flask-Compress adds the Vary
    # Never from a cache: a revocation must show at once (and no session is looked up).
    response.headers["Cache-Control"] = "no-store"
    return _no_index(response)


@bp.get("/verify/<code>/credential.jwt")
@limiter.limit(VERIFY_LIMIT)
def credential(code):
    """The certificate's Open Badges 3.0 credential as a VC-JWT."""
    certificate = _certificate_for_code(code)
    if certificate is None:
        abort(404)
    token = credentials.ensure_credential(certificate)
    if token is None:
        abort(404)
    db.session.commit()
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.serial}.jwt"'
    return _no_index(response)


@bp.get("/.well-known/jwks.json")
def jwks():
    """The issuer's public keys, current and retired."""
    try:
        keys.ensure_key()
        public = keys.public_jwks()
    except keys.KeyFileError:
        current_app.logger.exception("The certificate key file cannot be read")
        public = {"keys": []}
    response = jsonify(public)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/credentials/status/<int:list_id>")
def status_list(list_id):
    """The signed Bitstring Status List of revoked certificates."""
    if list_id != credentials.STATUS_LIST_ID:
        abort(404)
    token = credentials.status_list_jwt()
    if token is None:
        abort(404)
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/certificates/")
@login_required
def mine():
    """The signed-in learner's certificates with their downloads."""
    return render_template("certificates/mine.html",
                           certificates=services.certificates_of(current_user.id))


def _own_certificate(serial):
    certificate = services.latest_revision(serial)
    # A revoked certificate is no longer handed out; its record stays verifiable.
    if certificate is None or certificate.user_id != current_user.id or certificate.status != VALID:
        abort(404)
    return certificate


@bp.get("/certificates/<serial>/certificate-<lang>.pdf")
@login_required
def download(serial, lang):
    """The learner's certificate as a PDF in English, Russian or both."""
    from academy.certificates.pdf import render_certificate

    if lang not in LANGS:
        abort(404)
    certificate = _own_certificate(serial)
    credentials.ensure_credential(certificate)
    db.session.commit()
    data = render_certificate(certificate, lang)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{certificate.serial}-{lang}.pdf"')
    return response


@bp.app_context_processor
def certificate_helpers():
    return {"certificate_langs": LANGS, "cert_lang": current_lang}


from academy.certificates import manage  # noqa: E402,F401  (its routes join this blueprint)
