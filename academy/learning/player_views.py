"""The course player's routes: where the learner stopped reading, EN/RU side by side, and a
module to take away as one self-contained HTML file."""
from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.core.i18n import current_lang
from academy.extensions import db
from academy.learning import player, services
from academy.learning.views import _enrolled_module, bp

DOWNLOAD_LANGS = ("en", "ru", "both")


def _enrolled_or_404(slug, module_slug):
    """(course, module) of a module the signed-in learner is enrolled in; 404 otherwise."""
    course = services.get_course(slug) or abort(404)
    module = services.get_module(course, module_slug) or abort(404)
    if services.get_enrolment(current_user.id, course.id) is None:
        abort(404)
    return course, module


@bp.post("/courses/<slug>/<module_slug>/position")
@login_required
def save_position(slug, module_slug):
    """Remember the section the learner has reached (sent by player.js as they read)."""
    _course, module = _enrolled_or_404(slug, module_slug)
    anchor = request.form.get("section", "")
    known = {s.anchor for c in module.current_version.contents for s in player.sections(c.html)}
    if anchor not in known:
        abort(400)
    progress = services.get_progress(current_user.id, module.id)
    if progress is None:
        abort(404)
    progress.last_section = anchor
    db.session.commit()
    return "", 204


def _both_contents(module):
    version = module.current_version
    by_lang = {content.lang: content for content in version.contents}
    return by_lang["en"], by_lang.get("ru")


@bp.get("/courses/<slug>/<module_slug>/side-by-side")
@login_required
def parallel(slug, module_slug):
    """The module in English and Russian in parallel columns, paragraph by paragraph."""
    course, module, enrolment = _enrolled_module(slug, module_slug)
    if enrolment is None:
        return redirect(url_for("learning.course", slug=course.slug))
    english, russian = _both_contents(module)
    if russian is None:
        abort(404)
    rows = player.parallel_rows(player.prefix_ids(english.html, "en-"),
                                player.prefix_ids(russian.html, "ru-"))
    return render_template("learning/parallel.html", course=course, module=module,
                           english=english, russian=russian, rows=rows)


@bp.get("/courses/<slug>/<module_slug>/download/<choice>")
@login_required
def download(slug, module_slug, choice):
    """The module as one HTML file, styles and images inside, for reading offline."""
    course, module = _enrolled_or_404(slug, module_slug)
    if choice not in DOWNLOAD_LANGS:
        abort(404)
    english, russian = _both_contents(module)
    if choice != "en" and russian is None:
        abort(404)
    version = module.current_version

    def prepared(content, prefix=""):
        html = player.inline_images(content.html, version)
        return player.prefix_ids(player.absolute_links(html, request.host_url), prefix)

    if choice == "both":
        rows = player.parallel_rows(prepared(english, "en-"), prepared(russian, "ru-"))
        contents, lang = [english, russian], current_lang()
    else:
        content = english if choice == "en" else russian
        rows, contents, lang = None, [content], choice
    css = Path(current_app.static_folder, "academy.css").read_text(encoding="utf-8")
    with force_locale(lang):
        body = render_template("learning/offline.html", course=course, module=module, rows=rows,
                               contents=contents, html=[prepared(c) for c in contents],
                               css=css, doc_lang=lang, base_url=request.host_url.rstrip("/"))
    filename = f"{course.slug}-{module.slug}-{choice}.html"
    response = current_app.response_class(body, mimetype="text/html")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The file is opened from the disk, where its own inline styles must apply.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
    return response


@bp.app_template_global()
def download_label(choice):
    """The name of a download choice in the reader's language."""
    return {"en": _("English"), "ru": _("Russian"), "both": _("English and Russian side by side")}[choice]
