"""Account pages: register, confirm, sign in and out, passwords, profile."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import _, refresh
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user

from academy.auth import emails, mfa, services, session_records, sessions
from academy.auth.forms import (ChangePasswordForm, ConfirmForm, EmailOnlyForm, LoginForm,
                                ProfileForm, RegisterForm, ResetPasswordForm)
from academy.auth.tokens import RESET_PASSWORD, token_user
from academy.core.database import begin_writing
from academy.core.queue import enqueue
from academy.core.urls import safe_next
from academy.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Per address: slows guessing one account's password. Per IP: generous, because a whole
# classroom of officials may sign in at once from one ministry's address.
LOGIN_LIMIT_PER_EMAIL = "10 per minute"
LOGIN_LIMIT_PER_IP = "60 per minute"
MAIL_LIMIT_PER_EMAIL = "5 per hour"  # shared by every form that mails an address: no mail-bombing
MAIL_LIMIT_PER_IP = "100 per hour"


def _posted_email():
    return services.normalise_email(request.form.get("email"))


def _limit_per_email(limit, scope):
    # A shared limit: every view using `scope` draws on one budget per address.
    return limiter.shared_limit(limit, scope, key_func=_posted_email, methods=["POST"])


def _limit_per_ip(limit):
    return limiter.limit(limit, methods=["POST"])


def _account_key():
    # Limits guessing the current password from a borrowed session, whatever the IP.
    if current_user.is_authenticated:
        return f"account-{current_user.id}"
    return get_remote_address()


def _home():
    return url_for("learning.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@_limit_per_ip(LOGIN_LIMIT_PER_IP)
@_limit_per_email(LOGIN_LIMIT_PER_EMAIL, "login-per-email")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or _home())
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    check = services.authenticate(form.email.data, form.password.data)
    db.session.commit()  # keeps a rehashed password even when sign-in stops below
    if check.problem == "unconfirmed":
        return render_template("auth/login.html", form=form, unconfirmed=True)
    if check.problem == "inactive":
        form.form_errors.append(_("This account has been deactivated. Please contact the "
                                  "Academy's coordinators if you need it again."))
        return render_template("auth/login.html", form=form)
    if check.problem:
        form.form_errors.append(_("The e-mail address or password is incorrect."))
        return render_template("auth/login.html", form=form)
    if mfa.needs_second_step(check.user):
        mfa.begin(check.user, form.remember.data, form.next.data)
        return redirect(url_for("mfa.verify"))
    sessions.start_session(check.user, remember=form.remember.data)
    return redirect(safe_next(form.next.data) or _home())


@bp.after_app_request
def record_last_seen(response):
    """Move the current session's last-seen time, at most once per few minutes."""
    session_records.touch_last_seen()
    return response


@bp.post("/logout")
def logout():
    # Deleting this session's record kills any copy of its cookie; other devices stay signed in.
    if current_user.is_authenticated:
        session_records.end_session(current_user, current_user.session_record_id)
        db.session.commit()
    logout_user()  # CSRFProtect has checked the token before we get here
    flash(_("You have signed out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/register", methods=["GET", "POST"])
@_limit_per_ip(MAIL_LIMIT_PER_IP)
@_limit_per_email(MAIL_LIMIT_PER_EMAIL, "mail-per-address")
def register():
    if current_user.is_authenticated:
        return redirect(_home())
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("auth/register.html", form=form)
    outcome = services.register(form.email.data, form.password.data, **form.profile_data())
    db.session.commit()
    if outcome.existing:
        emails.send_already_registered(outcome.user)
    else:
        emails.send_confirmation(outcome.user, outcome.token)
    # The same answer for a known address (whose owner gets a different mail): no enumeration.
    flash(_("We have sent a message to %(email)s. Follow the link in it to confirm your "
            "address; the link works for 24 hours.", email=form.email.data), "info")
    return redirect(url_for("auth.login"))


@bp.get("/confirm/<token>")
def confirm_email(token):
    begin_writing()  # a GET that writes: on SQLite its transaction takes the write lock
    outcome = services.confirm_email(token)
    db.session.commit()
    if outcome == "confirmed":
        flash(_("Your e-mail address is confirmed. You can sign in now."), "success")
    elif outcome == "already":
        flash(_("Your e-mail address is already confirmed. You can sign in."), "info")
    else:
        flash(_("This confirmation link is invalid or has expired. Enter your e-mail address "
                "to receive a new one."), "error")
        return redirect(url_for("auth.resend_confirmation"))
    return redirect(url_for("auth.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@_limit_per_ip(MAIL_LIMIT_PER_IP)
@_limit_per_email(MAIL_LIMIT_PER_EMAIL, "mail-per-address")
def resend_confirmation():
    form = EmailOnlyForm()
    if not form.validate_on_submit():
        return render_template("auth/resend_confirmation.html", form=form)
    flash(_("If an account with %(email)s is waiting for confirmation, we have sent it a new "
            "link. The link works for 24 hours.", email=form.email.data), "info")
    enqueue(emails.resend_confirmation, form.email.data)
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@_limit_per_ip(MAIL_LIMIT_PER_IP)
@_limit_per_email(MAIL_LIMIT_PER_EMAIL, "mail-per-address")
def forgot_password():
    form = EmailOnlyForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot_password.html", form=form)
    flash(_("If an account uses %(email)s, we have sent it a link to choose a new password. "
            "The link works for one hour.", email=form.email.data), "info")
    enqueue(emails.mail_password_reset, form.email.data)
    return redirect(url_for("auth.login"))


def _dead_reset_link():
    flash(_("This password reset link is invalid, has expired or was already used. "
            "Ask for a new one below."), "error")
    return redirect(url_for("auth.forgot_password"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = token_user(token, RESET_PASSWORD)
    if user is None:
        return _dead_reset_link()
    form = ResetPasswordForm(user.email)
    if not form.validate_on_submit():
        return render_template("auth/reset_password.html", form=form)
    user = services.reset_password(token, form.password.data)
    if user is None:  # used up by a parallel request a moment ago
        db.session.rollback()
        return _dead_reset_link()
    db.session.commit()
    emails.send_password_changed(user)
    logout_user()
    flash(_("Your password has been changed and you were signed out everywhere. "
            "Sign in with the new password."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, **form.profile_data())
        db.session.commit()
        refresh()  # the confirmation below speaks the language just chosen
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form,
                           sessions=session_records.active_sessions(current_user))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(LOGIN_LIMIT_PER_EMAIL, key_func=_account_key, methods=["POST"])
def change_password():
    form = ChangePasswordForm(current_user.email)
    if form.validate_on_submit():
        if services.change_password(current_user, form.current_password.data, form.password.data):
            db.session.commit()
            # Other sessions end; this one carries on with the new session version.
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            sessions.start_session(current_user._get_current_object(),
                                   remember=cookie in request.cookies)
            emails.send_password_changed(current_user)
            flash(_("Your password has been changed. You were signed out on your other devices."),
                  "success")
            return redirect(url_for("auth.profile"))
        form.current_password.errors.append(_("The current password is not correct."))
    return render_template("auth/change_password.html", form=form)


@bp.post("/sessions/<int:record_id>/end")
@login_required
def end_session(record_id):
    """End one session from the account page's list; ending this one signs out here."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.profile"))
    current = record_id == current_user.session_record_id
    if not session_records.end_session(current_user, record_id):
        abort(404)
    db.session.commit()
    if current:
        logout_user()
        flash(_("You have signed out."), "success")
        return redirect(url_for("core.home"))
    flash(_("The session has been ended: that device is signed out."), "success")
    return redirect(url_for("auth.profile"))


@bp.post("/sessions/end")
@login_required
def end_sessions():
    if ConfirmForm().validate_on_submit():
        services.end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        flash(_("You have been signed out on every device, including this one."), "success")
    return redirect(url_for("auth.login"))


from academy.auth import throttled  # noqa: E402,F401  (its error handler joins this blueprint)
