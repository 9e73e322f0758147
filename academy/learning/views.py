"""Learning views (placeholder until the learning feature lands)."""
from flask import Blueprint

bp = Blueprint("learning", __name__)


@bp.get("/courses/")
def catalogue():
    return "catalogue"


@bp.get("/dashboard")
def dashboard():
    return "dashboard"
