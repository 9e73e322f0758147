"""Flask-Login wiring: sessions carry "id:session_version:token", checked against their record."""
from flask import session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, user_logged_out

from academy.auth import mfa, services, session_records
from academy.core.roles import Role
from academy.core.security_log import security_event
from academy.extensions import db, login_manager

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.needs_refresh_message = _l("Please sign in again to continue.")
login_manager.needs_refresh_message_category = "info"
# Flask-Login flashes the message as is; the session can only store plain strings.
login_manager.localize_callback = str
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id):
    """The account for a session or remember-me cookie, unless it is ended, stale or deactivated."""
    parts = (session_id or "").split(":")
    if len(parts) != 3:
        return None
    user_id, version, token = parts
    if not (user_id.isdigit() and version.isdigit()) or max(len(user_id), len(version)) > 18:
        return None  # (a number too large for the database is no account either)
    return session_records.find_user_session(int(user_id), int(version), token)


@user_logged_out.connect
def _log_sign_out(app, user):
    """Every session that ends by signing out goes into the security log."""
    if user is not None and getattr(user, "is_authenticated", False):
        security_event("logout", user)


def start_session(user, remember):
    """Sign `user` in on this device after the password (and second factor) were checked."""
    # A fresh session on every sign-in: nothing set before it (fixation) survives but the language.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    # No 30-day remember-me cookie for the accounts that can see and change others' data.
    remember = remember and not user.has_role(Role.COORDINATOR)
    session_records.start_session(user, remember)
    services.record_sign_in(user)
    db.session.commit()
    login_user(user, remember=remember)
    mfa.mark_authenticated()
