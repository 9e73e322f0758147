"""Roles and the one decorator that guards views by role."""
import enum
from functools import wraps

from flask import abort
from flask_login import current_user


class Role(str, enum.Enum):
    LEARNER = "learner"
    TRAINER = "trainer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


def role_required(*roles):
    """Allow the view only to signed-in users holding one of `roles` (admins always pass)."""
    allowed = {Role(r) for r in roles} | {Role.ADMIN}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from academy.extensions import login_manager

                return login_manager.unauthorized()
            if Role(current_user.role) not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
