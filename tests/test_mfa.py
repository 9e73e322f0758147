"""Second factor (issue 13): TOTP with recovery codes, required for coordinators and admins."""
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from academy.auth.models import User
from academy.extensions import db
from tests.conftest import PASSWORD, csrf_token


@pytest.fixture
def mfa_app(app):
    app.config["ACADEMY_MFA_REQUIRED_ROLES"] = "coordinator,admin"
    return app


def _post(client, url, **data):
    page = client.get(url)
    data["csrf_token"] = csrf_token(page.get_data(as_text=True))
    return client.post(url, data=data)


def _secret_on(page):
    return re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)


def _enrol(client):
    """Complete enrolment from the setup page; returns (secret, recovery codes)."""
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    secret = _secret_on(page)
    response = client.post("/auth/mfa/setup", data={
        "csrf_token": csrf_token(page), "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.location.endswith("/auth/mfa/recovery-codes")
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>",
                       client.get("/auth/mfa/recovery-codes").get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def _signed_in(client):
    return client.get("/dashboard").status_code == 200


def test_a_coordinator_cannot_sign_in_without_the_second_factor(mfa_app, make_user, auth):
    make_user("coord@example.org", role="coordinator")
    client = auth.client
    response = auth.login("coord@example.org")
    assert response.location.endswith("/auth/mfa/")
    assert not _signed_in(client)  # the password alone signs nobody in
    assert client.get("/auth/mfa/").location.endswith("/auth/mfa/setup")
    assert not _signed_in(client)
    secret, codes = _enrol(client)
    assert _signed_in(client)
    with mfa_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "coord@example.org"))
        assert user.mfa_secret == secret and user.mfa_enabled_at is not None

    # Next time: the password, then a code; a wrong code signs nobody in.
    auth.logout()
    auth.login("coord@example.org")
    assert not _signed_in(client)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    page = _post(client, "/auth/mfa/", code=wrong).get_data(as_text=True)
    assert "This code is not valid." in page
    assert not _signed_in(client)
    assert _post(client, "/auth/mfa/", code=codes[3]).status_code == 302
    assert _signed_in(client)


def test_a_totp_code_works_once(mfa_app, make_user, auth):
    make_user("admin@example.org", role="admin")
    client = auth.client
    auth.login("admin@example.org")
    secret, _codes = _enrol(client)
    auth.logout()
    # The enrolment code's time step is spent: wait for the next one rather than reuse it.
    totp = pyotp.TOTP(secret)
    time.sleep(30 - time.time() % 30 + 0.5)
    code = totp.now()
    auth.login("admin@example.org")
    assert _post(client, "/auth/mfa/", code=code).status_code == 302
    assert _signed_in(client)
    auth.logout()
    auth.login("admin@example.org")
    replay = _post(client, "/auth/mfa/", code=code)
    assert "This code is not valid." in replay.get_data(as_text=True)
    assert not _signed_in(client)


def test_recovery_codes_work_once_each(mfa_app, make_user, auth):
    make_user("coord@example.org", role="coordinator")
    client = auth.client
    auth.login("coord@example.org")
    _secret, codes = _enrol(client)
    auth.logout()
    auth.login("coord@example.org")
    assert _post(client, "/auth/mfa/", code=codes[0].upper()).status_code == 302
    assert _signed_in(client)
    auth.logout()
    auth.login("coord@example.org")
    assert "This code is not valid." in _post(client, "/auth/mfa/", code=codes[0]).get_data(
        as_text=True)
    assert not _signed_in(client)


def test_learners_sign_in_with_the_password_alone(mfa_app, make_user, auth):
    make_user()
    response = auth.login()
    assert response.location.endswith("/dashboard")
    assert _signed_in(auth.client)


def test_trainers_too_when_the_admin_requires_it(mfa_app, make_user, auth):
    mfa_app.config["ACADEMY_MFA_REQUIRED_ROLES"] = "trainer,coordinator,admin"
    make_user("t@example.org", role="trainer")
    assert auth.login("t@example.org").location.endswith("/auth/mfa/")
    assert not _signed_in(auth.client)


def test_a_learner_can_turn_it_on_and_is_then_asked(mfa_app, make_user, auth):
    make_user()
    auth.login()
    _enrol(auth.client)
    auth.logout()
    assert auth.login().location.endswith("/auth/mfa/")
    assert not _signed_in(auth.client)


def test_the_pending_sign_in_expires_and_dies_with_a_password_change(mfa_app, make_user, auth):
    from academy.auth import mfa

    make_user("coord@example.org", role="coordinator")
    client = auth.client
    auth.login("coord@example.org")
    with client.session_transaction() as session:
        session["mfa_pending"] = dict(session["mfa_pending"],
                                      at=session["mfa_pending"]["at"] - mfa.PENDING_SECONDS - 1)
    assert client.get("/auth/mfa/setup").location.endswith("/auth/login")
    # A password changed in between (a reset) ends the pending sign-in too.
    auth.login("coord@example.org")
    with mfa_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "coord@example.org"))
        user.session_version += 1
        db.session.commit()
    assert client.get("/auth/mfa/setup").location.endswith("/auth/login")


def test_no_remember_me_cookie_for_privileged_roles(app, make_user, auth):
    make_user("coord@example.org", role="coordinator")
    response = auth.login("coord@example.org", remember=True)
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    make_user()
    auth.logout()
    response = auth.login(remember=True)
    assert "remember_token" in str(response.headers.getlist("Set-Cookie"))


def test_reset_mfa_from_the_command_line(mfa_app, make_user, auth, runner):
    make_user("coord@example.org", role="coordinator")
    auth.login("coord@example.org")
    _enrol(auth.client)
    result = runner.invoke(args=["users", "reset-mfa", "coord@example.org"])
    assert result.exit_code == 0, result.output
    assert not _signed_in(auth.client)  # its sessions ended
    auth.login("coord@example.org")
    assert auth.client.get("/auth/mfa/").location.endswith("/auth/mfa/setup")


def test_the_code_form_is_rate_limited(migrated_template, tmp_path, make_user):
    from academy.extensions import limiter
    from tests.conftest import AuthActions, make_test_app

    (tmp_path / "limited").mkdir()
    app = make_test_app(migrated_template, tmp_path / "limited")
    app.config.update(RATELIMIT_ENABLED=True, ACADEMY_MFA_REQUIRED_ROLES="admin")
    limiter.init_app(app)
    with app.app_context():
        from academy.auth.services import create_user

        create_user("admin@example.org", PASSWORD, role="admin", confirmed=True)
        db.session.commit()
    client = app.test_client()
    AuthActions(client).login("admin@example.org")
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    statuses = [client.post("/auth/mfa/setup", data={"csrf_token": csrf_token(page),
                                                     "code": "000000"}).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_reauthentication_before_a_sensitive_change(mfa_app, make_user, auth):
    from academy.auth import mfa

    make_user()
    auth.login()
    client = auth.client
    with client.session_transaction() as session:
        session[mfa.AUTH_AT] -= mfa.RECENT_AUTH_SECONDS + 1
    _secret, codes = _enrol(client)
    with client.session_transaction() as session:
        session[mfa.AUTH_AT] = 0
    token = csrf_token(client.get("/auth/account").get_data(as_text=True))
    response = client.post("/auth/mfa/recovery-codes", data={"csrf_token": token})
    assert "/auth/mfa/reauthenticate" in response.location
    page = client.get(response.location).get_data(as_text=True)
    wrong = client.post(response.location, data={"csrf_token": csrf_token(page),
                                                  "password": "not it", "code": "123456"})
    assert "The password or the code is not correct." in wrong.get_data(as_text=True)
    right = client.post(response.location, data={"csrf_token": csrf_token(page),
                                                  "password": PASSWORD, "code": codes[0]})
    assert right.location.endswith("/auth/account")
    again = client.post("/auth/mfa/recovery-codes", data={"csrf_token": token})
    assert again.location.endswith("/auth/mfa/recovery-codes")
    new_codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>",
                           client.get("/auth/mfa/recovery-codes").get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)


def test_role_and_scope_changes_need_a_recent_sign_in(app, make_user, auth):
    from academy.auth import mfa

    make_user("admin@example.org", role="admin")
    target = make_user("t@example.org", role="trainer")
    auth.login("admin@example.org")
    client = auth.client
    page_url = f"/admin/users/{target.id}/"
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    with client.session_transaction() as session:
        session[mfa.AUTH_AT] = 0
    response = client.post(f"{page_url}role", data={"csrf_token": token, "role": "coordinator"},
                           headers={"Referer": f"http://localhost{page_url}"})
    assert "/auth/mfa/reauthenticate" in response.location
    with app.app_context():
        assert db.session.get(User, target.id).role == "trainer"  # nothing changed yet
    page = client.get(response.location).get_data(as_text=True)
    back = client.post(response.location, data={"csrf_token": csrf_token(page),
                                                 "password": PASSWORD})
    assert back.location.endswith(page_url)
    client.post(f"{page_url}role", data={"csrf_token": token, "role": "coordinator"})
    with app.app_context():
        assert db.session.get(User, target.id).role == "coordinator"
