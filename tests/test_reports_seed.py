"""`academy dev seed`: deterministic, realistic, refused in production."""
from sqlalchemy import func, select

from academy.auth.models import User
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment
from tests.conftest import make_test_app
from tests.course_fixtures import SAMPLE_LIBRARY


def _seeded(migrated_template, folder, seed):
    from academy.courses.services import import_library

    folder.mkdir()
    app = make_test_app(migrated_template, folder)
    with app.app_context():
        import_library(SAMPLE_LIBRARY)
    result = app.test_cli_runner().invoke(
        args=["dev", "seed", "--learners", "300", "--seed", str(seed), "--until", "2026-06-30"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        users = db.session.execute(select(User.email, User.name_latin, User.name_cyrillic,
                                          User.country, User.organisation, User.created_at)
                                   .order_by(User.id)).all()
        enrolments = db.session.execute(select(Enrolment.user_id, Enrolment.created_at)
                                        .order_by(Enrolment.id)).all()
        completions = db.session.scalar(select(func.count(CourseCompletion.id)))
        db.engine.dispose()
    return app, users, enrolments, completions


def test_seed_is_deterministic_and_realistic(migrated_template, tmp_path):
    app, users, enrolments, completions = _seeded(migrated_template, tmp_path / "a", 3)
    _, again, enrolments_again, _ = _seeded(migrated_template, tmp_path / "b", 3)
    assert users == again and enrolments == enrolments_again
    assert len(users) == 300 and len(enrolments) > 250 and completions > 0
    assert any(u.name_cyrillic for u in users) and any(u.name_latin for u in users)
    assert len({u.country for u in users}) > 15
    months = {e.created_at.strftime("%Y-%m") for e in enrolments}
    assert len(months) > 18  # spread over two years
    _, other, _, _ = _seeded(migrated_template, tmp_path / "c", 4)
    assert other != users
    # The same seed twice in one database is refused, with a message.
    result = app.test_cli_runner().invoke(args=["dev", "seed", "--learners", "5", "--seed", "3"])
    assert result.exit_code != 0 and "already used" in result.output


def test_seed_refused_in_production_and_without_courses(migrated_template, tmp_path, monkeypatch):
    app = make_test_app(migrated_template, tmp_path)
    result = app.test_cli_runner().invoke(args=["dev", "seed", "--learners", "5"])
    assert result.exit_code != 0 and "import them first" in result.output
    app.config["ACADEMY_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["dev", "seed", "--learners", "5"])
    assert result.exit_code != 0 and "refused" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
        db.engine.dispose()
