"""Passwords: reset by e-mail, change, sign out everywhere, hashing parameters."""
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from sqlalchemy import select, update

from academy import create_app
from academy.auth import passwords
from academy.auth.models import AuthToken, User
from academy.extensions import db
from tests.conftest import PASSWORD, csrf_token
from tests.test_auth_helpers import field_errors, flashes, link_in, outbox, post_form

NEW_PASSWORD = "a brand new passphrase"


def _password_hash(app, email="learner@example.org"):
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.email == email))


def _reset_link(app, client, email="learner@example.org"):
    post_form(client, "/auth/reset", {"email": email})
    return link_in(outbox(app)[-1], "/auth/reset/")


def _choose(client, link, password=NEW_PASSWORD, confirm=None):
    # A dead link redirects, so take the CSRF token from the reset request page.
    page = client.get(link, follow_redirects=True).get_data(as_text=True)
    return client.post(link, data={"csrf_token": csrf_token(page), "password": password,
                                   "password_confirm": confirm or password})


def test_password_reset_by_email(app, make_user, client, auth):
    make_user(locale="ru")
    response = post_form(client, "/auth/reset", {"email": " Learner@Example.org"})
    assert response.location == "/auth/login"
    [mail] = outbox(app)
    assert mail["Subject"] == "Восстановление пароля"  # the recipient's language
    link = link_in(mail, "/auth/reset/")
    response = _choose(client, link)
    assert response.location == "/auth/login"
    assert auth.login(password=PASSWORD).status_code == 200  # the old one no longer works
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    assert "пароль" in outbox(app)[-1]["Subject"].lower()  # "your password was changed" notice


def test_reset_link_is_single_use(app, make_user, client):
    make_user()
    link = _reset_link(app, client)
    _choose(client, link)
    page = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert ("This password reset link is invalid, has expired or was already used. "
            "Ask for a new one below.") in flashes(page)


def test_reset_link_expires_after_an_hour(app, make_user, client):
    make_user()
    link = _reset_link(app, client)
    with app.app_context():
        token = db.session.scalar(select(AuthToken).where(AuthToken.purpose == "reset_password"))
        assert abs(token.expires_at.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
                   - timedelta(hours=1)) < timedelta(minutes=5)
        db.session.execute(update(AuthToken).values(
            expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
        db.session.commit()
    before = _password_hash(app)
    response = _choose(client, link)
    assert response.location == "/auth/reset"
    assert _password_hash(app) == before


def test_a_new_reset_link_replaces_the_previous_one(app, make_user, client):
    make_user()
    first = _reset_link(app, client)
    second = _reset_link(app, client)
    assert _choose(client, first).location == "/auth/reset"
    assert _choose(client, second).location == "/auth/login"


def test_reset_form_applies_the_password_policy(app, make_user, client):
    make_user()
    link = _reset_link(app, client)
    before = _password_hash(app)
    page = _choose(client, link, "learner@example.org").get_data(as_text=True)
    assert "Do not use your e-mail address as your password." in field_errors(page, "password")
    page = _choose(client, link, NEW_PASSWORD, "another one").get_data(as_text=True)
    assert "The two passwords do not match." in field_errors(page, "password_confirm")
    assert _password_hash(app) == before
    assert _choose(client, link).location == "/auth/login"  # the link still works after errors


def test_reset_ends_every_session(app, make_user, client, auth):
    make_user()
    auth.login(remember=True)
    other = app.test_client()
    link = _reset_link(app, other)
    _choose(other, link)
    assert client.get("/auth/account").status_code == 302
    client.delete_cookie("session")
    assert client.get("/auth/account").status_code == 302


def _change(client, current, new, confirm=None):
    page = client.get("/auth/password").get_data(as_text=True)
    return client.post("/auth/password", data={
        "csrf_token": csrf_token(page), "current_password": current, "password": new,
        "password_confirm": confirm or new})


def test_change_password_keeps_this_session_and_ends_the_others(app, make_user, client, auth):
    make_user()
    auth.login(remember=True)
    elsewhere = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(elsewhere).login()
    assert elsewhere.get("/auth/account").status_code == 200

    response = _change(client, PASSWORD, NEW_PASSWORD)
    assert response.location == "/auth/account"
    assert client.get("/auth/account").status_code == 200
    client.delete_cookie("session")  # the renewed remember-me cookie still works
    assert client.get("/auth/account").status_code == 200
    assert elsewhere.get("/auth/account").status_code == 302


def test_change_password_asks_for_the_current_one(app, make_user, client, auth):
    make_user()
    auth.login()
    before = _password_hash(app)
    page = _change(client, "not my password", NEW_PASSWORD).get_data(as_text=True)
    assert "The current password is not correct." in field_errors(page, "current_password")
    page = _change(client, PASSWORD, "too short", "too short").get_data(as_text=True)
    assert "Use at least 10 characters." in field_errors(page, "password")
    page = _change(client, "", NEW_PASSWORD).get_data(as_text=True)
    assert "Enter your current password." in field_errors(page, "current_password")
    assert _password_hash(app) == before


def test_sign_out_everywhere(app, make_user, client, auth):
    make_user()
    auth.login(remember=True)
    elsewhere = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(elsewhere).login(remember=True)
    page = client.get("/auth/account").get_data(as_text=True)
    response = client.post("/auth/sessions/end", data={"csrf_token": csrf_token(page)})
    assert response.location == "/auth/login"
    for browser in (client, elsewhere):
        assert browser.get("/auth/account").status_code == 302
        browser.delete_cookie("session")
        assert browser.get("/auth/account").status_code == 302
    assert AuthActions(elsewhere).login().status_code == 302  # signing in again works


def test_hash_is_upgraded_on_sign_in_when_the_parameters_change(app, make_user, auth):
    user = make_user()
    old_hash = PasswordHasher(time_cost=2, memory_cost=512, parallelism=1).hash(PASSWORD)
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(password_hash=old_hash))
        db.session.commit()
    assert auth.login().status_code == 302
    new_hash = _password_hash(app)
    assert new_hash != old_hash and new_hash.startswith("$argon2id$")
    with app.app_context():
        assert not passwords.needs_rehash(new_hash)


def test_production_uses_memory_hard_argon2id_parameters(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    with app.app_context():
        assert passwords.hasher() is passwords.PRODUCTION_HASHER
        encoded = passwords.PRODUCTION_HASHER.hash("x" * 12)
    assert encoded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_unknown_email_costs_a_hash_verification_too(app, make_user, auth):
    # No timing measured: we check that the dummy hash exists and rejects everything.
    with app.app_context():
        assert passwords.verify_password(passwords._dummy_hash(id(passwords.hasher())),
                                         PASSWORD) is False
    assert auth.login("nobody@example.org").status_code == 200


def test_account_without_password_cannot_sign_in_until_reset(app, client, auth):
    from academy.auth.services import create_user

    with app.app_context():
        create_user("invited@example.org", None, role="trainer", confirmed=True)
        db.session.commit()
    page = auth.login("invited@example.org", "").get_data(as_text=True)
    assert "Enter your password." in field_errors(page, "password")
    assert auth.login("invited@example.org", "anything at all").status_code == 200
    link = _reset_link(app, client, "invited@example.org")
    _choose(client, link)
    assert auth.login("invited@example.org", NEW_PASSWORD).status_code == 302
