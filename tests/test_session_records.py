"""Server-side sessions: sign out here only, sign out everywhere, the list of devices with "end"."""
from datetime import timedelta

import pytest

from academy.auth.models import AuthSession, User
from academy.auth.session_records import describe_device
from academy.extensions import db
from tests.conftest import AuthActions, csrf_token

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Mobile Safari/537.36")


def device(app, user_agent):
    """A signed-in test client that presents `user_agent`."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    response = AuthActions(client).login()
    assert response.status_code == 302 and "/dashboard" in response.headers["Location"]
    return client


def copy_of(app, client):
    """Another client holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_in(client):
    return client.get("/dashboard").status_code == 200


def post_form(client, page_url, action, **fields):
    page = client.get(page_url).get_data(as_text=True)
    return client.post(action, data={"csrf_token": csrf_token(page), **fields})


def records(app):
    with app.app_context():
        return db.session.scalars(db.select(AuthSession).order_by(AuthSession.id)).all()


@pytest.fixture
def two_devices(app, make_user):
    make_user()
    return device(app, FIREFOX_WINDOWS), device(app, CHROME_ANDROID)


def test_sign_out_ends_this_session_and_its_copies_but_not_other_devices(app, two_devices):
    laptop, phone = two_devices
    stolen = copy_of(app, laptop)
    assert signed_in(stolen)
    response = post_form(laptop, "/courses/", "/auth/logout")
    assert response.status_code == 302
    assert not signed_in(laptop)
    assert not signed_in(stolen), "a copy of the signed-out session's cookie must die with it"
    assert signed_in(phone), "the account's other devices stay signed in"
    assert len(records(app)) == 1


def test_a_remember_me_cookie_dies_with_its_session(app, make_user):
    make_user()
    client = app.test_client()
    AuthActions(client).login(remember=True)
    remembered = app.test_client()
    remembered.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert signed_in(remembered)
    post_form(client, "/courses/", "/auth/logout")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered.get_cookie("remember_token").value)
    assert not signed_in(fresh)


def test_sign_out_everywhere_ends_every_session(app, two_devices):
    laptop, phone = two_devices
    stolen = copy_of(app, phone)
    post_form(laptop, "/auth/account", "/auth/sessions/end")
    assert not any(signed_in(c) for c in (laptop, phone, stolen))
    assert records(app) == []


def test_password_change_keeps_this_device_and_ends_the_others(app, two_devices):
    laptop, phone = two_devices
    response = post_form(laptop, "/auth/password", "/auth/password",
                         current_password="correct horse battery staple",
                         password="a brand new passphrase", password_confirm="a brand new passphrase")
    assert response.status_code == 302
    assert signed_in(laptop) and not signed_in(phone)
    assert len(records(app)) == 1


def test_deactivation_ends_every_session(app, two_devices, runner):
    laptop, phone = two_devices
    result = runner.invoke(args=["users", "deactivate", "learner@example.org"])
    assert result.exit_code == 0, result.output
    assert not signed_in(laptop) and not signed_in(phone) and records(app) == []


def test_the_account_page_lists_devices_and_ends_one(app, two_devices):
    laptop, phone = two_devices
    page = laptop.get("/auth/account").get_data(as_text=True)
    assert "Firefox on Windows" in page and "Chrome on Android" in page
    assert page.index("Firefox on Windows") < page.index("this device") < \
        page.index("Chrome on Android"), "this device first, marked as such"
    assert "127.0.0.1" in page
    phone_id = [r.id for r in records(app) if "Android" in r.user_agent][0]
    assert f'action="/auth/sessions/{phone_id}/end"' in page
    response = post_form(laptop, "/auth/account", f"/auth/sessions/{phone_id}/end")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/account")
    page = laptop.get("/auth/account").get_data(as_text=True)
    assert "Chrome on Android" not in page and "device is signed out" in page
    assert not signed_in(phone) and signed_in(laptop)


def test_ending_this_device_from_the_list_signs_out_here(app, two_devices):
    laptop, phone = two_devices
    laptop_id = [r.id for r in records(app) if "Firefox" in r.user_agent][0]
    post_form(laptop, "/auth/account", f"/auth/sessions/{laptop_id}/end")
    assert not signed_in(laptop) and signed_in(phone)


def test_nobody_ends_another_accounts_session_or_without_csrf(app, make_user, two_devices):
    laptop, phone = two_devices
    make_user(email="other@example.org")
    other = app.test_client()
    AuthActions(other).login(email="other@example.org")
    phone_id = [r.id for r in records(app) if "Android" in r.user_agent][0]
    assert post_form(other, "/auth/account", f"/auth/sessions/{phone_id}/end").status_code == 404
    assert post_form(other, "/auth/account", "/auth/sessions/999999/end").status_code == 404
    assert laptop.post(f"/auth/sessions/{phone_id}/end").status_code == 400  # no CSRF token
    assert laptop.get(f"/auth/sessions/{phone_id}/end").status_code == 405
    assert signed_in(phone)


def _move_last_seen(app, delta):
    with app.app_context():
        for record in db.session.scalars(db.select(AuthSession)):
            record.last_seen_at = record.last_seen_at - delta
        db.session.commit()
        return {r.id: r.last_seen_at for r in db.session.scalars(db.select(AuthSession))}


def test_last_seen_is_written_at_most_every_five_minutes(app, make_user):
    make_user()
    client = device(app, FIREFOX_WINDOWS)
    before = _move_last_seen(app, timedelta(minutes=4))
    for _ in range(3):
        assert signed_in(client)
    assert {r.id: r.last_seen_at for r in records(app)} == before, "no write within five minutes"
    before = _move_last_seen(app, timedelta(minutes=2))
    assert signed_in(client)
    (record,) = records(app)
    assert record.last_seen_at > list(before.values())[0] + timedelta(minutes=5)


def test_an_idle_session_expires_on_the_server(app, make_user):
    make_user()
    client = device(app, FIREFOX_WINDOWS)
    _move_last_seen(app, timedelta(hours=13))
    assert not signed_in(client)
    AuthActions(client).login(remember=True)
    _move_last_seen(app, timedelta(days=20))
    assert signed_in(client), "a remembered device lasts as long as its remember-me cookie"


def test_a_cookie_from_before_session_records_is_refused(app, make_user):
    user = make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
        session["_fresh"] = True
    assert not signed_in(client)


@pytest.mark.parametrize("user_agent, expected", [
    (FIREFOX_WINDOWS, "Firefox on Windows"),
    (CHROME_ANDROID, "Chrome on Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 YaBrowser/24.10.0.0 Safari/537.36", "Yandex Browser on macOS"),
    ("curl/8.5.0", "Unknown device"), ("", "Unknown device"),
])
def test_devices_are_named_from_the_user_agent(app, user_agent, expected):
    with app.test_request_context():
        assert describe_device(user_agent) == expected


def test_the_session_list_speaks_russian(app, make_user):
    make_user(locale="ru")
    client = device(app, FIREFOX_WINDOWS)
    client.post("/language", data={"csrf_token": csrf_token(client.get("/auth/account")
                                                              .get_data(as_text=True)),
                                   "lang": "ru", "next": "/auth/account"})
    page = client.get("/auth/account").get_data(as_text=True)
    assert "Firefox, Windows" in page and "это устройство" in page
    with app.app_context():
        assert db.session.get(User, 1).email == "learner@example.org"


@pytest.mark.postgres
def test_session_records_on_postgresql(postgres_url):
    from flask_migrate import upgrade

    from academy import create_app
    from academy.auth.services import create_user

    app = create_app({"TESTING": True, "MFA_REQUIRED_ROLES": "", "DATABASE_URL": postgres_url, "SECRET_KEY": "test",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        create_user("learner@example.org", "correct horse battery staple", confirmed=True)
        db.session.commit()
    laptop, phone = device(app, FIREFOX_WINDOWS), device(app, CHROME_ANDROID)
    stolen = copy_of(app, laptop)
    before = _move_last_seen(app, timedelta(minutes=10))
    assert signed_in(phone)
    seen = {r.id: r.last_seen_at for r in records(app)}
    assert [seen[i] > before[i] for i in sorted(seen)] == [False, True], "only the phone was seen"
    assert "Chrome on Android" in laptop.get("/auth/account").get_data(as_text=True)
    post_form(laptop, "/courses/", "/auth/logout")
    assert not signed_in(laptop) and not signed_in(stolen) and signed_in(phone)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _move_created(app, by):
    with app.app_context():
        for record in db.session.query(AuthSession):
            record.created_at -= by
            record.last_seen_at = record.created_at + by  # busy all the time
        db.session.commit()


@pytest.mark.parametrize("role, idle_ok, idle_gone", [
    ("learner", timedelta(minutes=110), timedelta(minutes=130)),
    ("coordinator", timedelta(minutes=25), timedelta(minutes=35)),
    ("admin", timedelta(minutes=25), timedelta(minutes=35)),
])
def test_idle_timeout_is_shorter_for_privileged_roles(app, make_user, role, idle_ok, idle_gone):
    """Issue 13, finding 7: 30 minutes idle for coordinators and admins, 2 hours for learners."""
    make_user(role=role)
    client = device(app, FIREFOX_WINDOWS)
    _move_last_seen(app, idle_ok)
    assert signed_in(client)
    _move_last_seen(app, idle_gone)
    assert not signed_in(client)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(app, make_user):
    make_user()
    client = device(app, FIREFOX_WINDOWS)
    _move_created(app, timedelta(hours=11))
    assert signed_in(client)
    _move_created(app, timedelta(hours=2))
    assert not signed_in(client)
