"""Course pages of authoring: course.yml fields through a form, module order."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from academy.authoring import access, archive, course_edit
from academy.authoring.views import bp, guard
from academy.courses.images import MAX_IMAGE_BYTES
from academy.courses.specs import THEMATIC_AREAS
from academy.learning.catalogue import area_title
from academy.extensions import db


def _reviewable_course(slug):
    course = access.course_or_404(current_user, slug)
    if not access.can_review(current_user, course):
        abort(404)
    return course


def _render(course, values, problems=(), status=200):
    return render_template("authoring/course.html", course=course, values=values,
                           problems=problems, is_staff=access.is_staff(current_user),
                           areas=[(key, area_title(key)) for key in THEMATIC_AREAS]), status


@bp.get("/<course_slug>/")
@guard
def course_settings(course_slug):
    """The course's fields (course.yml) and the order of its modules."""
    course = _reviewable_course(course_slug)
    return _render(course, course_edit.form_values(course))


@bp.post("/<course_slug>/")
@guard
def course_settings_post(course_slug):
    """Save the course fields, checked and imported like course.yml."""
    course = _reviewable_course(course_slug)
    values = {key: request.form.get(key, "") for key in course_edit.FIELDS}
    problems = course_edit.save_course_fields(course, values)
    if any(problem.severity == "error" for problem in problems):
        db.session.rollback()
        return _render(course, values, problems, 400)
    db.session.commit()
    flash(_("The course fields were saved."), "success")
    return redirect(url_for(".course_settings", course_slug=course.slug))


@bp.post("/<course_slug>/order")
@guard
def course_order(course_slug):
    """Renumber the course's modules."""
    course = _reviewable_course(course_slug)
    positions = {module.slug: request.form.get(f"position-{module.slug}", "")
                 for module in course.modules}
    problems = course_edit.reorder_modules(course, positions)
    if any(problem.severity == "error" for problem in problems):
        db.session.rollback()
        return _render(course, course_edit.form_values(course), problems, 400)
    db.session.commit()
    flash(_("The new module order was saved."), "success")
    return redirect(url_for(".course_settings", course_slug=course.slug))


def _staff_course(slug):
    course = access.course_or_404(current_user, slug)
    if not access.is_staff(current_user):
        abort(404)
    return course


@bp.get("/<course_slug>/download")
@guard
def course_download(course_slug):
    """The course's files as a zip (coordinators)."""
    course = _staff_course(course_slug)
    return Response(archive.course_zip(course), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{course.slug}.zip"'})


@bp.url_value_preprocessor
def _larger_body_for_uploads(endpoint, values):
    # URL preprocessors run before any before_request (CSRF reads the body there): the one
    # route that takes a course zip may receive more than the site-wide request limit.
    if endpoint == "authoring.course_upload":
        request.max_content_length = archive.MAX_ZIP_BYTES + 64 * 1024
    elif endpoint == "authoring.image_upload":
        request.max_content_length = MAX_IMAGE_BYTES + 64 * 1024


@bp.post("/<course_slug>/upload")
@guard
def course_upload(course_slug):
    """Replace the course's files from a zip: checked, then imported all or nothing."""
    course = _staff_course(course_slug)
    upload = request.files.get("archive")
    if upload is None or not upload.filename:
        flash(_("Choose a zip file to upload."), "error")
        return redirect(url_for(".course_settings", course_slug=course.slug))
    try:
        summary, problems = archive.upload_course(course, upload.read(archive.MAX_ZIP_BYTES + 1))
    except archive.ArchiveError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".course_settings", course_slug=course.slug))
    if summary is None:
        db.session.rollback()
        return _render(course, course_edit.form_values(course), problems, 400)
    db.session.commit()
    flash(_("The course was uploaded: %(summary)s", summary=str(summary)), "success")
    return redirect(url_for(".course_settings", course_slug=course.slug))
