"""Flask-Login wiring: sessions carry "id:session_version:token", checked against their record."""
from flask_babel import lazy_gettext as _l

from academy.auth import session_records
from academy.auth.models import User
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
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    if session_records.find_session(user, token) is None:
        return None
    return user
