"""The legal-source index page for authors and coordinators (/sources/)."""
import re

from flask import Blueprint, current_app, render_template, request
from flask_babel import _

from academy.core.i18n import current_lang
from academy.core.roles import Role, role_required
from academy.sources.index import DEFAULT_MAX_AGE_MONTHS, index_database

bp = Blueprint("sources", __name__)

_ARTICLE = re.compile(r"^\d{1,3}$")


def _article_order(number):
    return (0, 0) if number == "" else (1, int(number)) if number.isdigit() else (2, 0)


@bp.get("/sources/")
@role_required(Role.TRAINER, Role.COORDINATOR)
def index():
    """Every act and article the published modules cite; `?act=` and `?article=` narrow it."""
    act = (request.args.get("act") or "").strip()[:80]
    article = (request.args.get("article") or "").strip()[:10]
    error = None
    if article and not _ARTICLE.match(article):
        error, article = "article", ""
    index = index_database()
    entries = index.select(act or None, article or None)
    rows = []
    for entry in entries:
        for number in sorted(entry.articles, key=_article_order):
            places = {}
            for use in entry.articles[number]:
                label = (_("question %(number)d", number=use.question) if use.question
                         else _("sources") if use.where == "sources" else _("text"))
                labels = places.setdefault(use.module, [])
                if label not in labels:
                    labels.append(label)
            rows.append((entry.act, number, places))
    months = current_app.config.get("ACADEMY_SOURCES_MAX_AGE_MONTHS", DEFAULT_MAX_AGE_MONTHS)
    return render_template(
        "sources/index.html", rows=rows, entries=entries, act=act, article=article,
        error=error, lang=current_lang(), stale=index.stale(max_age_months=months), months=months,
        acts=sorted(index.acts.values(), key=lambda e: e.act.sort_key))
