"""`academy demo`: migrate, import the shipped library, one account per role; twice is harmless."""
from academy import create_app
from academy.auth.models import User
from academy.courses.models import Course, ModuleVersion
from academy.extensions import db


def test_demo_prepares_everything_and_is_harmless_twice(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
                      "SECRET_KEY": "test"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    for role in ("learner", "trainer", "coordinator", "admin"):
        assert f"{role}@demo.academy" in first.output
    with app.app_context():
        courses = db.session.scalar(db.select(db.func.count()).select_from(Course))
        versions = db.session.scalar(db.select(db.func.count()).select_from(ModuleVersion))
        assert courses >= 1
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ModuleVersion)) == versions
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 4
        db.engine.dispose()


def test_demo_refuses_production(tmp_path, monkeypatch):
    monkeypatch.setenv("ACADEMY_ENV", "production")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "SECRET_KEY": "a-real-secret"})
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code != 0
    assert "refuses to run" in result.output
