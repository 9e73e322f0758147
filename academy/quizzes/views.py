"""Quiz views: start an attempt, answer it, submit it once, review it."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from academy.auth import session_records
from academy.certificates.services import current_certificate
from academy.core.i18n import current_lang, remember_language
from academy.extensions import db
from academy.learning import services as learning
from academy.quizzes import grading, services

bp = Blueprint("quizzes", __name__)


@bp.post("/courses/<slug>/<module_slug>/attempts")
@login_required
def start(slug, module_slug):
    """Start the module's quiz (or resume the open attempt) and go to it."""
    course = learning.get_course(slug) or abort(404)
    module = learning.get_module(course, module_slug) or abort(404)
    try:
        attempt = services.start_attempt(current_user.id, module, course, current_lang())
    except services.QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("learning.module", slug=course.slug, module_slug=module.slug))
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


@bp.post("/attempts/<int:attempt_id>/answers")
@login_required
def save(attempt_id):
    """Save the answers given so far (the "Save" button, or the page's script on each change)."""
    attempt = services.get_own_attempt(attempt_id, current_user.id) or abort(404)
    url = url_for("quizzes.attempt", attempt_id=attempt.id)
    try:
        selections = grading.parse_answers(attempt, request.form)
    except grading.InvalidAnswer as error:
        db.session.rollback()
        if _wants_json():
            return jsonify(error=str(error)), 400
        return _quiz_page(attempt, error=str(error)), 400
    saved = services.save_draft(attempt, selections)
    # "Save and continue in …": the answers are kept, then the page comes back in the other
    # language (without JavaScript the header's language switch would lose unsaved answers).
    switched = saved and remember_language(request.args.get("lang"))
    db.session.commit()
    if switched:
        refresh()  # the confirmation below is in the language just chosen
        flash(_("Your answers are saved. You can come back to them later, on any device."),
              "success")
        return redirect(url)
    if _wants_json():
        if not saved:
            return jsonify(error=_("This attempt has already been submitted.")), 409
        return jsonify(saved=_("Answers saved at %(time)s.",
                               time=format_datetime(attempt.saved_at, "medium")))
    if saved:
        flash(_("Your answers are saved. You can come back to them later, on any device."),
              "success")
    return redirect(url)


@bp.route("/attempts/<int:attempt_id>/", methods=["GET", "POST"])
@login_required
def attempt(attempt_id):
    """The quiz form while the attempt is open; its review once submitted."""
    if request.method == "POST":
        return _submit(attempt_id, current_user.id)
    attempt = services.get_own_attempt(attempt_id, current_user.id) or abort(404)
    if attempt.submitted_at is None:
        return _quiz_page(attempt)
    return _review_page(attempt)


def _submit(attempt_id, user_id):
    """Grade the submitted answers once, then show the review."""
    here = url_for("quizzes.attempt", attempt_id=attempt_id)
    # The attempt as plain values: grading reads them and writes set-based statements.
    attempt = grading.get_submission(attempt_id, user_id) or abort(404)
    if attempt.submitted_at is not None:
        return redirect(here)
    try:
        selections = grading.parse_answers(attempt, request.form)
    except grading.InvalidAnswer as error:
        db.session.rollback()
        return _quiz_page(services.get_own_attempt(attempt_id, user_id), error=str(error)), 400
    if not any(selections.values()):
        # An empty form is a slip (a stray click), not an answer: it must not use an attempt.
        db.session.rollback()
        flash(_("You have not answered any question yet, so nothing was recorded. "
                "Choose your answers, then submit them."), "error")
        return redirect(here)
    last_seen = session_records.last_seen_due()
    result = grading.submit_attempt(attempt, selections, last_seen)
    if not result.claimed:
        # Someone else (a double click, a parallel request) already submitted it.
        db.session.rollback()
        return redirect(here)
    db.session.commit()
    if last_seen is not None:
        session_records.last_seen_moved()
    if result.completion is not None:
        flash(_("Congratulations! You have completed the course."), "success")
    return redirect(here)


def _quiz_page(attempt, error=None):
    module = attempt.module
    return render_template("quizzes/attempt.html", attempt=attempt, module=module,
                           course=module.course, items=services.quiz_items(attempt),
                           saved=services.draft_selections(attempt),
                           title=attempt.version.content(current_lang()).title, error=error)


def _review_page(attempt):
    module = attempt.module
    course = module.course
    modules = learning.course_modules(course)
    following = None
    if any(m.id == module.id for m in modules):
        following = learning.neighbours(modules, module)[1]
    summary = services.quiz_summary(current_user.id, module, course)
    level = services.review_level(attempt, summary)
    completion = learning.get_completion(current_user.id, course.id)
    certificate = current_certificate(current_user.id, course.id) if completion else None
    return render_template(
        "quizzes/review.html", attempt=attempt, module=module, course=course,
        items=services.review_items(attempt, level), level=level,
        title=attempt.version.content(current_lang()).title,
        progress=learning.get_progress(current_user.id, module.id),
        summary=summary, completion=completion, certificate=certificate,
        following=following, final=learning.split_modules(modules)[1])
