"""Issued credentials and the status list, verified by an independent OB 3.0 verifier from PyPI
(openbadgeslib: PyJWT + cryptography), with the issuer key taken from /.well-known/jwks.json."""
import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ob3 = pytest.importorskip("openbadgeslib.ob3.verifier")


def issuer_pem(client):
    key = client.get("/.well-known/jwks.json").get_json()["keys"][-1]
    raw = base64.urlsafe_b64decode(key["x"] + "=" * (-len(key["x"]) % 4))
    return Ed25519PublicKey.from_public_bytes(raw).public_bytes(Encoding.PEM,
                                                                PublicFormat.SubjectPublicKeyInfo)


def test_openbadgeslib_verifies_the_credential_and_sees_the_revocation(app, client, issued):
    from tests.test_certificates_verify import revoke_and_reissue

    def download(url):
        return client.get(url.removeprefix("http://127.0.0.1:5000")).data

    verifier = ob3.OB3Verifier(issuer_pem(client))
    credential = verifier.verify(issued.credential_jwt, check_status=True, download=download)
    assert credential.issuer.id == "http://127.0.0.1:5000/"
    revoke_and_reissue(app, issued.serial, revoke=True)
    with pytest.raises(ob3.OB3VerificationError, match="'revocation' is set"):
        verifier.verify(issued.credential_jwt, check_status=True, download=download)
