"""The EN–RU glossary page: every term in the reader's language, with its other-language term."""
from flask import Blueprint, render_template, request

from academy.core.i18n import current_lang
from academy.glossary import services

bp = Blueprint("glossary", __name__, static_folder="static",
               static_url_path="/glossary/static")


@bp.get("/glossary")
def index():
    """Alphabetical list with a letter index; `?q=` filters by term or definition (EN or RU)."""
    lang = current_lang()
    query = services.clean_query(request.args.get("q"))
    groups, total = services.glossary(lang, query)
    return render_template(
        "glossary/index.html", groups=groups, total=total, query=query,
        shown=sum(len(group.terms) for group in groups),
        other="ru" if lang == "en" else "en")
