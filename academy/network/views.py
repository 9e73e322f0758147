"""Trainer Network pages: the directory, trainer profiles and course assignments."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from academy.auth.models import User
from academy.core.countries import country_choices, is_known_country
from academy.core.i18n import current_lang
from academy.core.roles import Role, role_required
from academy.courses.assignments import AssignmentError
from academy.extensions import db
from academy.learning.catalogue import THEMATIC_AREAS
from academy.network import services
from academy.network.forms import AssignForm, TrainerProfileForm, language_name

bp = Blueprint("network", __name__, url_prefix="/network")


@bp.app_context_processor
def network_helpers():
    return {"language_name": language_name, "thematic_areas": THEMATIC_AREAS}


@bp.get("/")
@role_required(Role.TRAINER, Role.COORDINATOR)
def directory():
    args = request.args
    filters = {"area": args.get("area", "") if args.get("area") in THEMATIC_AREAS else "",
               "language": args.get("language", "")
               if args.get("language") in services.WORKING_LANGUAGES else "",
               "country": args.get("country", "") if is_known_country(args.get("country")) else ""}
    lang = current_lang()
    return render_template("network/directory.html", rows=services.directory(**filters),
                           filters=filters, countries=country_choices(lang),
                           languages=[(c, language_name(c, lang))
                                      for c in services.WORKING_LANGUAGES])


@bp.get("/trainers/<int:user_id>")
@role_required(Role.TRAINER, Role.COORDINATOR)
def trainer(user_id):
    user = services.trainer(user_id)
    if user is None:
        abort(404)
    return render_template("network/trainer.html", user=user, profile=services.profile_of(user))


@bp.route("/profile", methods=["GET", "POST"])
@role_required(Role.TRAINER)
def profile():
    if current_user.role != Role.TRAINER.value:
        abort(403)  # admins pass role_required, but only trainers have a network profile
    saved = services.profile_of(current_user)
    form = TrainerProfileForm(data=None if request.method == "POST" else {
        "areas": saved.area_keys, "languages": saved.language_codes, "bio": saved.bio,
        "trainings_delivered": saved.trainings_delivered, "country": current_user.country,
        "organisation": current_user.organisation})
    if form.validate_on_submit():
        services.save_profile(current_user, areas=form.areas.data, languages=form.languages.data,
                              bio=form.bio.data or "",
                              trainings_delivered=form.trainings_delivered.data or 0,
                              country=form.country.data, organisation=form.organisation.data)
        db.session.commit()
        flash(_("Your Trainer Network profile has been saved."), "success")
        return redirect(url_for("network.trainer", user_id=current_user.id))
    return render_template("network/profile.html", form=form), 400 if form.errors else 200


@bp.get("/courses/")
@role_required(Role.COORDINATOR)
def courses():
    return render_template("network/courses.html",
                           courses=[(c, services.course_team(c)) for c in services.courses()])


def _course_or_404(slug):
    course = services.course_by_slug(slug)
    if course is None:
        abort(404)
    return course


def _assign_form():
    form = AssignForm()
    form.trainer.choices = [SelectChoice("", _("Choose a trainer"))] + [
        SelectChoice(str(u.id), f"{u.display_name} ({u.email})")
        for u in services.assignable_trainers(current_user)]
    return form


@bp.route("/courses/<slug>/", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def course(slug):
    course = _course_or_404(slug)
    form = _assign_form()
    if form.validate_on_submit():
        user = services.trainer(int(form.trainer.data)) if form.trainer.data.isdigit() else None
        if user is None:
            abort(404)
        try:
            services.assign_trainer(current_user, course, user, form.role.data)
        except LookupError:
            abort(404)
        except AssignmentError:
            abort(400)
        db.session.commit()
        flash(_("%(name)s is assigned to this course.", name=user.display_name), "success")
        return redirect(url_for("network.course", slug=slug))
    status = 400 if form.errors else 200
    return render_template("network/course.html", course=course, form=form,
                           team=services.course_team(course)), status


@bp.post("/courses/<slug>/unassign")
@role_required(Role.COORDINATOR)
def unassign(slug):
    # The CSRF token is checked by CSRFProtect before the view runs.
    course = _course_or_404(slug)
    user_id, role = request.form.get("trainer", ""), request.form.get("role", "")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None:
        abort(404)
    try:
        services.unassign_trainer(current_user, course, user, role)
    except LookupError:
        abort(404)
    except AssignmentError:
        abort(400)
    db.session.commit()
    flash(_("The assignment has been removed."), "success")
    return redirect(url_for("network.course", slug=slug))


from academy.network import invite_views  # noqa: E402,F401 - registers the invitation routes
