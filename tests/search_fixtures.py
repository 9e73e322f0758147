"""The shipped course library (plus the English-only sample course) imported once per run."""
from pathlib import Path

import pytest

from academy.extensions import db
from tests import databases
from tests.conftest import make_test_app
from tests.course_fixtures import SAMPLE_LIBRARY, SAMPLE_COURSE

LIBRARY = Path(__file__).resolve().parent.parent / "courses"


def import_both(app):
    """Import the shipped library, then the sample course (one module in English only)."""
    from academy.courses.services import import_library

    with app.app_context():
        import_library(LIBRARY)
        import_library(SAMPLE_LIBRARY / SAMPLE_COURSE)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def library_template(migrated_template, tmp_path_factory):
    """A migrated SQLite database with the libraries imported (through the real import)."""
    folder = tmp_path_factory.mktemp("library")
    app = make_test_app(migrated_template, folder)
    import_both(app)
    return databases.template_of(app, migrated_template)


@pytest.fixture
def library_app(library_template, tmp_path):
    """A fresh app on its own copy of the imported library."""
    app = make_test_app(library_template, tmp_path)
    yield app
    databases.release(app)
