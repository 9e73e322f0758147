"""Course fixtures for any test: the sample library in tests/data/courses, imported or copied.

Use them with `from tests.course_fixtures import imported_app` (or `course_library`).
"""
import shutil
from pathlib import Path

import pytest

SAMPLE_LIBRARY = Path(__file__).parent / "data" / "courses"
SAMPLE_COURSE = "sample-course"


@pytest.fixture
def imported_app(app):
    """The `app` fixture with the sample library (glossary + sample-course) imported."""
    from academy.courses.services import import_library

    with app.app_context():
        import_library(SAMPLE_LIBRARY)
    return app


@pytest.fixture
def course_library(tmp_path):
    """A writable copy of the sample library, for tests that edit course files."""
    root = tmp_path / "library"
    shutil.copytree(SAMPLE_LIBRARY, root)
    return root
