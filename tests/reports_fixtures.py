"""A seeded site for the reports tests: the sample library, synthetic learners, and accounts
for each kind of viewer. Built once per test module (registered in conftest's pytest_plugins)."""
from dataclasses import dataclass

import pytest

from tests.conftest import PASSWORD

NASTY_NAMES = ('=HYPERLINK("http://x","y")', "@SUM(1)")


@dataclass
class ReportsSite:
    app: object
    ge_learner_id: int = 0  # a learner in Georgia (the injection names)
    am_learner_id: int = 0


def seed_site(app, learners=300, seed=11):
    """Import the sample library, seed learners and add the viewers; returns a ReportsSite."""
    from academy.auth.services import create_user
    from academy.courses.services import import_library
    from academy.extensions import db
    from academy.learning import services as learning
    from academy.learning.services import course_modules, get_course
    from tests.course_fixtures import SAMPLE_COURSE, SAMPLE_LIBRARY

    site = ReportsSite(app)
    with app.app_context():
        import_library(SAMPLE_LIBRARY)
        result = app.test_cli_runner().invoke(
            args=["dev", "seed", "--learners", str(learners), "--seed", str(seed),
                  "--until", "2026-06-30"])
        assert result.exit_code == 0, result.output
        for email, role, scope in (("coord-ge@example.org", "coordinator", "GE"),
                                   ("coord-am@example.org", "coordinator", "AM"),
                                   ("coord-all@example.org", "coordinator", "all"),
                                   ("trainer@example.org", "trainer", "all"),
                                   ("learner@example.org", "learner", "all")):
            user = create_user(email, PASSWORD, role=role, confirmed=True, name_latin=email)
            user.country_scope = scope
        course = get_course(SAMPLE_COURSE)
        ge = create_user("nasty@example.org", PASSWORD, confirmed=True, name_latin=NASTY_NAMES[0],
                         name_cyrillic="Нино Беридзе", country="GE", organisation=NASTY_NAMES[1])
        enrolment, _ = learning.enrol(ge.id, course)
        learning.record_module_opened(enrolment, course_modules(course)[0])
        am = create_user("am-learner@example.org", PASSWORD, confirmed=True,
                         name_latin="Armen Petrosyan", country="AM", organisation="Migration Service")
        learning.enrol(am.id, course)
        db.session.commit()
        site.ge_learner_id, site.am_learner_id = ge.id, am.id
    return site


@pytest.fixture(scope="module")
def reports_site(migrated_template, tmp_path_factory):
    """A ReportsSite shared by a test module (tests must not write to it)."""
    from academy.extensions import db
    from tests.conftest import make_test_app

    app = make_test_app(migrated_template, tmp_path_factory.mktemp("reports-site"))
    site = seed_site(app)
    yield site
    with app.app_context():
        db.engine.dispose()


def login(client, email):
    """Sign `email` in through the real form."""
    from tests.conftest import csrf_token

    page = client.get("/auth/login")
    response = client.post("/auth/login", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client
