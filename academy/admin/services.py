"""Rules of people administration: who may manage whom, the user search, account actions."""
from sqlalchemy import func, or_, select

from academy.auth import services as accounts
from academy.auth.models import User
from academy.auth.scopes import ScopeError, in_scope, parse_scope, scope_clause
from academy.core.audit import record_event
from academy.core.roles import Role
from academy.courses.assignments import CourseAssignment
from academy.courses.models import Course
from academy.extensions import db
from academy.learning.models import Enrolment

# The roles a coordinator may see, manage and hand out; only admins grant the other two.
COORDINATOR_MANAGES = (Role.LEARNER.value, Role.TRAINER.value)
PAGE_SIZE = 25


class AdminError(ValueError):
    """An administrative action was refused; str(error) is shown to the operator."""


def can_manage(actor, user):
    """True when `actor` may see and change the account `user`."""
    if actor.role == Role.ADMIN.value:
        return True
    return (actor.role == Role.COORDINATOR.value and user.role in COORDINATOR_MANAGES
            and in_scope(actor, user))


def grantable_roles(actor):
    """The roles `actor` may give to an account they manage."""
    if actor.role == Role.ADMIN.value:
        return [role.value for role in Role]
    return list(COORDINATOR_MANAGES)


def managed_user(actor, user_id):
    """The account `user_id` if `actor` may manage it, else None (the view answers 404)."""
    user = db.session.get(User, user_id)
    return user if user is not None and can_manage(actor, user) else None


def _spellings(text):
    # SQLite folds case for ASCII only; these spellings let "нино" find "Нино Беридзе" there too.
    return {text, text.lower(), text.upper(), text.capitalize(), text.title()}


def search_clause(text):
    """A WHERE clause matching `text` in either name, the e-mail or the organisation."""
    columns = (User.name_latin, User.name_cyrillic, User.email, User.organisation)
    escaped = [s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
               for s in _spellings(text)]
    return or_(*(column.ilike(f"%{s}%", escape="\\")
                 for column in columns for s in escaped))


def user_query(actor, search="", role="", country="", active="", confirmed=""):
    """The SELECT of the accounts `actor` may manage, filtered and ordered by e-mail."""
    query = select(User)
    if actor.role != Role.ADMIN.value:
        query = query.where(User.role.in_(COORDINATOR_MANAGES), scope_clause(actor, User.country))
    if search.strip():
        query = query.where(search_clause(search.strip()[:200]))
    if role:
        query = query.where(User.role == role)
    if country:
        query = query.where(User.country == country)
    if active in ("yes", "no"):
        query = query.where(User.active.is_(active == "yes"))
    if confirmed == "yes":
        query = query.where(User.email_confirmed_at.is_not(None))
    elif confirmed == "no":
        query = query.where(User.email_confirmed_at.is_(None))
    return query.order_by(User.email)


def paginate(query, page, size=PAGE_SIZE):
    """(rows of `page`, total count, number of pages) for a SELECT."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = db.session.scalars(query.limit(size).offset((page - 1) * size)).all()
    return rows, total, pages, page


def user_activity(user):
    """The account's enrolments (course, enrolled, last activity) and assigned courses."""
    enrolments = db.session.execute(
        select(Course, Enrolment.created_at, Enrolment.last_activity_at)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.user_id == user.id).order_by(Enrolment.created_at.desc())).all()
    assignments = db.session.execute(
        select(Course, CourseAssignment.role)
        .join(CourseAssignment, CourseAssignment.course_id == Course.id)
        .where(CourseAssignment.user_id == user.id).order_by(Course.slug)).all()
    return enrolments, assignments


def change_role(actor, user, role):
    """Give `user` the role `role`, within what `actor` may grant; audited with before/after."""
    if user.id == actor.id:
        raise AdminError("own-role")
    if role not in grantable_roles(actor):
        raise AdminError("role-not-grantable")
    if role != user.role:
        accounts.set_role(user.email, role)


def set_scope(actor, user, text):
    """Set a coordinator's country scope (admins only); audited with before/after."""
    if actor.role != Role.ADMIN.value:
        raise AdminError("scope-admin-only")
    try:
        scope = parse_scope(text)
    except ScopeError:
        raise AdminError("scope-invalid") from None
    accounts.set_country_scope(user, scope)


def set_active(actor, user, active):
    """Deactivate (ending every session at once) or reactivate `user`; audited."""
    if user.id == actor.id:
        raise AdminError("own-account")
    if user.active != active:
        accounts.set_active(user, active)


def resend_confirmation(user):
    """A fresh confirmation token for an unconfirmed, active account; audited. None if confirmed."""
    if user.email_confirmed_at is not None or not user.active:
        return None
    record_event("users.resend_confirmation", target=user.email)
    return accounts.issue_confirmation(user)
