"""Endpoint × role access matrix: who may reach what, checked on the server for every object."""
import pytest

from academy.extensions import db
from academy.quizzes.models import QuizAttempt
from tests.conftest import PASSWORD, AuthActions, csrf_token

ROLES = ["anonymous", "learner", "trainer", "coordinator", "admin"]
COURSE = "/courses/sample-course/"
MODULE = "/courses/sample-course/first-steps/"

# path → expected status for anonymous and for any signed-in role (not enrolled).
PAGES = {
    "/": (302, 302),
    "/courses/": (200, 200),
    COURSE: (200, 200),
    "/courses/no-such-course/": (404, 404),
    "/glossary": (200, 200),
    "/healthz": (200, 200),
    "/auth/login": (200, 302),
    "/auth/register": (200, 302),
    "/auth/reset": (200, 200),
    "/dashboard": ("login", 200),
    "/auth/account": ("login", 200),
    "/auth/password": ("login", 200),
    MODULE: ("login", 302),
}


def _client(app, role):
    client = app.test_client()
    if role != "anonymous":
        from academy.auth.services import create_user

        with app.app_context():
            create_user(email=f"{role}@example.org", password=PASSWORD, role=role, confirmed=True)
            db.session.commit()
        AuthActions(client).login(f"{role}@example.org")
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(PAGES))
def test_page_access(imported_app, role, path):
    client = _client(imported_app, role)
    expected = PAGES[path][0 if role == "anonymous" else 1]
    response = client.get(path)
    if expected == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    else:
        assert response.status_code == expected


STATE_CHANGES = ["/courses/sample-course/enrol", "/courses/sample-course/first-steps/attempts",
                 "/courses/sample-course/reading-only/done", "/language", "/auth/logout",
                 "/auth/sessions/end"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", STATE_CHANGES)
def test_every_state_change_needs_a_csrf_token(imported_app, role, path):
    client = _client(imported_app, role)
    assert client.post(path, data={"lang": "ru"}).status_code == 400


@pytest.mark.parametrize("path", ["/courses/sample-course/enrol", "/courses/sample-course/first-steps/attempts",
                                  "/courses/sample-course/reading-only/done"])
def test_anonymous_state_changes_go_to_login(imported_app, path):
    client = imported_app.test_client()
    token = csrf_token(client.get(COURSE).get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_starting_a_quiz_without_enrolment_creates_nothing(imported_app):
    client = _client(imported_app, "learner")
    token = csrf_token(client.get(COURSE).get_data(as_text=True))
    client.post("/courses/sample-course/first-steps/attempts", data={"csrf_token": token})
    with imported_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(QuizAttempt)) == 0


@pytest.mark.parametrize("intruder", ["learner", "trainer", "coordinator", "admin"])
def test_nobody_else_sees_or_submits_a_learners_attempt(imported_app, intruder):
    from academy.auth.services import create_user

    with imported_app.app_context():
        create_user(email="owner@example.org", password=PASSWORD, confirmed=True)
        db.session.commit()
    owner = imported_app.test_client()
    AuthActions(owner).login("owner@example.org")
    token = csrf_token(owner.get(COURSE).get_data(as_text=True))
    owner.post("/courses/sample-course/enrol", data={"csrf_token": token})
    token = csrf_token(owner.get(MODULE).get_data(as_text=True))
    started = owner.post("/courses/sample-course/first-steps/attempts", data={"csrf_token": token})
    attempt_url = started.headers["Location"]

    other = _client(imported_app, intruder)
    assert other.get(attempt_url).status_code == 404
    token = csrf_token(other.get("/courses/").get_data(as_text=True))
    assert other.post(attempt_url, data={"csrf_token": token}).status_code == 404
    with imported_app.app_context():
        assert db.session.scalar(db.select(QuizAttempt)).submitted_at is None


ROLE_GUARDED = {"coordinator": {"anonymous": "login", "learner": 403, "trainer": 403,
                                "coordinator": 200, "admin": 200},
                "trainer": {"anonymous": "login", "learner": 403, "trainer": 200,
                            "coordinator": 403, "admin": 200}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("required", list(ROLE_GUARDED))
def test_role_required_lets_only_its_roles_and_admins_through(app, role, required):
    """The one decorator every role-restricted view uses, on a view that needs `required`."""
    from academy.core.roles import role_required

    app.add_url_rule(f"/_guarded/{required}", f"guarded_{required}",
                     role_required(required)(lambda: "inside"))
    response = _client(app, role).get(f"/_guarded/{required}")
    expected = ROLE_GUARDED[required][role]
    if expected == "login":
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    else:
        assert response.status_code == expected
