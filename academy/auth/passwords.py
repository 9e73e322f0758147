"""Password hashing (argon2id) and the password policy."""
from functools import lru_cache

from argon2 import PasswordHasher, Type, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 256  # room for passphrases; bounds what one request can make the hasher chew
# zxcvbn's score: 3 is "safely unguessable" (about 10^8 guesses or more, against an offline
# attack on a slow hash). Its dictionaries hold some 30,000 common passwords, English words and
# names, and it sees keyboard walks, dates, repeats and l33t substitutions.
MIN_STRENGTH = 3
# The estimator's cost grows with the length; what follows 72 characters only adds strength.
STRENGTH_CHECKED_LENGTH = 72

# RFC 9106's second recommendation (64 MiB, 3 passes): memory-hard and still fast enough
# for several gunicorn workers. Tests use tiny parameters so the suite stays fast; the
# rehash-on-login below moves any hash to the parameters in force.
PRODUCTION_HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
TESTING_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, hash_len=32,
                                salt_len=16, type=Type.ID)

TOO_SHORT = _l("Use at least %(count)s characters.", count=MIN_LENGTH)
TOO_LONG = _l("Use at most %(count)s characters.", count=MAX_LENGTH)
SAME_AS_EMAIL = _l("Do not use your e-mail address as your password.")
TOO_COMMON = _l("This password is too easy to guess. Avoid common passwords, names, dates, "
                 "keyboard patterns and repeats: a few unrelated words make a strong passphrase.")


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


def strength(password, user_inputs=()):
    """zxcvbn's score of `password` from 0 (a top-100 password) to 4, with the account's own
    words (e-mail, its local part) counted as known to an attacker."""
    # Imported here: its word lists take some 20 MiB, which only the password forms need.
    from zxcvbn import zxcvbn

    return zxcvbn(password[:STRENGTH_CHECKED_LENGTH], user_inputs=list(user_inputs))["score"]


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
    if strength(password, [email, email.partition("@")[0]] if email else []) < MIN_STRENGTH:
        return [TOO_COMMON]
    return []
