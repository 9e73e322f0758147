"""The EN–RU glossary page: every term in the reader's language, with its other-language term."""
from flask import Blueprint, render_template, request
from markupsafe import Markup

from academy.core.cache import versioned_cache
from academy.core.i18n import current_lang
from academy.core.pagecache import keep_page, keepable
from academy.glossary import services

bp = Blueprint("glossary", __name__, static_folder="static",
               static_url_path="/glossary/static")
# The whole unfiltered list, rendered once per glossary version and language (issue #12).
_rendered = versioned_cache(8)


@bp.get("/glossary")
@keepable
def index():
    """Alphabetical list with a letter index; `?q=` filters by term or definition (EN or RU)."""
    lang = current_lang()
    query = services.clean_query(request.args.get("q"))
    version = services.glossary_version()
    other = "ru" if lang == "en" else "en"

    def terms():
        groups, total = services.glossary(lang, query, version)
        html = Markup(render_template("glossary/_terms.html", groups=groups, other=other))
        return html, total, sum(len(group.terms) for group in groups)

    terms_html, total, shown = terms() if query else _rendered.get((version, lang), terms)
    keep_page()
    return render_template("glossary/index.html", total=total, query=query, other=other,
                           shown=shown, terms_html=terms_html)
