"""The learner's history (courses, scores, dates) and leaving a course not completed."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.extensions import db
from academy.learning import services
from academy.learning.progress import learning_history
from academy.learning.views import bp


@bp.get("/dashboard/history")
@login_required
def history():
    """Every course of the learner with its dates, module statuses and best scores."""
    return render_template("learning/history.html",
                           records=learning_history(current_user.id))


@bp.route("/courses/<slug>/leave", methods=["GET", "POST"])
@login_required
def leave(slug):
    """Ask to confirm, then end the enrolment in a course the learner has not completed."""
    course = services.get_course(slug) or abort(404)
    enrolment = services.get_enrolment(current_user.id, course.id)
    if enrolment is None:
        flash(_("You are not enrolled in this course."), "info")
        return redirect(url_for("learning.history"))
    completion = services.get_completion(current_user.id, course.id)
    if request.method == "GET":
        return render_template("learning/leave.html", course=course, completion=completion)
    try:
        services.leave_course(current_user.id, course)
    except services.LearningError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("learning.history"))
    db.session.commit()
    flash(_("You have left the course. Your results stay on record if you enrol again."),
          "success")
    return redirect(url_for("learning.history"))
