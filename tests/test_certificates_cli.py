"""`academy certificates …`: issue, list, render, revoke, reissue, verify (online and offline), keys."""
import json
import os

from sqlalchemy import select

from academy.certificates.models import Certificate
from academy.extensions import db


def run(runner, *args):
    return runner.invoke(args=["certificates", *args])


def test_issue_list_render_revoke_reissue(app, runner, short_course, make_user, tmp_path):
    make_user(email="ivan@example.org", name_latin="Ivan Petrov", name_cyrillic="Иван Петров")
    result = run(runner, "issue", "--course", "short", "--email", "ivan@example.org")
    assert result.exit_code == 1 and "give a reason" in result.output and "Traceback" not in result.output
    result = run(runner, "issue", "--course", "short", "--email", "ivan@example.org",
                 "--reason", "Completed before the platform existed")
    assert result.exit_code == 0 and "issued PPTA-" in result.output
    serial = result.output.split()[1]
    result = run(runner, "issue", "--course", "short", "--email", "ivan@example.org", "--reason", "x")
    assert result.exit_code == 0 and "nothing new" in result.output
    result = run(runner, "list", "--course", "short")
    assert result.output.count("\n") == 1 and serial in result.output and "valid" in result.output
    out = tmp_path / "c.pdf"
    result = run(runner, "render", serial, "--lang", "bilingual", "--out", str(out))
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    assert run(runner, "revoke", serial, "--reason", "  ").exit_code == 1
    result = run(runner, "reissue", serial)
    assert result.exit_code == 0 and "revision 2" in result.output
    result = run(runner, "revoke", serial, "--reason", "Wrong person")
    assert result.exit_code == 0 and "revision 2" in result.output
    result = run(runner, "list", "--status", "superseded")
    assert result.output.count("\n") == 1 and "rev 1" in result.output
    for args in (["render", "PPTA-1999-000001", "--out", str(out)], ["revoke", "nope", "--reason", "r"],
                 ["issue", "--course", "nope", "--email", "ivan@example.org"],
                 ["issue", "--course", "short", "--email", "ghost@example.org"]):
        result = run(runner, *args)
        assert result.exit_code == 1 and "Error:" in result.output and "Traceback" not in result.output


def test_offline_verification_of_a_pdf_with_jwks_and_status_list_files(
        app, client, runner, issued, tmp_path):
    pdf = tmp_path / "certificate.pdf"
    assert run(runner, "render", issued.serial, "--lang", "ru", "--out", str(pdf)).exit_code == 0
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(client.get("/.well-known/jwks.json").data)
    status = tmp_path / "status.jwt"
    status.write_bytes(client.get("/credentials/status/1").data)
    # "Another machine": no key file of its own, only what was downloaded.
    os.rename(tmp_path / "instance" / "certificate-keys.json", tmp_path / "keys.moved")
    args = ["verify", str(pdf), "--jwks", str(jwks), "--status-list", str(status)]
    result = run(runner, *args)
    assert result.exit_code == 0, result.output
    assert "signature: valid" in result.output and "not revoked" in result.output
    assert "Olena Kovalenko / Олена Коваленко" in result.output and result.output.endswith("VALID\n")

    os.rename(tmp_path / "keys.moved", tmp_path / "instance" / "certificate-keys.json")
    assert run(runner, "revoke", issued.serial, "--reason", "Exam fraud").exit_code == 0
    result = run(runner, *args)  # the old list still says valid
    assert result.exit_code == 0
    status.write_bytes(client.get("/credentials/status/1").data)  # fetch the new list
    result = run(runner, *args)
    assert result.exit_code == 1 and "REVOKED according to the status list" in result.output

    jwt_file = tmp_path / "c.jwt"
    jwt_file.write_text(issued.credential_jwt)
    assert run(runner, "verify", str(jwt_file), "--jwks", str(jwks)).exit_code == 0
    tampered = tmp_path / "t.jwt"
    tampered.write_text(issued.credential_jwt[:-6] + "AAAAAA")
    result = run(runner, "verify", str(tampered), "--jwks", str(jwks))
    assert result.exit_code == 1 and "signature does not match" in result.output
    other_keys = tmp_path / "other.json"
    other_keys.write_text(json.dumps({"keys": []}))
    result = run(runner, "verify", str(pdf), "--jwks", str(other_keys))
    assert result.exit_code == 1 and "is not in the JWKS" in result.output
    result = run(runner, "verify", str(tmp_path / "missing.pdf"))
    assert result.exit_code == 1 and "could not read" in result.output


def test_verify_a_code_online(app, runner, issued):
    result = run(runner, "verify", issued.code)
    assert result.exit_code == 0 and "VALID" in result.output and issued.serial in result.output
    run(runner, "revoke", issued.serial, "--reason", "Exam fraud")
    result = run(runner, "verify", issued.code)
    assert result.exit_code == 1 and "REVOKED" in result.output and "Exam fraud" in result.output
    assert run(runner, "verify", "A" * 32).exit_code == 1


def test_keys_generate_refuses_to_overwrite_export_prints_only_public_keys(app, runner, tmp_path):
    key_file = tmp_path / "elsewhere" / "keys.json"
    app.config["ACADEMY_CERT_KEY_FILE"] = str(key_file)
    assert run(runner, "keys", "export").exit_code == 1
    result = run(runner, "keys", "generate")
    assert result.exit_code == 0 and key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert run(runner, "keys", "generate").exit_code == 1
    assert run(runner, "keys", "rotate").exit_code == 0
    exported = json.loads(run(runner, "keys", "export").output)
    assert len(exported["keys"]) == 2 and all("d" not in key for key in exported["keys"])
    assert all(key["crv"] == "Ed25519" and key["alg"] == "EdDSA" for key in exported["keys"])
    private = json.loads(key_file.read_text())
    assert all("d" in key for key in private["keys"])
    with app.app_context():
        assert db.session.scalar(select(Certificate)) is None


def test_no_code_starts_like_an_option(monkeypatch):
    """A code typed after `academy certificates verify` must not read as an option: one in 64
    random codes would start with "-" (the CI once drew one)."""
    from academy.certificates import services

    draws = iter(["-" + "a" * 31, "-" + "b" * 31, "c" * 32])
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda _n: next(draws))
    assert services.new_code() == "c" * 32
