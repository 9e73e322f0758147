"""Authoring pages: home, module editor, review, history (thin: access, service, render)."""
from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from academy.authoring import access, images, services, workspace
from academy.authoring.diffs import side_by_side
from academy.core.roles import role_required
from academy.courses.models import ModuleVersion
from academy.extensions import db

bp = Blueprint("authoring", __name__, url_prefix="/author")
guard = role_required("trainer", "coordinator")


def _module(course_slug, module_slug):
    course = access.course_or_404(current_user, course_slug)
    return course, access.module_or_404(course, module_slug)


def _translation(module, text_en, text_ru):
    """None when the Russian is up to date, else the English diff since it was translated."""
    found = workspace.translated_from(text_ru)
    if found is None or found == workspace.english_hash(text_en):
        return None
    english = services.translated_english(module, text_ru)
    return {"rows": side_by_side(english, text_en) if english is not None else None}


@bp.get("/")
@guard
def home():
    """The courses the signed-in trainer authors or reviews, each module linking to its editor."""
    courses = access.authoring_courses(current_user)
    if not courses:
        abort(403)
    entries = []
    for course in courses:
        rows = []
        for module in course.modules:
            if module.current_version is None and services.open_draft(module) is None:
                continue
            draft, text_en, text_ru, _token = services.working_texts(module)
            stale = workspace.translated_from(text_ru) not in (None,
                                                               workspace.english_hash(text_en))
            rows.append((module, draft, stale))
        entries.append((course, access.can_write(current_user, course),
                        access.can_review(current_user, course), rows))
    return render_template("authoring/home.html", entries=entries)


def _render_editor(course, module, draft, text_en, text_ru, token, conflict=None, preview=False):
    check = services.check_draft(module, text_en, text_ru)
    previews = {}
    draft_urls = {image.name: url_for(".draft_image", course_slug=course.slug,
                                      module_slug=module.slug, name=image.name)
                  for image in (draft.images if draft is not None else [])}
    if preview and check.spec is not None:
        previews = workspace.preview_html(course, module, check.spec, draft_urls)
    return render_template(
        "authoring/editor.html", course=course, module=module, draft=draft,
        texts={"en": text_en, "ru": text_ru or ""}, token=token, check=check,
        previews=previews, aligned=workspace.aligned, conflict=conflict,
        moved_on=services.moved_on(draft),
        translation=_translation(module, text_en, text_ru),
        can_write=access.can_write(current_user, course),
        can_review=access.can_review(current_user, course))


@bp.get("/<course_slug>/<module_slug>/")
@guard
def editor(course_slug, module_slug):
    """The module's English and Russian Markdown side by side, with the checker's findings."""
    course, module = _module(course_slug, module_slug)
    draft, text_en, text_ru, token = services.working_texts(module)
    return _render_editor(course, module, draft, text_en, text_ru, token)


@bp.post("/<course_slug>/<module_slug>/")
@guard
def editor_post(course_slug, module_slug):
    """Preview, save (optionally marking the Russian as up to date) or submit for review."""
    course, module = _module(course_slug, module_slug)
    if not access.can_write(current_user, course):
        abort(404)
    action = request.form.get("action", "preview")
    text_en = workspace.normalise(request.form.get("text_en")) or ""
    text_ru = workspace.normalise(request.form.get("text_ru"))
    token = request.form.get("token", "")
    if action == "translated" and text_ru:
        text_ru = workspace.mark_translated(text_ru, text_en)
    if action == "preview":
        draft = services.open_draft(module)
        return _render_editor(course, module, draft, text_en, text_ru, token, preview=True)
    try:
        draft = services.save_draft(module, current_user, text_en, text_ru, token)
    except services.StaleSave as stale:
        db.session.rollback()
        conflict = {"en": side_by_side(stale.theirs_en, text_en),
                    "ru": side_by_side(stale.theirs_ru, text_ru),
                    "theirs": {"en": stale.theirs_en, "ru": stale.theirs_ru or ""}}
        return _render_editor(course, module, services.open_draft(module), text_en, text_ru,
                              stale.revision, conflict=conflict), 409
    except services.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".editor", course_slug=course.slug, module_slug=module.slug))
    message = _("Draft saved.")
    if action == "submit":
        try:
            services.submit_draft(draft, current_user)
            message = _("Draft saved and submitted for review.")
        except services.WorkflowError as error:
            message = _("Draft saved, but not submitted: %(reason)s", reason=str(error))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".editor", course_slug=course.slug, module_slug=module.slug))


@bp.get("/<course_slug>/<module_slug>/review")
@guard
def review(course_slug, module_slug):
    """The open draft against the published version, per language, with the workflow buttons."""
    course, module = _module(course_slug, module_slug)
    draft = services.open_draft(module) or abort(404)
    published_en, published_ru = (services.version_texts(module.current_version)
                                  if module.current_version else ("", None))
    diffs = {"en": side_by_side(published_en, draft.text_en),
             "ru": side_by_side(published_ru, draft.text_ru)}
    check = services.check_draft(module, draft.text_en, draft.text_ru)
    return render_template(
        "authoring/review.html", course=course, module=module, draft=draft, diffs=diffs,
        check=check, translation=_translation(module, draft.text_en, draft.text_ru),
        can_review=access.can_review(current_user, course),
        is_contributor=current_user.id in draft.contributor_ids)


def _reviewed_draft(course_slug, module_slug):
    course, module = _module(course_slug, module_slug)
    if not access.can_review(current_user, course):
        abort(404)
    draft = services.open_draft(module)
    if draft is None or str(draft.id) != request.form.get("draft"):
        abort(404)
    return course, module, draft


@bp.post("/<course_slug>/<module_slug>/return")
@guard
def return_draft(course_slug, module_slug):
    """Send the draft back to its authors with a comment."""
    course, module, draft = _reviewed_draft(course_slug, module_slug)
    try:
        services.return_draft(draft, current_user, request.form.get("comment", ""))
    except services.WorkflowError as error:
        flash(str(error), "error")
        return redirect(url_for(".review", course_slug=course.slug, module_slug=module.slug))
    db.session.commit()
    flash(_("The draft was returned to its authors."), "success")
    return redirect(url_for(".review", course_slug=course.slug, module_slug=module.slug))


@bp.post("/<course_slug>/<module_slug>/publish")
@guard
def publish(course_slug, module_slug):
    """Publish the submitted draft as a new version."""
    course, module, draft = _reviewed_draft(course_slug, module_slug)
    try:
        version = services.publish_draft(draft, current_user)
    except services.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".review", course_slug=course.slug, module_slug=module.slug))
    db.session.commit()
    flash(_("Published as version %(number)d.", number=version.number), "success")
    return redirect(url_for(".history", course_slug=course.slug, module_slug=module.slug))


@bp.get("/<course_slug>/<module_slug>/history")
@guard
def history(course_slug, module_slug):
    """Every version of the module, and a side-by-side diff between any two."""
    course, module = _module(course_slug, module_slug)
    versions = services.module_versions(module)
    numbers = [version.number for version, _draft in versions]
    old = request.args.get("from", type=int)
    new = request.args.get("to", type=int)
    diff_lang = request.args.get("lang") if request.args.get("lang") in ("en", "ru") else "en"
    comparison = None
    if old is not None and new is not None:
        if old not in numbers or new not in numbers:
            abort(404)
        by_number = {version.number: version for version, _draft in versions}
        index = 0 if diff_lang == "en" else 1
        comparison = {"from": old, "to": new, "lang": diff_lang, "rows": side_by_side(
            services.version_texts(by_number[old])[index],
            services.version_texts(by_number[new])[index])}
    elif len(numbers) > 1:
        old, new = numbers[1], numbers[0]
    return render_template("authoring/history.html", course=course, module=module,
                           versions=versions, comparison=comparison, old=old, new=new,
                           diff_lang=diff_lang,
                           can_write=access.can_write(current_user, course))


@bp.post("/<course_slug>/<module_slug>/history/<int:number>/restore")
@guard
def restore(course_slug, module_slug, number):
    """Start a new draft from an earlier version's texts."""
    course, module = _module(course_slug, module_slug)
    if not access.can_write(current_user, course):
        abort(404)
    version = db.session.scalar(select(ModuleVersion).where(
        ModuleVersion.module_id == module.id, ModuleVersion.number == number)) or abort(404)
    try:
        services.restore_version(module, version, current_user)
    except services.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".history", course_slug=course.slug, module_slug=module.slug))
    db.session.commit()
    flash(_("Version %(number)d is now a new draft.", number=number), "success")
    return redirect(url_for(".editor", course_slug=course.slug, module_slug=module.slug))


@bp.post("/<course_slug>/modules")
@guard
def new_module(course_slug):
    """Create a new module of the course as an unpublished draft."""
    course = access.course_or_404(current_user, course_slug)
    if not access.can_write(current_user, course):
        abort(404)
    try:
        draft = services.create_module(course, current_user, request.form.get("slug", ""),
                                       request.form.get("number", ""),
                                       request.form.get("title", ""))
    except services.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".home"))
    db.session.commit()
    flash(_("The module was created as a draft. Write it, then submit it for review."), "success")
    return redirect(url_for(".editor", course_slug=course.slug, module_slug=draft.module.slug))


@bp.post("/<course_slug>/<module_slug>/images")
@guard
def image_upload(course_slug, module_slug):
    """Add an image to the module's draft (a draft is started when there is none)."""
    course, module = _module(course_slug, module_slug)
    if not access.can_write(current_user, course):
        abort(404)
    upload = request.files.get("image")
    back = redirect(url_for(".editor", course_slug=course.slug, module_slug=module.slug))
    if upload is None or not upload.filename:
        flash(_("Choose an image file to upload."), "error")
        return back
    try:
        draft = services.open_draft(module)
        if draft is None:
            _none, text_en, text_ru, token = services.working_texts(module)
            draft = services.save_draft(module, current_user, text_en, text_ru, token)
        image = images.add_image(draft, upload.filename, upload.read(), request.form.get("alt"))
    except services.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back
    db.session.commit()
    alt = " ".join(request.form.get("alt", "").split()).replace("]", ")")
    flash(_("Image uploaded. Show it by writing %(markdown)s in the text of each language.",
            markdown=f"![{alt}]({image.name})"), "success")
    return back


@bp.get("/<course_slug>/<module_slug>/images/<name>")
@guard
def draft_image(course_slug, module_slug, name):
    """An image of the module's draft, for the preview."""
    _course, module = _module(course_slug, module_slug)
    draft = services.open_draft(module) or abort(404)
    image = next((image for image in draft.images if image.name == name), None) or abort(404)
    return Response(image.data, mimetype=image.media_type)


from academy.authoring import course_views, panels  # noqa: E402,F401  (register their routes)
