"""Offline verification of a certificate PDF or VC-JWT against a JWKS and a status list."""
import json
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from academy.certificates.attachment import extract_credential
from academy.certificates.credentials import bit_is_set, decode_bits

FETCH_TIMEOUT_SECONDS = 15


class VerificationError(Exception):
    """The input cannot be verified at all; str(error) says why."""


@dataclass
class Report:
    """What a verification found: facts, the reasons, and the verdict."""

    facts: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def valid(self):
        return not self.problems


def read_source(source):
    """Bytes of a file path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310
                return answer.read()
        except OSError as error:
            raise VerificationError(f"could not fetch {source}: {error}") from error
    try:
        return Path(source).read_bytes()
    except OSError as error:
        raise VerificationError(f"could not read {source}: {error.strerror or error}") from error


def credential_from_file(path):
    """The VC-JWT in a certificate PDF or a .jwt file."""
    data = read_source(path)
    if data.startswith(b"%PDF"):
        try:
            token = extract_credential(data)
        except Exception as error:  # pypdf raises many kinds on a damaged file
            raise VerificationError(f"{path}: not a readable PDF ({error})") from error
        if not token:
            raise VerificationError(f"{path}: the PDF carries no credential.jwt attachment")
        return token
    return data.decode("ascii", errors="replace").strip()


def load_jwks(data):
    """A jwcrypto key set from JWKS bytes."""
    try:
        return jwk.JWKSet.from_json(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, JWException) as error:
        raise VerificationError(f"not a JWK set: {error}") from error


def verify_jwt(token, key_set):
    """(header, claims) of a compact JWS signed with EdDSA by a key of `key_set`."""
    try:
        parsed = jws.JWS()
        parsed.deserialize(token)
        header = parsed.jose_header
    except (JWException, ValueError) as error:
        raise VerificationError(f"not a signed credential (JWS): {error}") from error
    if header.get("alg") != "EdDSA":
        raise VerificationError(f"unexpected signature algorithm {header.get('alg')!r}")
    key = key_set.get_key(header.get("kid")) if header.get("kid") else None
    if key is None:
        raise VerificationError(f"the signing key {header.get('kid')!r} is not in the JWKS")
    try:
        parsed.verify(key, alg="EdDSA")
    except JWException as error:
        raise VerificationError("the signature does not match: the credential was altered "
                                "or not signed by this issuer") from error
    return header, json.loads(parsed.payload)


def _status_list_bits(data, key_set, expected_url):
    text = data.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        raise VerificationError("the status list must be the signed VC-JWT the issuer publishes")
    _header, status = verify_jwt(text, key_set)
    if status.get("id") != expected_url:
        raise VerificationError(f"the status list is {status.get('id')!r}, "
                                f"the credential names {expected_url!r}")
    return decode_bits(status["credentialSubject"]["encodedList"]), status.get("validFrom", "?")


def verify_credential(token, key_set, status_list=None):
    """Check signature, type, dates and (when given) the status list; returns a Report."""
    report = Report()
    header, vc = verify_jwt(token, key_set)
    report.notes.append(f"signature: valid (EdDSA, key {header['kid']})")
    if "OpenBadgeCredential" not in vc.get("type", []):
        report.problems.append("not an OpenBadgeCredential")
    if vc.get("jti") != vc.get("id") or vc.get("iss") != (vc.get("issuer") or {}).get("id"):
        report.problems.append("registered JWT claims do not match the credential")
    subject = vc.get("credentialSubject", {})
    names = [i.get("identityHash") for i in subject.get("identifier", [])]
    report.facts += [("name", " / ".join(n for n in names if n)),
                     ("course", subject.get("achievement", {}).get("name", "?")),
                     ("description", vc.get("description", "")),
                     ("issuer", (vc.get("issuer") or {}).get("name", "?")),
                     ("valid from", vc.get("validFrom", "?")),
                     ("verification page", vc.get("id", "?"))]
    entry = vc.get("credentialStatus") or {}
    if status_list is None:
        report.notes.append("status: not checked (give --status-list FILE or URL)")
        return report
    bits, list_date = _status_list_bits(status_list, key_set, entry.get("statusListCredential"))
    if bit_is_set(bits, int(entry["statusListIndex"])):
        report.problems.append(f"REVOKED according to the status list of {list_date}")
    else:
        report.notes.append(f"status: not revoked according to the status list of {list_date}")
    return report
