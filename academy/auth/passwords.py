"""Password hashing (argon2id) and the password policy."""
from functools import lru_cache

from argon2 import PasswordHasher, Type, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from academy.auth.common_passwords import COMMON_PASSWORDS

MIN_LENGTH = 10
MAX_LENGTH = 256  # room for passphrases; bounds what one request can make the hasher chew

# RFC 9106's second recommendation (64 MiB, 3 passes): memory-hard and still fast enough
# for several gunicorn workers. Tests use tiny parameters so the suite stays fast; the
# rehash-on-login below moves any hash to the parameters in force.
PRODUCTION_HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
TESTING_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, hash_len=32,
                                salt_len=16, type=Type.ID)

TOO_SHORT = _l("Use at least %(count)s characters.", count=MIN_LENGTH)
TOO_LONG = _l("Use at most %(count)s characters.", count=MAX_LENGTH)
SAME_AS_EMAIL = _l("Do not use your e-mail address as your password.")
TOO_COMMON = _l("This password is too common and easy to guess. Choose a less predictable one.")


def hasher():
    """The PasswordHasher for the current application."""
    return TESTING_HASHER if current_app.testing else PRODUCTION_HASHER


def hash_password(password):
    """An argon2id hash of `password`."""
    return hasher().hash(password)


def verify_password(password_hash, password):
    """True when `password` matches `password_hash`; False for a mismatch or a broken hash."""
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """True when `password_hash` was made with other parameters than those in force."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=2)
def _dummy_hash(hasher_id):
    return hasher().hash("not a real password, only spends the same time")


def spend_verification_time(password):
    """Verify against a dummy hash so an unknown e-mail costs as much time as a known one."""
    verify_password(_dummy_hash(id(hasher())), password)


def _core(password):
    # "Password2024!" and "!!qwerty123" are the common word with decoration around it.
    return password.casefold().strip("0123456789!@#$%^&*()_+-=.,?;:'\"~` ")


def password_problems(password, email=""):
    """The policy messages `password` breaks (empty when it is acceptable)."""
    if len(password) < MIN_LENGTH:
        return [TOO_SHORT]
    if len(password) > MAX_LENGTH:
        return [TOO_LONG]
    folded = password.strip().casefold()
    email = (email or "").strip().casefold()
    if email and (folded == email or folded == email.partition("@")[0]):
        return [SAME_AS_EMAIL]
    if folded in COMMON_PASSWORDS or _core(password) in COMMON_PASSWORDS or len(set(folded)) < 4:
        return [TOO_COMMON]
    return []
