"""Open Badges 3.0 VC-JWT and the Bitstring Status List, checked with an independent JOSE library.

The app signs with jwcrypto; these tests verify with joserfc and read the status list by hand.
"""
import base64
import gzip
import json
import warnings

from joserfc import jws
from joserfc.jwk import KeySet


def verified_payload(client, token):
    """The payload of `token`, verified by joserfc against the served /.well-known/jwks.json."""
    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").get_json())
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "EdDSA" and header["kid"] in [k["kid"] for k in key_set.as_dict()["keys"]]
    with warnings.catch_warnings():
        # joserfc flags "EdDSA" as superseded by "Ed25519" (RFC 9864); OB 3.0 names EdDSA.
        warnings.simplefilter("ignore")
        return json.loads(jws.deserialize_compact(token, key_set, algorithms=["EdDSA"]).payload)


def status_bit(client, credential):
    """The revocation bit of `credential`, read from its status list as any verifier would."""
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    path = entry["statusListCredential"].removeprefix("http://127.0.0.1:5000")
    status = verified_payload(client, client.get(path).get_data(as_text=True))
    assert "BitstringStatusListCredential" in status["type"]
    encoded = status["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131072
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_credential_is_an_open_badge_vc_jwt_that_verifies_and_revocation_flips_its_bit(
        app, client, issued):
    response = client.get(f"/verify/{issued.code}/credential.jwt")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    token = response.get_data(as_text=True)
    assert token == issued.credential_jwt
    vc = verified_payload(client, token)
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "ob/v3p0" in vc["@context"][1]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["type"] == ["Profile"] and vc["iss"] == vc["issuer"]["id"]
    assert vc["jti"] == vc["id"] and vc["id"].endswith(f"/verify/{issued.code}")
    assert vc["nbf"] == int(issued.issued_at.timestamp())
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and "sub" not in vc
    assert {i["identityHash"] for i in subject["identifier"]} == {"Olena Kovalenko", "Олена Коваленко"}
    assert subject["achievement"]["name"] == "Course short"
    assert "learner@example.org" not in json.dumps(vc, ensure_ascii=False)
    assert status_bit(client, vc) is False
    from tests.test_certificates_verify import revoke_and_reissue

    revoke_and_reissue(app, issued.serial, revoke=True)
    assert status_bit(client, vc) is True


def test_a_tampered_credential_does_not_verify(client, issued):
    import pytest
    from joserfc.errors import BadSignatureError

    header, payload, signature = issued.credential_jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["achievement"]["name"] = "Another course"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(BadSignatureError):
        verified_payload(client, f"{header}.{forged}.{signature}")


def test_key_rotation_keeps_old_public_keys_and_signs_with_the_new_one(app, client, issued, runner):
    old_kid = client.get("/.well-known/jwks.json").get_json()["keys"][0]["kid"]
    result = runner.invoke(args=["certificates", "keys", "rotate"])
    assert result.exit_code == 0, result.output
    kids = [k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]]
    assert kids[0] == old_kid and len(kids) == 2
    assert all("d" not in k for k in client.get("/.well-known/jwks.json").get_json()["keys"])
    verified_payload(client, issued.credential_jwt)  # the old credential still verifies
    status = client.get("/credentials/status/1").get_data(as_text=True)
    header = json.loads(base64.urlsafe_b64decode(status.split(".")[0] + "=="))
    assert header["kid"] == kids[1]
    verified_payload(client, status)
