"""Shared fixtures: an app on a real SQLite file (or PostgreSQL database) built by the migrations."""
import re

import pytest
from flask_migrate import upgrade

from academy import create_app
from academy.extensions import db
from tests import databases

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory, request):
    """One database built by running every migration, copied for each test.

    A SQLite file; with ACADEMY_TEST_DATABASE=postgresql a template database on the private
    cluster (tests/databases.py), cloned with CREATE DATABASE … TEMPLATE.
    """
    if databases.ON_POSTGRES:
        server_url = request.getfixturevalue("postgres_server_url")
        template = databases.PostgresTemplate(
            server_url, databases.create_postgres_database(server_url))
        app = create_app({"TESTING": True, "DATABASE_URL": template.url()})
        with app.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()
        return template
    path = tmp_path_factory.mktemp("template") / "academy.db"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


def make_test_app(migrated_template, folder, **settings):
    """An app on its own copy of the migrated database in `folder`, mail written there too."""
    url = databases.clone_database(migrated_template, folder)
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
        "MAIL_OUTBOX": str(folder / "mail"),
        # Coordinators and admins sign in with a second factor in production; the tests of
        # other features sign them in with the password only (tests/test_mfa.py turns it on).
        "MFA_REQUIRED_ROLES": "",
        # Background tasks run at once, through the same task code (tests/test_queue.py runs
        # a real worker; the security-review tests a consumer beside the requests).
        "QUEUE": "immediate",
        **settings,
    })
    app.instance_path = str(folder / "instance")
    if isinstance(migrated_template, databases.PostgresTemplate):
        app.config["TEST_POSTGRES_SERVER"] = migrated_template.server_url
    return app


@pytest.fixture
def app(migrated_template, tmp_path):
    """A fresh app on its own copy of the migrated database."""
    app = make_test_app(migrated_template, tmp_path)
    yield app
    databases.release(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(html):
    """The CSRF token of the first form in `html`."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def make_user(app):
    """Create a confirmed account with a role; returns the User."""
    from academy.auth.services import create_user

    def make(email="learner@example.org", role="learner", password=PASSWORD, **fields):
        with app.app_context():
            user = create_user(email=email, password=password, role=role, confirmed=True, **fields)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


class AuthActions:
    """Sign in and out through the real forms, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def login(self, email="learner@example.org", password=PASSWORD, remember=False):
        page = self.client.get("/auth/login")
        data = {"csrf_token": csrf_token(page.get_data(as_text=True)),
                "email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/auth/login", data=data)

    def logout(self):
        page = self.client.get("/courses/")
        return self.client.post("/auth/logout",
                                data={"csrf_token": csrf_token(page.get_data(as_text=True))})


@pytest.fixture
def auth(client):
    return AuthActions(client)


pytest_plugins = ["tests.ci_skips", "tests.postgres", "tests.live", "tests.redis_server",
                  "tests.course_fixtures", "tests.network_fixtures", "tests.search_fixtures",
                  "tests.reports_fixtures", "tests.authoring_fixtures", "tests.certificate_fixtures",
                  "tests.queue_fixtures"]
