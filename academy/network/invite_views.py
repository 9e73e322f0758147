"""Invitation pages: invite one trainer or a CSV of them, remind, and accept a link."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import _, lazy_gettext as _l, ngettext
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError

from academy.auth import services as accounts
from academy.auth import session_records
from academy.auth.forms import ConfirmForm
from academy.auth.models import User
from academy.core.roles import Role, role_required
from academy.extensions import db
from academy.network import emails, invitations
from academy.network.forms import AcceptNewAccountForm, InviteCsvForm, InviteForm
from academy.network.views import bp

ROW_PROBLEMS = {
    "name-missing": _l("The name is missing."),
    "name-long": _l("The name is longer than 200 characters."),
    "email-invalid": _l("The e-mail address is not valid."),
    "email-repeated": _l("This e-mail address appears more than once."),
    "email-pending": _l("This address already has an open invitation; send a reminder instead."),
    "country-unknown": _l("Unknown country: use an ISO code such as GE, or “other”."),
    "country-out-of-scope": _l("This country is not among the states you manage."),
    "organisation-long": _l("The organisation is longer than 200 characters."),
    "language-unknown": _l("The language must be en or ru."),
    "columns": _l("This line does not have the five columns of the header."),
}
CSV_PROBLEMS = {
    "csv-encoding": _l("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
    "csv-malformed": _l("The file is not a valid CSV file."),
    "csv-empty": _l("The file has no invitations in it."),
    "csv-header": _l("The first line must be the header: name, email, country, organisation, "
                     "language."),
    "csv-too-many": _l("A file may hold at most 500 invitations. Split it and try again."),
    "csv-missing": _l("Choose a CSV file."),
}


def _page(invite_form=None, csv_form=None, report=None, csv_problem=None, status=200):
    return render_template(
        "network/invitations.html", invite_form=invite_form or InviteForm(),
        csv_form=csv_form or InviteCsvForm(), report=report, csv_problem=csv_problem,
        row_problems=ROW_PROBLEMS, invitations=invitations.invitations_in_scope(current_user),
        state_of=invitations.invitation_state, confirm_form=ConfirmForm()), status


def _send_all(created):
    for invitation, token in created:
        emails.send_invitation(invitation, token, current_user)


@bp.get("/invitations/")
@role_required(Role.COORDINATOR)
def invitations_page():
    return _page()


@bp.post("/invitations/")
@role_required(Role.COORDINATOR)
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(invite_form=form, status=400)
    row = invitations.InvitationRow(0, form.name.data, form.email.data, form.country.data or "",
                                    form.organisation.data or "", form.language.data or "")
    invitations.check_row(current_user, row, set())
    created = invitations.create_invitations(current_user, [row])
    if created is None:
        form.form_errors.extend(str(ROW_PROBLEMS[code]) for code in row.problems)
        return _page(invite_form=form, status=400)
    db.session.commit()
    _send_all(created)
    flash(_("An invitation has been sent to %(email)s.", email=row.email), "success")
    return redirect(url_for("network.invitations_page"))


@bp.post("/invitations/csv")
@role_required(Role.COORDINATOR)
def invite_csv():
    form = InviteCsvForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        return _page(csv_form=form, csv_problem=CSV_PROBLEMS["csv-missing"], status=400)
    rows, problem = invitations.read_csv(upload.read())
    if problem:
        return _page(csv_form=form, csv_problem=CSV_PROBLEMS[problem], status=400)
    seen = set()
    for row in rows:
        invitations.check_row(current_user, row, seen)
    created = invitations.create_invitations(current_user, rows)
    if created is None:
        return _page(csv_form=form, report=rows, status=400)
    db.session.commit()
    _send_all(created)
    flash(ngettext("%(num)d invitation has been sent.", "%(num)d invitations have been sent.",
                   len(created)), "success")
    return _page(report=rows)


@bp.post("/invitations/<int:invitation_id>/remind")
@role_required(Role.COORDINATOR)
def remind(invitation_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    visible = {i.id: i for i in invitations.invitations_in_scope(current_user)}
    invitation = visible.get(invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        abort(404)
    token = invitations.remind(invitation)
    db.session.commit()
    emails.send_reminder(invitation, token, db.session.get(User, invitation.invited_by_id)
                         if invitation.invited_by_id else None)
    flash(_("A reminder has been sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("network.invitations_page"))


def _dead_link():
    return render_template("network/accept_invalid.html"), 410


def _sign_in(user):
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    # A server-side session record first: the cookie carries its token (get_id), without which
    # the next request signs nobody in.
    session_records.start_session(user, remember=False)
    login_user(user)
    accounts.record_sign_in(user)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept(token):
    invitation = invitations.usable_invitation(token)
    if invitation is None:
        return _dead_link()
    if "lang" not in session and not current_user.is_authenticated:
        session["lang"] = invitation.locale  # the page speaks the invitation's language
    if invitations.account_exists(invitation.email):
        return _accept_existing(token, invitation)
    form = AcceptNewAccountForm(invitation.email, data=None if request.method == "POST" else
                                _name_data(invitation.name))
    if not form.validate_on_submit():
        return render_template("network/accept_new.html", invitation=invitation, form=form), \
            400 if form.errors else 200
    try:
        user = invitations.accept_with_new_account(invitation, form.password.data,
                                                   form.name_latin.data, form.name_cyrillic.data)
    except (accounts.DuplicateEmail, IntegrityError):
        user = None
    if user is None:  # used, or the account created, by a parallel request a moment ago
        db.session.rollback()
        return _dead_link()
    db.session.commit()
    _sign_in(user)
    db.session.commit()
    flash(_("Welcome to the Trainer Network. Please complete your trainer profile."), "success")
    return redirect(url_for("network.profile"))


def _name_data(name):
    if any("\u0400" <= ch <= "\u04ff" for ch in name):
        return {"name_cyrillic": name}
    return {"name_latin": name}


def _accept_existing(token, invitation):
    signed_in_as_invitee = (current_user.is_authenticated
                            and current_user.email == invitation.email)
    form = ConfirmForm()
    if not signed_in_as_invitee or not form.validate_on_submit():
        return render_template("network/accept_existing.html", invitation=invitation,
                               form=form, signed_in_as_invitee=signed_in_as_invitee,
                               token=token)
    if not invitations.accept_with_existing_account(invitation, current_user):
        db.session.rollback()
        return _dead_link()
    db.session.commit()
    flash(_("You have joined the Trainer Network. Please complete your trainer profile."),
          "success")
    if current_user.role != Role.TRAINER.value:
        return redirect(url_for("network.directory"))
    return redirect(url_for("network.profile"))

