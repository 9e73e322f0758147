"""The second sign-in step, enrolment of an authenticator app, recovery codes, re-authentication."""
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import _
from flask_login import current_user, login_required

from academy.auth import mfa, services, sessions
from academy.auth.forms import CodeForm, ConfirmForm, ReauthForm
from academy.core.urls import safe_next
from academy.extensions import db, limiter

bp = Blueprint("mfa", __name__, url_prefix="/auth/mfa")

CODE_LIMIT = "5 per minute"


def _pending_key():
    found = session.get("mfa_pending")
    return f"mfa-{found.get('id')}" if isinstance(found, dict) else request.remote_addr


def _finish(user, remember, next_url):
    """Complete the sign-in begun with the password."""
    sessions.start_session(user, remember)
    return redirect(safe_next(next_url) or url_for("learning.dashboard"))


def _expired():
    flash(_("Your sign-in has expired. Please sign in again."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(CODE_LIMIT, key_func=_pending_key, methods=["POST"])
def verify():
    found = mfa.pending()
    if found is None:
        return _expired()
    user, remember, next_url = found
    if not mfa.is_enrolled(user):
        return redirect(url_for("mfa.setup"))
    form = CodeForm()
    if form.validate_on_submit():
        if mfa.verify(user, form.code.data):
            db.session.commit()
            return _finish(user, remember, next_url)
        db.session.commit()  # the failure is logged; a used recovery code stays used
        form.code.errors.append(_("This code is not valid. Enter the current code from your "
                                  "authenticator app, or one of your recovery codes."))
    return render_template("auth/mfa_verify.html", form=form)


def _setup_user():
    if current_user.is_authenticated:
        return current_user._get_current_object(), None
    found = mfa.pending()
    return (found[0], found) if found else (None, None)


@bp.route("/setup", methods=["GET", "POST"])
@limiter.limit(CODE_LIMIT, key_func=_pending_key, methods=["POST"])
def setup():
    user, found = _setup_user()
    if user is None:
        return _expired()
    if mfa.is_enrolled(user):
        return redirect(url_for("auth.profile") if found is None else url_for("mfa.verify"))
    secret = mfa.setup_secret()
    form = CodeForm()
    if form.validate_on_submit():
        codes = mfa.enrol(user, form.code.data)
        db.session.commit()
        if codes is not None:
            session["mfa_new_codes"] = codes
            if found is not None:
                _finish(*found)
                session["mfa_new_codes"] = codes
            return redirect(url_for("mfa.recovery_codes"))
        form.code.errors.append(_("This code is not valid. Check that the clock of your phone "
                                  "is right and enter the code the app shows now."))
    uri = mfa.provisioning_uri(user, secret)
    return render_template("auth/mfa_setup.html", form=form, secret=secret,
                           qr=mfa.qr_data_uri(uri), required=mfa.is_required(user))


@bp.route("/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if not mfa.is_recent():
            return redirect(url_for("mfa.reauthenticate", next=url_for("auth.profile")))
        session["mfa_new_codes"] = mfa.new_recovery_codes(current_user)
        db.session.commit()
        return redirect(url_for("mfa.recovery_codes"))
    codes = session.pop("mfa_new_codes", None)
    if codes is None:
        return redirect(url_for("auth.profile"))
    return render_template("auth/mfa_recovery_codes.html", codes=codes)


def _same_site_path(url):
    """The path (and query) of `url` when it points at this site, else None."""
    parts = urlsplit(url or "")
    if parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def recent_auth_required(view):
    """Ask for the password (and second factor) again unless given in the last 15 minutes.

    After a refused POST the user returns to the page the form was on, to make the change again.
    """
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not mfa.is_recent():
            back = request.full_path if request.method == "GET" else _same_site_path(
                request.referrer)
            return redirect(url_for("mfa.reauthenticate", next=safe_next(back) or None))
        return view(*args, **kwargs)

    return wrapped


@bp.route("/reauthenticate", methods=["GET", "POST"])
@login_required
@limiter.limit(CODE_LIMIT, key_func=lambda: f"reauth-{current_user.id}", methods=["POST"])
def reauthenticate():
    user = current_user._get_current_object()
    form = ReauthForm(with_code=mfa.is_enrolled(user))
    if form.validate_on_submit():
        check = services.authenticate(user.email, form.password.data)
        code_ok = not mfa.is_enrolled(user) or mfa.verify(user, form.code.data)
        db.session.commit()
        if check.user is not None and check.user.id == user.id and code_ok:
            mfa.mark_authenticated()
            return redirect(safe_next(request.args.get("next")) or url_for("auth.profile"))
        form.form_errors.append(_("The password or the code is not correct."))
    return render_template("auth/mfa_reauthenticate.html", form=form)
