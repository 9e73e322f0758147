"""The authoring workflow on PostgreSQL: save, stale save, submit, return, publish, history."""
import pytest

from academy.extensions import db
from tests.authoring_fixtures import COURSE, EMAILS, MODULE, Author
from tests.conftest import PASSWORD
from tests.course_fixtures import SAMPLE_LIBRARY

pytestmark = pytest.mark.postgres


def test_authoring_workflow_on_postgresql(postgres_url, tmp_path):
    from flask_migrate import upgrade

    from academy import create_app
    from academy.auth.services import create_user
    from academy.authoring.models import AuthoringDraft
    from academy.courses.assignments import assign
    from academy.courses.models import Course, Module
    from academy.courses.services import import_library

    app = create_app({"TESTING": True, "MFA_REQUIRED_ROLES": "", "DATABASE_URL": postgres_url, "SECRET_KEY": "test",
                      "RATELIMIT_ENABLED": False, "MAIL_OUTBOX": str(tmp_path / "mail")})
    with app.app_context():
        upgrade()
        import_library(SAMPLE_LIBRARY)
        course = db.session.scalar(db.select(Course).filter_by(slug=COURSE))
        for who in ("author", "reviewer", "coordinator"):
            user = create_user(email=EMAILS[who], password=PASSWORD, confirmed=True,
                               role="coordinator" if who == "coordinator" else "trainer")
            if who != "coordinator":
                assign(course, user, who)
        db.session.commit()
    try:
        author, coordinator = Author(app, "author"), Author(app, "coordinator")
        _r, text_en, text_ru, token = author.editor()
        _r, _en, _ru, token_second = coordinator.editor()
        assert author.post("save", text_en + "\nOn PostgreSQL.\n", text_ru, token
                           ).status_code == 302
        assert coordinator.post("save", text_en + "\nLost?\n", text_ru, token_second
                                ).status_code == 409
        _r, text_en, text_ru, token = author.editor()
        author.post("submit", text_en, text_ru, token)
        reviewer = Author(app, "reviewer")
        reviewer.review_post("return", comment="Fine, but say more.")
        _r, text_en, text_ru, token = author.editor()
        author.post("submit", text_en + "More.\n", text_ru, token)
        assert reviewer.review_post("publish").status_code == 302
        with app.app_context():
            module = db.session.scalar(db.select(Module).filter_by(slug=MODULE))
            assert module.current_version.number == 2
            assert "On PostgreSQL." in module.current_version.content("en").source
            draft = db.session.scalar(db.select(AuthoringDraft))
            assert draft.status == "published" and draft.contributor_ids == [
                db.session.scalar(db.text("select id from \"user\" where email = :e"),
                                  {"e": EMAILS["author"]})]
        history = author.client.get(f"/author/{COURSE}/{MODULE}/history?from=1&to=2&lang=en")
        assert "<ins>On PostgreSQL.</ins>" in history.get_data(as_text=True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
