"""No user enumeration, rate limits, stale and forged sessions."""
import pytest
from sqlalchemy import func, select

from academy.auth.models import User
from academy.auth.sessions import load_user
from academy.extensions import db
from tests import databases
from tests.conftest import PASSWORD, AuthActions, csrf_token, make_test_app
from tests.test_auth_helpers import body, flashes, outbox, post_form, register


def _page_after(response, client):
    assert response.status_code == 302
    return client.get(response.location).get_data(as_text=True)


def test_register_with_a_known_email_looks_the_same_and_mails_the_owner(app, make_user, client):
    make_user(email="taken@example.org", locale="ru")
    known = _page_after(register(client, email="Taken@example.org"), client)
    fresh = _page_after(register(client, email="fresh@example.org"), client)
    assert flashes(known) == [flashes(fresh)[0].replace("fresh@", "Taken@")]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
    already, confirm = outbox(app)
    assert already["To"] == "taken@example.org"
    assert already["Subject"] == "У вас уже есть учётная запись"
    assert "/auth/reset" in body(already) and "/auth/confirm/" not in body(already)
    assert confirm["To"] == "fresh@example.org"


def test_password_reset_answers_the_same_for_unknown_addresses(app, make_user, client):
    make_user()
    known = _page_after(post_form(client, "/auth/reset", {"email": "learner@example.org"}), client)
    unknown = _page_after(post_form(client, "/auth/reset", {"email": "nobody@example.org"}), client)
    assert flashes(known) == [flashes(unknown)[0].replace("nobody@", "learner@")]
    assert [m["To"] for m in outbox(app)] == ["learner@example.org"]


def test_resend_confirmation_answers_the_same_for_any_address(app, make_user, client):
    make_user(email="confirmed@example.org")
    register(client, email="pending@example.org")
    pages = [_page_after(post_form(client, "/auth/confirm", {"email": email}), client)
             for email in ("pending@example.org", "confirmed@example.org", "nobody@example.org")]
    messages = [flashes(page)[0].replace(email, "X") for page, email in
                zip(pages, ("pending@example.org", "confirmed@example.org", "nobody@example.org"))]
    assert len(set(messages)) == 1, messages
    # Only the pending account gets a (second) confirmation message.
    assert [m["To"] for m in outbox(app)] == ["pending@example.org", "pending@example.org"]


@pytest.fixture
def limited_app(migrated_template, tmp_path):
    """An app with rate limits on, as in production."""
    app = make_test_app(migrated_template, tmp_path, SECRET_KEY="test", RATELIMIT_ENABLED=True)
    yield app
    databases.release(app)


def test_login_is_rate_limited_with_a_friendly_page(limited_app):
    client = limited_app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    statuses = [client.post("/auth/login", data={"csrf_token": token, "email": "x@example.org",
                                                 "password": "wrong password"}).status_code
                for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    response = client.post("/auth/login", data={"csrf_token": token, "email": "x@example.org",
                                                "password": "wrong"})
    page = response.get_data(as_text=True)
    # The form stays, with the address typed (never the password), the wait and the way out.
    assert response.status_code == 429 and 0 < int(response.headers["Retry-After"]) <= 3600
    assert "Too many sign-in attempts" in page and "signing in is paused" in page
    assert 'value="x@example.org"' in page and 'value="wrong"' not in page
    assert 'href="/auth/reset">Forgot your password?</a>' in page
    assert 'name="csrf_token"' in page and 'action="/auth/login"' in page
    # Another address from the same computer is not locked out by the first one.
    response = client.post("/auth/login", data={"csrf_token": token, "email": "y@example.org",
                                                 "password": "wrong password"})
    assert response.status_code == 200


def test_change_password_is_rate_limited_per_account(limited_app):
    from academy.auth.services import create_user

    with limited_app.app_context():
        create_user("learner@example.org", PASSWORD, confirmed=True)
        db.session.commit()
    client = limited_app.test_client()
    anonymous = client.post("/auth/password", data={
        "csrf_token": csrf_token(client.get("/auth/login").get_data(as_text=True))})
    assert anonymous.status_code == 302  # sent to sign in, not a server error
    AuthActions(client).login()
    token = csrf_token(client.get("/auth/password").get_data(as_text=True))
    guesses = [client.post("/auth/password", data={
        "csrf_token": token, "current_password": f"guess number {i}",
        "password": "a brand new passphrase", "password_confirm": "a brand new passphrase",
    }).status_code for i in range(11)]
    assert guesses == [200] * 10 + [429]


def test_mail_forms_are_limited_per_address_across_forms(limited_app):
    client = limited_app.test_client()
    token = csrf_token(client.get("/auth/reset").get_data(as_text=True))
    statuses = [client.post(url, data={"csrf_token": token, "email": "victim@example.org"}).status_code
                for url in ["/auth/reset", "/auth/confirm"] * 3]
    assert statuses == [302] * 5 + [429]


def test_session_ids_that_are_forged_or_stale_load_nobody(app, make_user):
    user = make_user()
    with app.test_request_context():
        from academy.auth.session_records import start_session

        account = db.session.get(User, user.id)
        start_session(account, remember=False)
        token, version = account.session_token, user.session_version
        db.session.commit()
        assert load_user(f"{user.id}:{version}:{token}").id == user.id
        for forged in ["", "abc", f"{user.id}", f"{user.id}:", f"{user.id}:x",
                       f"{user.id}:{version}", f"{user.id}:{version}:", f"{user.id}:{version}:x",
                       f"{user.id}:{version}:{token}x", f"{user.id}:{version}:{token}:",
                       f"{user.id}:{version + 1}:{token}", f"{user.id}:{version - 1}:{token}",
                       f"999:1:{token}", f"-{user.id}:1:{token}", None]:
            assert load_user(forged) is None, forged


def test_session_cookie_from_before_a_password_change_is_refused(app, make_user, client):
    make_user()
    AuthActions(client).login()
    stolen = client.get_cookie("session").value
    page = client.get("/auth/account").get_data(as_text=True)
    client.post("/auth/sessions/end", data={"csrf_token": csrf_token(page)})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/auth/account").status_code == 302


def test_cookies_are_http_only_and_same_site(make_user, client):
    make_user()
    response = AuthActions(client).login(remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") for c in cookies)
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_email_and_wrong_password_write_nothing(app, make_user, auth):
    user = make_user()
    auth.login("learner@example.org", "wrong password!")
    auth.login("ghost@example.org", PASSWORD)
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.password_hash == user.password_hash
        assert stored.session_version == user.session_version
