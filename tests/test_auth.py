"""Registration, confirmation, sign-in and sign-out through the real forms."""
import hashlib
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from academy.auth.models import AuthToken, User
from academy.extensions import db
from tests.conftest import PASSWORD, csrf_token
from tests.test_auth_helpers import body, flashes, link_in, outbox, post_form, register


def _user(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def test_register_confirm_and_sign_in(app, client, auth):
    response = register(client, email="  Nino@Example.ORG ")
    assert response.status_code == 302 and response.location.endswith("/auth/login")
    user = _user(app, "nino@example.org")
    assert user.role == "learner" and user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    assert user.country == "GE" and user.organisation == "Ministry of Internal Affairs"

    [mail] = outbox(app)
    assert mail["To"] == "nino@example.org"
    assert mail["Subject"] == "Confirm your e-mail address"
    assert "http://127.0.0.1:5000/auth/confirm/" in body(mail)

    # Before confirming, the right password gets an explanation and a resend form.
    page = auth.login("nino@example.org", PASSWORD).get_data(as_text=True)
    assert "Your e-mail address is not confirmed yet" in page
    assert 'action="/auth/confirm"' in page
    assert client.get("/auth/account").status_code == 302

    response = client.get(link_in(mail, "/auth/confirm/"))
    assert response.location.endswith("/auth/login")
    assert _user(app, "nino@example.org").email_confirmed_at is not None

    response = auth.login("NINO@example.org", PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/dashboard")
    assert client.get("/auth/account").status_code == 200


def test_confirmation_link_is_single_use_and_explains_a_second_click(app, client):
    register(client)
    link = link_in(outbox(app)[0], "/auth/confirm/")
    client.get(link)
    page = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "Your e-mail address is already confirmed. You can sign in." in flashes(page)


def test_unknown_confirmation_link_sends_to_resend_form(client):
    page = client.get("/auth/confirm/not-a-token", follow_redirects=True).get_data(as_text=True)
    assert ("This confirmation link is invalid or has expired. Enter your e-mail address to "
            "receive a new one.") in flashes(page)
    assert 'action="/auth/confirm"' in page


def test_resend_confirmation_replaces_the_old_link(app, client):
    register(client)
    old_link = link_in(outbox(app)[0], "/auth/confirm/")
    response = post_form(client, "/auth/confirm", {"email": "nino@example.org"})
    assert response.status_code == 302
    new_link = link_in(outbox(app)[1], "/auth/confirm/")
    assert new_link != old_link
    page = client.get(old_link, follow_redirects=True).get_data(as_text=True)
    assert "invalid or has expired" in page
    client.get(new_link)
    assert _user(app, "nino@example.org").email_confirmed_at is not None


def test_sign_in_wrong_password_and_unknown_email_get_the_same_answer(make_user, auth):
    make_user()
    wrong = auth.login("learner@example.org", "not the password at all").get_data(as_text=True)
    unknown = auth.login("nobody@example.org", PASSWORD).get_data(as_text=True)
    message = "The e-mail address or password is incorrect."
    assert message in wrong and message in unknown
    # The pages differ only in the e-mail echoed back and the CSRF token.
    assert (wrong.replace("learner@example.org", "X").split('name="csrf_token"')[0]
            == unknown.replace("nobody@example.org", "X").split('name="csrf_token"')[0])


def test_sign_in_follows_a_safe_next_and_ignores_an_unsafe_one(make_user, client):
    make_user()
    for target, expected in [("/auth/account", "/auth/account"),
                             ("https://evil.example/", "/dashboard"),
                             ("//evil.example/", "/dashboard")]:
        page = client.get(f"/auth/login?next={target}").get_data(as_text=True)
        response = client.post("/auth/login", data={
            "csrf_token": csrf_token(page), "email": "learner@example.org", "password": PASSWORD,
            "next": target})
        assert response.location == expected, target
        # Signing in starts a new session, so the logout form needs a fresh token.
        account = client.get("/auth/account").get_data(as_text=True)
        assert client.post("/auth/logout", data={"csrf_token": csrf_token(account)}).status_code == 302


def test_protected_page_sends_to_sign_in_with_next(client):
    response = client.get("/auth/account")
    assert response.status_code == 302
    assert response.location == "/auth/login?next=%2Fauth%2Faccount"
    page = client.get(response.location).get_data(as_text=True)
    assert "Please sign in to see this page." in flashes(page)


def test_login_without_csrf_token_is_refused(make_user, client):
    make_user()
    response = client.post("/auth/login", data={"email": "learner@example.org",
                                                 "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/auth/account").status_code == 302


def test_logout_is_post_only_and_ends_the_session(make_user, client, auth):
    make_user()
    auth.login()
    assert client.get("/auth/logout").status_code == 405
    page = client.get("/auth/account").get_data(as_text=True)
    response = client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert client.get("/auth/account").status_code == 302


def test_remember_me_survives_the_end_of_the_browser_session(make_user, client, auth):
    make_user()
    auth.login(remember=True)
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")
    assert client.get("/auth/account").status_code == 200


def test_deactivated_account_cannot_sign_in_and_its_sessions_end(app, make_user, client, auth):
    user = make_user()
    auth.login(remember=True)
    from academy.auth.services import set_active

    with app.app_context():
        set_active(db.session.get(User, user.id), False)
        db.session.commit()
    assert client.get("/auth/account").status_code == 302  # session cookie refused
    client.delete_cookie("session")
    assert client.get("/auth/account").status_code == 302  # remember-me cookie refused too
    page = auth.login().get_data(as_text=True)
    assert "This account has been deactivated." in page


def test_signed_in_user_is_sent_away_from_login_and_register(make_user, client, auth):
    make_user()
    auth.login()
    assert client.get("/auth/login").location == "/dashboard"
    assert client.get("/auth/register").location == "/dashboard"


def test_confirmation_token_is_stored_only_as_its_sha256_and_expires_in_24_hours(app, client):
    register(client)
    raw = link_in(outbox(app)[0], "/auth/confirm/").rsplit("/", 1)[1]
    with app.app_context():
        [token] = db.session.scalars(select(AuthToken)).all()
        assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
        assert token.purpose == "confirm_email"
        lifetime = token.expires_at.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
        assert timedelta(hours=23, minutes=55) < lifetime <= timedelta(hours=24)
        token.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
    page = client.get(f"/auth/confirm/{raw}", follow_redirects=True).get_data(as_text=True)
    assert "This confirmation link is invalid or has expired." in page
    assert _user(app, "nino@example.org").email_confirmed_at is None


def test_resend_button_on_the_sign_in_page_sends_a_new_link(app, client, auth):
    register(client)
    page = auth.login("nino@example.org", PASSWORD).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/auth/confirm">(.*?)</form>', page, re.S).group(1)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields["email"] == "nino@example.org"
    response = client.post("/auth/confirm", data=fields)
    assert response.location == "/auth/login"
    assert len(outbox(app)) == 2
    client.get(link_in(outbox(app)[1], "/auth/confirm/"))
    assert auth.login("nino@example.org", PASSWORD).status_code == 302
