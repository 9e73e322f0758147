"""Account rules: creating, authenticating, confirming, passwords, profile, roles, sessions."""
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from academy.auth import passwords, session_records, tokens
from academy.auth.models import User
from academy.core.audit import record_event
from academy.core.countries import is_known_country
from academy.core.i18n import LOCALES
from academy.core.roles import Role
from academy.core.security_log import security_event
from academy.extensions import db

PROFILE_FIELDS = frozenset({"name_latin", "name_cyrillic", "country", "organisation",
                            "position", "locale", "active"})
RESET_LIFETIME = timedelta(hours=1)


class AccountError(ValueError):
    """An account operation was refused; str(error) explains why to the operator."""


class InvalidEmail(AccountError):
    """The e-mail address is not a valid address."""


class DuplicateEmail(AccountError):
    """Another account already uses the e-mail address."""


class UnknownRole(AccountError):
    """The role is not one of learner, trainer, coordinator, admin."""


class UnknownCountry(AccountError):
    """The country is neither a Prague Process state code nor "other"."""


class UnknownUser(AccountError):
    """No account has the e-mail address."""


def normalise_email(email):
    """The form in which e-mail addresses are stored and compared: stripped, lower-case."""
    return (email or "").strip().lower()


def is_valid_email(email):
    """True when `email` is a syntactically valid address (no DNS lookup)."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def find_user_by_email(email):
    """The account with `email` (any case, surrounding spaces ignored), or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_role(role):
    try:
        return Role(role).value
    except ValueError:
        raise UnknownRole(f"unknown role {role!r}; choose one of "
                          + ", ".join(r.value for r in Role)) from None


def create_user(email, password, role="learner", confirmed=False, **profile):
    """Add an account (password hashed with argon2id; None = cannot sign in yet); flushes."""
    email = normalise_email(email)
    if not is_valid_email(email):
        raise InvalidEmail(f"invalid e-mail address {email!r}")
    role = _check_role(role)
    unknown = set(profile) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"create_user() got unknown profile fields: {', '.join(sorted(unknown))}")
    if "country" in profile and not is_known_country(profile["country"]):
        raise UnknownCountry(f"unknown country {profile['country']!r}")
    if profile.get("locale", "en") not in LOCALES:
        raise AccountError(f"unknown language {profile['locale']!r}")
    if find_user_by_email(email) is not None:
        raise DuplicateEmail(f"an account with e-mail {email} already exists")
    user = User(email=email, role=role,
                password_hash=passwords.hash_password(password) if password else None,
                email_confirmed_at=tokens.utcnow() if confirmed else None, **profile)
    try:
        with db.session.begin_nested():  # a concurrent twin fails alone, not the whole request
            db.session.add(user)
    except IntegrityError:
        raise DuplicateEmail(f"an account with e-mail {email} already exists") from None
    return user


@dataclass
class Registration:
    """What register() did: `token` is set for a new account, `existing` for a known e-mail."""

    user: User
    token: str | None = None
    existing: bool = False


def register(email, password, **profile):
    """Create an unconfirmed learner and its confirmation token, or report the existing account."""
    existing = find_user_by_email(email)
    if existing is None:
        try:
            user = create_user(email, password, role=Role.LEARNER.value, **profile)
        except DuplicateEmail:
            existing = find_user_by_email(email)
        else:
            return Registration(user, token=issue_confirmation(user))
    else:
        passwords.hash_password(password)  # the same work as for a new account
    return Registration(existing, existing=True)


def issue_confirmation(user):
    """A fresh e-mail confirmation token for `user` (earlier ones stop working)."""
    lifetime = timedelta(hours=current_app.config.get("ACADEMY_TOKEN_MAX_AGE_HOURS", 24))
    return tokens.issue_token(user, tokens.CONFIRM_EMAIL, lifetime)


def resend_confirmation(email):
    """(user, token) for an active, unconfirmed account with `email`; (None, None) otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.active or user.email_confirmed_at is not None:
        return None, None
    return user, issue_confirmation(user)


def confirm_email(raw_token):
    """Confirm the address a token was sent to: "confirmed", "already" or "invalid"."""
    user = tokens.consume_token(raw_token, tokens.CONFIRM_EMAIL)
    if user is not None:
        if user.email_confirmed_at is None:
            user.email_confirmed_at = tokens.utcnow()
        db.session.flush()
        return "confirmed"
    token = tokens.find_token(raw_token, tokens.CONFIRM_EMAIL)
    if token is not None and token.used_at is not None:
        owner = db.session.get(User, token.user_id)
        # Mail scanners often open links first; the person's own click must not look like an error.
        if owner is not None and owner.email_confirmed_at is not None:
            return "already"
    return "invalid"


@dataclass
class LoginCheck:
    """The outcome of authenticate(): `user` when sign-in may proceed, else a `problem`."""

    user: User | None = None
    problem: str | None = None  # "invalid", "unconfirmed" or "inactive"


def authenticate(email, password):
    """Check credentials with the same work for known and unknown e-mails; rehashes if needed."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        passwords.spend_verification_time(password)
        security_event("login.failure", reason="unknown account", email=normalise_email(email))
        return LoginCheck(problem="invalid")
    if not passwords.verify_password(user.password_hash, password):
        security_event("login.failure", user, reason="wrong password")
        return LoginCheck(problem="invalid")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.flush()
    # Only someone who knows the password learns these two states.
    if not user.active:
        security_event("login.failure", user, reason="deactivated")
        return LoginCheck(problem="inactive")
    if user.email_confirmed_at is None:
        security_event("login.failure", user, reason="unconfirmed")
        return LoginCheck(problem="unconfirmed")
    security_event("login.success", user)
    return LoginCheck(user=user)


def set_password(user, new_password):
    """Replace the password and end every session of `user`; flushes."""
    user.password_hash = passwords.hash_password(new_password)
    user.session_version += 1
    session_records.end_all_sessions(user)
    tokens.revoke_tokens(user, tokens.RESET_PASSWORD)
    db.session.flush()


def request_password_reset(email):
    """(user, token) for an active account with `email`; (None, None) for anything else."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        security_event("password_reset.not_sent", email=normalise_email(email))
        return None, None
    security_event("password_reset.sent", user)
    return user, tokens.issue_token(user, tokens.RESET_PASSWORD, RESET_LIFETIME)


def reset_password(raw_token, new_password):
    """Set a new password with a reset token; ends every session. Returns the user or None."""
    user = tokens.consume_token(raw_token, tokens.RESET_PASSWORD)
    if user is None:
        return None
    security_event("password_reset.used", user)
    set_password(user, new_password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = tokens.utcnow()  # the reset link proved the address works
    db.session.flush()
    return user


def change_password(user, current_password, new_password):
    """Replace the password after checking the current one; ends other sessions. False if wrong."""
    current_ok = user.password_hash and passwords.verify_password(user.password_hash,
                                                                  current_password)
    if not current_ok:
        security_event("password_change.failure", user, reason="wrong current password")
        return False
    set_password(user, new_password)
    security_event("password_change.success", user)
    return True


def update_profile(user, **fields):
    """Save profile fields (names, country, organisation, position, language); flushes."""
    unknown = set(fields) - (PROFILE_FIELDS - {"active"})
    if unknown:
        raise TypeError(f"update_profile() got unknown fields: {', '.join(sorted(unknown))}")
    if "country" in fields and not is_known_country(fields["country"]):
        raise UnknownCountry(f"unknown country {fields['country']!r}")
    if fields.get("locale", user.locale) not in LOCALES:
        raise AccountError(f"unknown language {fields['locale']!r}")
    for name, value in fields.items():
        setattr(user, name, value)
    db.session.flush()


def record_sign_in(user):
    """Remember when `user` last signed in (shown to administrators); flushes."""
    user.last_login_at = tokens.utcnow()
    db.session.flush()


def end_all_sessions(user):
    """Sign `user` out on every device, remember-me cookies included."""
    security_event("sessions.end_all", user)
    user.session_version += 1
    session_records.end_all_sessions(user)
    db.session.flush()


def set_active(user, active):
    """Activate or deactivate an account; deactivation ends its sessions."""
    record_event("users.activate" if active else "users.deactivate", target=user.email,
                 old=user.active, new=active)
    security_event("account.activated" if active else "account.deactivated", user)
    user.active = active
    if not active:
        user.session_version += 1
        session_records.end_all_sessions(user)
    db.session.flush()


def set_country_scope(user, scope):
    """Store a coordinator's parsed scope (academy.auth.scopes.parse_scope); audited; flushes."""
    if scope != user.country_scope:
        record_event("users.set_scope", target=user.email, old=user.country_scope, new=scope)
        user.country_scope = scope
        db.session.flush()


def set_role(email, role):
    """Give the account with `email` the role `role`; returns the user."""
    role = _check_role(role)
    user = find_user_by_email(email)
    if user is None:
        raise UnknownUser(f"no account with e-mail {normalise_email(email)}")
    record_event("users.set_role", target=user.email, old=user.role, new=role)
    user.role = role
    db.session.flush()
    return user

