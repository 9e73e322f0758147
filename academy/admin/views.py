"""People administration pages: user list, user page and actions, the audit log."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import _, lazy_gettext as _l
from flask_login import current_user

from academy.admin import audit_log, services
from academy.admin.forms import ROLE_LABELS, RoleForm, ScopeForm
from academy.auth import emails
from academy.auth.forms import ConfirmForm
from academy.auth.mfa_views import recent_auth_required
from academy.core.countries import country_choices, country_name, is_known_country
from academy.core.i18n import current_lang
from academy.core.roles import Role, role_required
from academy.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_template_filter("country_name")
def country_name_filter(code):
    """A country code as its name in the page's language."""
    return country_name(code, current_lang())


REFUSALS = {
    "own-role": _l("You cannot change your own role."),
    "own-account": _l("You cannot deactivate your own account."),
    "role-not-grantable": _l("Only an administrator can grant this role."),
    "scope-admin-only": _l("Only an administrator can set a coordinator's states."),
    "scope-invalid": _l("Choose states from the list."),
}


def _filters():
    args = request.args
    role = args.get("role", "")
    country = args.get("country", "")
    return {
        "search": args.get("q", "")[:200],
        "role": role if role in ROLE_LABELS else "",
        "country": country if is_known_country(country) else "",
        "active": args.get("active", "") if args.get("active") in ("yes", "no") else "",
        "confirmed": args.get("confirmed", "") if args.get("confirmed") in ("yes", "no") else "",
    }


def _page_number():
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() else 1


def _managed_or_404(user_id):
    user = services.managed_user(current_user, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users/")
@role_required(Role.COORDINATOR)
def users():
    filters = _filters()
    rows, total, pages, page = services.paginate(services.user_query(current_user, **filters),
                                                 _page_number())
    roles = services.grantable_roles(current_user)
    return render_template("admin/users.html", users=rows, total=total, pages=pages, page=page,
                           filters=filters, roles=[(r, ROLE_LABELS[r]) for r in roles],
                           countries=country_choices(current_lang()), role_labels=ROLE_LABELS)


def _user_page(user, role_form=None, scope_form=None, status=200):
    enrolments, assignments = services.user_activity(user)
    role_form = role_form or RoleForm(services.grantable_roles(current_user), role=user.role)
    if scope_form is None:
        scope_form = ScopeForm(everywhere=user.country_scope == "all",
                               countries=[c for c in user.country_scope.split(",") if c != "all"])
    return render_template("admin/user.html", user=user, enrolments=enrolments,
                           assignments=assignments, role_form=role_form, scope_form=scope_form,
                           confirm_form=ConfirmForm(), role_labels=ROLE_LABELS), status


@bp.get("/users/<int:user_id>/")
@role_required(Role.COORDINATOR)
def user(user_id):
    return _user_page(_managed_or_404(user_id))


def _refused(error):
    flash(str(REFUSALS.get(str(error), _("This change is not allowed."))), "error")


@bp.post("/users/<int:user_id>/role")
@role_required(Role.COORDINATOR)
@recent_auth_required
def change_role(user_id):
    user = _managed_or_404(user_id)
    form = RoleForm(services.grantable_roles(current_user))
    if not form.validate_on_submit():
        return _user_page(user, role_form=form, status=400)
    try:
        services.change_role(current_user, user, form.role.data)
    except services.AdminError as error:
        db.session.rollback()
        _refused(error)
    else:
        db.session.commit()
        flash(_("The role of %(email)s is now: %(role)s.", email=user.email,
                role=ROLE_LABELS[user.role]), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/scope")
@role_required(Role.ADMIN)
@recent_auth_required
def set_scope(user_id):
    user = _managed_or_404(user_id)
    form = ScopeForm()
    if not form.validate_on_submit():
        return _user_page(user, scope_form=form, status=400)
    try:
        services.set_scope(current_user, user, form.scope_text())
    except services.AdminError as error:
        db.session.rollback()
        _refused(error)
    else:
        db.session.commit()
        flash(_("The coordinator's states have been saved."), "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _set_active(user_id, active):
    user = _managed_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.set_active(current_user, user, active)
    except services.AdminError as error:
        db.session.rollback()
        _refused(error)
    else:
        db.session.commit()
        if active:
            flash(_("%(email)s has been reactivated.", email=user.email), "success")
        else:
            flash(_("%(email)s has been deactivated and signed out everywhere.",
                    email=user.email), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.COORDINATOR)
def deactivate(user_id):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
@role_required(Role.COORDINATOR)
def activate(user_id):
    return _set_active(user_id, True)


@bp.post("/users/<int:user_id>/confirmation")
@role_required(Role.COORDINATOR)
def resend_confirmation(user_id):
    user = _managed_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = services.resend_confirmation(user)
    if token is None:
        flash(_("This address is already confirmed, or the account is deactivated."), "error")
    else:
        db.session.commit()
        emails.send_confirmation(user, token)
        flash(_("A new confirmation e-mail has been sent to %(email)s.", email=user.email),
              "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _audit_filters():
    args = request.args
    return {"actor": args.get("actor", "")[:300], "action": args.get("action", "")[:60],
            "day_from": audit_log.parse_day(args.get("from")),
            "day_to": audit_log.parse_day(args.get("to"))}


@bp.get("/audit/")
@role_required(Role.ADMIN)
def audit():
    filters = _audit_filters()
    rows, total, pages, page = services.paginate(audit_log.event_query(**filters),
                                                 _page_number(), size=50)
    return render_template("admin/audit.html", events=rows, total=total, pages=pages, page=page,
                           filters=filters, actions=audit_log.known_actions(),
                           details_text=audit_log.details_text)


@bp.get("/audit/export.csv")
@role_required(Role.ADMIN)
def audit_export():
    body = audit_log.export_csv(audit_log.event_query(**_audit_filters()))
    return Response(body, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": "attachment; filename=audit-log.csv"})
