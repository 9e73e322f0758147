"""Signing out really ends the session: a cookie copied before sign-out no longer works."""

from tests.conftest import csrf_token


def _session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_a_session_cookie_copied_before_logout_is_dead_afterwards(app, client, make_user, auth):
    make_user()
    auth.login()
    stolen = _session_cookie(client)
    assert client.get("/dashboard").status_code == 200
    page = client.get("/dashboard").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/dashboard")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
