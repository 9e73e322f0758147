"""Fixtures for people administration and the Trainer Network: accounts by role and country."""
import pytest

from academy.extensions import db
from tests.conftest import PASSWORD, AuthActions


@pytest.fixture
def people(imported_app):
    """Accounts in two states: an admin, coordinators for GE and AM, learners and a trainer."""
    from academy.auth.services import create_user

    specs = {
        "admin": ("admin@example.org", "admin", "AT", {}),
        "coord_ge": ("coord.ge@example.org", "coordinator", "GE", {"scope": "GE"}),
        "coord_am": ("coord.am@example.org", "coordinator", "AM", {"scope": "AM"}),
        "learner_ge": ("nino@example.ge", "learner", "GE", {"name_cyrillic": "Нино Беридзе"}),
        "learner_am": ("anna@example.am", "learner", "AM", {"name_latin": "Anna Petrosyan"}),
        "trainer_ge": ("giorgi@example.ge", "trainer", "GE", {"name_latin": "Giorgi Kapanadze"}),
    }
    ids = {}
    with imported_app.app_context():
        for key, (email, role, country, extra) in specs.items():
            extra = dict(extra)
            scope = extra.pop("scope", "all")
            user = create_user(email=email, password=PASSWORD, role=role, confirmed=True,
                               country=country, organisation="Ministry", **extra)
            user.country_scope = scope
            db.session.flush()
            ids[key] = user.id
        db.session.commit()
    return {key: (ids[key], specs[key][0]) for key in specs}


@pytest.fixture
def signed_in(imported_app, people):
    """Factory: a test client signed in as one of `people` (by key)."""

    def make(key):
        client = imported_app.test_client()
        response = AuthActions(client).login(people[key][1])
        assert response.status_code == 302
        return client

    return make
