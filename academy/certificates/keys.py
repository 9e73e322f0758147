"""The issuer's Ed25519 signing keys: a JWK set in a file outside the repository and the database.

The file holds every key ever used, newest last; only the newest signs, the older ones stay so
that their public halves remain in /.well-known/jwks.json and old credentials keep verifying.
"""
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from jwcrypto import jwk


class KeyFileError(RuntimeError):
    """The key file is missing or unusable; str(error) says why."""


def key_file():
    """Where the private keys live: ACADEMY_CERT_KEY_FILE, else the instance folder."""
    configured = current_app.config.get("ACADEMY_CERT_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "certificate-keys.json"


def _new_key():
    kid = "ppta-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519", kid=kid)
    return json.loads(key.export_private())


def _write(path, keys, exclusive=False):
    """Write the key file atomically; with `exclusive`, only if no file exists yet (else False)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    # Created readable by the owner only: it is a private key.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"keys": keys}, handle, indent=1)
    if not exclusive:
        partial.replace(path)
        return True
    try:
        os.link(partial, path)  # two workers generating at once: exactly one key file wins
    except FileExistsError:
        return False
    finally:
        partial.unlink()
    return True


def _read(path):
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = data["keys"]
        for entry in keys:
            jwk.JWK(**entry)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyFileError(f"{path}: not a certificate key file ({error})") from error
    if not keys:
        raise KeyFileError(f"{path}: holds no key")
    return keys


def generate(force=False):
    """Create the key file with one new key; refuses to overwrite unless `force`. Returns the kid."""
    path = key_file()
    if _read(path) is not None and not force:
        raise KeyFileError(f"{path} already exists; use 'keys rotate' to add a new key")
    key = _new_key()
    _write(path, [key])
    _cache.clear()
    return key["kid"]


def rotate():
    """Add a new signing key, keeping the old ones for verification. Returns the new kid."""
    path = key_file()
    keys = _read(path)
    if keys is None:
        raise KeyFileError(f"{path} does not exist; use 'keys generate' first")
    key = _new_key()
    _write(path, keys + [key])
    _cache.clear()
    return key["kid"]


def ensure_key():
    """Generate the key file on first use outside production (the demo, tests); True if usable."""
    path = key_file()
    if path.exists():  # read (and checked) once by _keys(), cached by modification time
        return True
    if current_app.config.get("ACADEMY_ENV") == "production":
        return False
    _write(path, [_new_key()], exclusive=True)
    _cache.clear()
    return True


_cache = {}


def _keys():
    path = key_file()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise KeyFileError(f"{path} does not exist; run 'academy certificates keys generate'") from None
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    keys = [jwk.JWK(**entry) for entry in _read(path)]
    _cache[path] = (stamp, keys)
    return keys


def signing_key():
    """The newest private key."""
    return _keys()[-1]


def public_jwks():
    """Every public key, as a JWK set dict."""
    return {"keys": [dict(key.export_public(as_dict=True), alg="EdDSA", use="sig")
                     for key in _keys()]}
