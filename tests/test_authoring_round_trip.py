"""Files stay the source of truth: every shipped course, edited and published in the browser,
exports to files that `academy courses check` accepts and that re-import with no change."""
from pathlib import Path

import pytest

from academy.courses.models import Course, Module
from academy.extensions import db
from tests.authoring_fixtures import Author, EMAILS

LIBRARY = Path(__file__).resolve().parent.parent / "courses"
SHIPPED = sorted(path.name for path in LIBRARY.iterdir() if (path / "course.yml").is_file())


@pytest.fixture
def shipped_app(app, make_user):
    """The shipped library imported; an author and a reviewer assigned to every course."""
    from academy.auth.services import find_user_by_email
    from academy.courses.assignments import assign
    from academy.courses.services import import_library

    make_user(email=EMAILS["author"], role="trainer", name_latin="Author")
    make_user(email=EMAILS["reviewer"], role="trainer", name_latin="Reviewer")
    with app.app_context():
        import_library(LIBRARY)
        for course in db.session.scalars(db.select(Course)):
            assign(course, find_user_by_email(EMAILS["author"]), "author")
            assign(course, find_user_by_email(EMAILS["reviewer"]), "reviewer")
        db.session.commit()
    return app


def test_every_shipped_course_round_trips_after_a_browser_edit(shipped_app, runner, tmp_path):
    from academy.courses.services import import_library

    assert len(SHIPPED) >= 3
    author, reviewer = Author(shipped_app, "author"), Author(shipped_app, "reviewer")
    for slug in SHIPPED:
        with shipped_app.app_context():
            module = db.session.scalar(db.select(Module).join(Module.course).where(
                Course.slug == slug, Module.kind == "lesson").order_by(Module.position))
            module_slug = module.slug
        _r, text_en, text_ru, token = author.editor(slug, module_slug)
        edited = text_en + "\nEdited in the browser for the round trip.\n"
        ru = text_ru + "\nИзменено в браузере.\n"
        assert author.post("translated", edited, ru, token, slug, module_slug).status_code == 302
        _r, text_en, text_ru, token = author.editor(slug, module_slug)
        assert author.post("submit", text_en, text_ru, token, slug, module_slug).status_code == 302
        assert reviewer.review_post("publish", slug, module_slug).status_code == 302
        with shipped_app.app_context():
            assert db.session.scalar(db.select(Module).filter_by(
                slug=module_slug)).current_version.number == 2
        out = tmp_path / slug
        result = runner.invoke(args=["courses", "export", slug, str(out)])
        assert result.exit_code == 0, result.output
        written = next((out / slug).glob(f"*-{module_slug}/en.md")).read_text(encoding="utf-8")
        assert written == edited
        check = runner.invoke(args=["courses", "check", str(out / slug)])
        assert check.exit_code == 0, check.output
        assert "error:" not in check.output and "out of date" not in check.output
        with shipped_app.app_context():
            summary = import_library(out / slug)
            assert not summary.changed, str(summary)
