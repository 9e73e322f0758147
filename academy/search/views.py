"""The search page: one box for courses, modules and glossary terms, in English and Russian."""
from flask import Blueprint, render_template, request

from academy.core.i18n import current_lang
from academy.search import index  # noqa: F401 - keeps the index in step with course imports
from academy.search import services

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    """Ranked results for `?q=`, with the matching words highlighted."""
    outcome = services.search(request.args.get("q", ""), current_lang())
    return render_template("search/results.html", outcome=outcome)
