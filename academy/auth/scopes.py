"""A coordinator's country scope: the states whose learners they may see and manage."""
from sqlalchemy import false, true

from academy.auth.models import User
from academy.core.countries import OTHER, is_known_country
from academy.core.roles import Role

ALL = "all"


class ScopeError(ValueError):
    """A scope could not be parsed; str(error) explains why."""


def parse_scope(text):
    """`GE,AM` or `all` → the stored form (`all` or sorted comma-separated codes)."""
    text = (text or "").strip()
    if text.lower() == ALL:
        return ALL
    codes = sorted({part.strip().upper() if part.strip().lower() != OTHER else OTHER
                    for part in text.split(",") if part.strip()})
    if not codes:
        raise ScopeError("give a comma-separated list of country codes, or 'all'")
    unknown = [code for code in codes if not is_known_country(code)]
    if unknown:
        raise ScopeError("unknown country code(s): " + ", ".join(unknown))
    return ",".join(codes)


def scope_countries(user):
    """The set of country codes `user` may see, or None for every country.

    Admins see every country; coordinators their scope; everyone else none.
    """
    if user.role == Role.ADMIN.value:
        return None
    if user.role != Role.COORDINATOR.value:
        return frozenset()
    if user.country_scope == ALL:
        return None
    return frozenset(code for code in user.country_scope.split(",") if code)


def in_scope(user, learner):
    """True when `learner` is within `user`'s country scope."""
    countries = scope_countries(user)
    return countries is None or learner.country in countries


def scope_clause(user, country_column=User.country):
    """A WHERE clause limiting `country_column` to `user`'s scope."""
    countries = scope_countries(user)
    if countries is None:
        return true()
    if not countries:
        return false()
    return country_column.in_(sorted(countries))

