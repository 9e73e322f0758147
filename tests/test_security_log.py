"""The security log (issue 13, finding 4): authentication events with request id and address,
never the password."""
import json
import logging

import pytest

from tests.conftest import PASSWORD, csrf_token


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger="academy.security")

    def read():
        return [json.loads(r.getMessage()) for r in caplog.records
                if r.name == "academy.security"]

    return read


def test_sign_in_success_failure_and_sign_out_are_logged(client, make_user, auth, events):
    make_user()
    auth.login(password="a wrong password here")
    auth.login(email="nobody@example.org", password="another wrong one")
    response = auth.login()
    auth.logout()
    logged = events()
    assert [(e["event"], e.get("reason")) for e in logged] == [
        ("login.failure", "wrong password"), ("login.failure", "unknown account"),
        ("login.success", None), ("session.end", None), ("logout", None)]
    for event in logged:
        assert event["ip"] == "127.0.0.1" and len(event["request_id"]) >= 8
    assert logged[0]["email"] == "learner@example.org" and logged[1]["email"] == \
        "nobody@example.org"
    assert response.headers["X-Request-ID"]
    text = json.dumps(logged)
    assert PASSWORD not in text and "a wrong password here" not in text


def test_reset_requested_and_used_and_password_change_are_logged(app, client, make_user,
                                                                 auth, events):
    from academy.core.mail import wait_for_smtp
    from tests.test_auth_helpers import outbox

    make_user()
    token = csrf_token(client.get("/auth/reset").get_data(as_text=True))
    client.post("/auth/reset", data={"csrf_token": token, "email": "learner@example.org"})
    client.post("/auth/reset", data={"csrf_token": token, "email": "nobody@example.org"})
    assert wait_for_smtp(10)
    link = [line for line in outbox(app)[0].get_content().splitlines() if "/auth/reset/" in line]
    path = link[0].strip().split("127.0.0.1:5000")[-1]
    page = client.get(path).get_data(as_text=True)
    client.post(path, data={"csrf_token": csrf_token(page), "password": "brand new passphrase",
                            "password_confirm": "brand new passphrase"})
    auth.login(password="brand new passphrase")
    page = client.get("/auth/password").get_data(as_text=True)
    client.post("/auth/password", data={"csrf_token": csrf_token(page),
                                        "current_password": "wrong guess",
                                        "password": "x", "password_confirm": "x"})
    names = [e["event"] for e in events()]
    for expected in ("password_reset.sent", "password_reset.not_sent", "password_reset.used",
                     "login.success"):
        assert expected in names
    assert "brand new passphrase" not in json.dumps(events())


def test_a_lock_out_is_logged(migrated_template, tmp_path, events):
    from tests.conftest import make_test_app

    app = make_test_app(migrated_template, tmp_path)
    app.config["RATELIMIT_ENABLED"] = True
    from academy.extensions import limiter

    limiter.init_app(app)
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    for _ in range(11):
        response = client.post("/auth/login", data={"csrf_token": token,
                                                    "email": "x@example.org",
                                                    "password": "wrong password"})
    assert response.status_code == 429
    assert events()[-1]["event"] == "rate_limited"


def test_the_request_id_of_a_proxy_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 80})
    assert "<" not in replaced.headers["X-Request-ID"]
    assert len(replaced.headers["X-Request-ID"]) == 16
