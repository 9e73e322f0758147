"""Fixtures for the certificate tests: a completed course, learners, issued certificates."""
import pytest
from sqlalchemy import select

from academy.extensions import db

NAME_LATIN = "Olena Kovalenko"
NAME_CYRILLIC = "Олена Коваленко"


def complete_course(app, client, slug):
    """Enrol the signed-in learner in `slug` and mark each of its reading modules done."""
    from tests.test_learning import enrol, post_form

    enrol(client, slug)
    with app.app_context():
        from academy.courses.models import Course, Module
        modules = db.session.scalars(select(Module.slug).join(Course).where(Course.slug == slug)
                                     .order_by(Module.position)).all()
    for module in modules:
        post_form(client, f"/courses/{slug}/{module}/", f"/courses/{slug}/{module}/done")


@pytest.fixture
def short_course(app):
    """A published one-module reading course with `certificate: auto`."""
    from tests.test_learning import build_course

    return build_course(app, "short", hours=6.5)


@pytest.fixture
def named_learner(make_user, auth):
    """A signed-in learner with a Latin and a Cyrillic name, reading in Russian."""
    user = make_user(name_latin=NAME_LATIN, name_cyrillic=NAME_CYRILLIC, locale="ru", country="UA")
    auth.login()
    return user


@pytest.fixture
def issued(app, client, short_course, named_learner):
    """The named learner's automatic certificate for the short course."""
    from academy.certificates.models import Certificate

    complete_course(app, client, short_course)
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert certificate is not None
        db.session.expunge(certificate)
        return certificate
