"""Site-wide pages: home, language switch, health."""
from flask import Blueprint, jsonify, redirect, request, url_for
from sqlalchemy import text

from academy.core.i18n import remember_language
from academy.core.urls import safe_next
from academy.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    return redirect(url_for("learning.catalogue"))


@bp.post("/language")
def set_language():
    """Switch the interface language, remembering it on the account when signed in."""
    if remember_language(request.form.get("lang")):
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


@bp.get("/healthz")
def healthz():
    """Report the app and database status; 503 when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is down
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(app="ok", database=database), status
