"""Open Badges 3.0 credentials as VC-JWT (EdDSA, Ed25519) and the Bitstring Status List."""
import base64
import gzip
import json
import re
from datetime import UTC, datetime

from flask import current_app
from jwcrypto import jws
from jwcrypto.common import json_encode
from sqlalchemy import select

from academy.certificates import keys
from academy.certificates.models import VALID, Certificate
from academy.core.mail import external_url
from academy.extensions import db

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ISSUER_NAME = "Prague Process Training Academy"
STATUS_LIST_ID = 1
# The W3C Recommendation's minimum size: 16 KiB of bits, so that one bit says little about whom.
MIN_STATUS_BITS = 131072


def _iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile():
    """The issuer as an OB 3.0 `Profile`."""
    home = external_url("core.home")
    return {"id": home, "type": ["Profile"], "name": ISSUER_NAME, "url": home}


def status_list_url():
    """The stable URL of the revocation status list credential."""
    return external_url("certificates.status_list", list_id=STATUS_LIST_ID)


def credential_id(certificate):
    """The credential's id (and JWT `jti`): its public verification page."""
    return external_url("certificates.verify", code=certificate.code)


_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def url_maker(endpoint, name):
    """A function of one value that builds external_url(endpoint, name=value) without routing.

    The URL is built once with a placeholder; URL-safe values (codes, slugs) are pasted in its
    place, which is what routing would produce. Other values go through external_url.
    """
    placeholder = "0" * 40
    prefix, _found, suffix = external_url(endpoint, **{name: placeholder}).rpartition(placeholder)

    def build(value):
        if _URL_SAFE.fullmatch(value):
            return f"{prefix}{value}{suffix}"
        return external_url(endpoint, **{name: value})
    return build


class Constants:
    """The parts every credential of this instance shares, built once per batch."""

    def __init__(self):
        self.issuer = issuer_profile()
        self.status_list = status_list_url()
        self.verify_url = url_maker("certificates.verify", "code")
        self.course_url = url_maker("learning.course", "slug")


def build_credential(certificate, constants=None):
    """The `OpenBadgeCredential` for one certificate revision, as a dict."""
    constants = constants or Constants()
    names = [n for n in (certificate.name_latin, certificate.name_cyrillic) if n]
    status_list = constants.status_list
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": constants.verify_url(certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": dict(constants.issuer),
        "validFrom": _iso(certificate.issued_at),
        "name": certificate.course_title_en,
        "description": (f"Certificate {certificate.serial}, revision {certificate.revision}: "
                        f"completed {certificate.completed_on.isoformat()}"),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": name} for name in names],
            "achievement": {
                "id": constants.course_url(certificate.course_slug),
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": certificate.course_title_en,
                "description": certificate.course_title_ru,
                "criteria": {"narrative": "Every module and the final assessment of the course "
                                          "completed at the course pass mark."},
                "creditsAvailable": certificate.hours,
                "humanCode": certificate.course_slug,
                "version": str(certificate.content_version),
                "inLanguage": "en",
            },
        },
        "credentialStatus": {
            "id": f"{status_list}#{certificate.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_index),
            "statusListCredential": status_list,
        },
    }


_checked_headers = set()


class Signer:
    """Signs VC-JWTs with the current key; the key and the protected header are prepared once."""

    def __init__(self):
        self.key = keys.signing_key()
        self.header = json_encode({"alg": "EdDSA", "kid": self.key.get("kid"), "typ": "JWT"})
        if self.header not in _checked_headers:  # the checks JWS makes on a header, once
            jws.JWS(b"{}").add_signature(self.key, None, self.header)
            _checked_headers.add(self.header)
        self._constants = None

    @property
    def constants(self):
        if self._constants is None:
            self._constants = Constants()
        return self._constants

    def sign(self, credential, valid_from):
        """The credential as a VC-JWT (OB 3.0 §8.2): payload = credential + registered claims."""
        claims = dict(credential)
        claims["iss"] = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) \
            else credential["issuer"]
        claims["nbf"] = int(valid_from.timestamp())
        claims["jti"] = credential["id"]
        subject_id = credential["credentialSubject"].get("id")
        if subject_id:
            claims["sub"] = subject_id
        payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode()
        # jwcrypto's core signing step: what JWS.add_signature + serialize(compact=True) run,
        # without deep-copying the header registry for every token (checked once, above).
        signed = jws.JWSCore("EdDSA", self.key, self.header, payload).sign()
        return f"{signed['protected']}.{signed['payload'].decode('ascii')}.{signed['signature']}"


def sign_vc(credential, valid_from):
    """The credential as a VC-JWT, signed with the newest key."""
    return Signer().sign(credential, valid_from)


def ensure_credential(certificate):
    """Sign and store the certificate's credential if it has none yet; returns the JWT or None."""
    if certificate.credential_jwt is None and keys.ensure_key():
        certificate.credential_jwt = sign_vc(build_credential(certificate), certificate.issued_at)
    return certificate.credential_jwt


def encode_bits(indexes, size):
    """A multibase (base64url, no padding, 'u') GZIP-compressed bitstring with `indexes` set."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)  # bit 0 is the leftmost bit of the first byte
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bits(encoded):
    """The raw bitstring bytes of an `encodedList`."""
    text = encoded[1:] if encoded.startswith("u") else encoded
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def bit_is_set(bitstring, index):
    """True when bit `index` of `bitstring` is 1 (revoked)."""
    if index // 8 >= len(bitstring):
        raise ValueError("status index beyond the end of the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_jwt():
    """The current revocation list as a signed `BitstringStatusListCredential` VC-JWT."""
    revoked = db.session.scalars(select(Certificate.id).where(Certificate.status != VALID)).all()
    highest = db.session.scalar(select(db.func.max(Certificate.id))) or 0
    size = max(MIN_STATUS_BITS, -(-(highest + 1) // MIN_STATUS_BITS) * MIN_STATUS_BITS)
    now = datetime.now(UTC)
    url = status_list_url()
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile(),
        "validFrom": _iso(now),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation",
                              "encodedList": encode_bits(revoked, size)},
    }
    if not keys.ensure_key():
        current_app.logger.error("No certificate signing key: the status list cannot be signed")
        return None
    return sign_vc(credential, now)
