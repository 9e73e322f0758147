"""App core: configuration layers, health, headers, migrations."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from itsdangerous import BadSignature

from academy import MIGRATIONS_DIR, create_app
from academy.config import ConfigError
from academy.extensions import db
from tests.databases import sqlite_only


def test_factory_has_no_side_effects_on_the_database(tmp_path):
    path = tmp_path / "never.db"
    create_app({"DATABASE_URL": f"sqlite:///{path}"})
    assert not path.exists()


def test_environment_overrides_instance_file_and_test_mapping_wins(tmp_path, monkeypatch):
    app = create_app({"TESTING": True})
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "academy.toml").write_text('base_url = "https://from-file.example"\nmail_port = 2525\n')
    monkeypatch.setattr("flask.Flask.instance_path", str(instance), raising=False)
    from academy.config import load_config

    assert load_config(instance)["BASE_URL"] == "https://from-file.example"
    monkeypatch.setenv("ACADEMY_BASE_URL", "https://from-env.example")
    assert load_config(instance)["BASE_URL"] == "https://from-env.example"
    assert load_config(instance, {"BASE_URL": "https://test"})["BASE_URL"] == "https://test"
    assert load_config(instance)["MAIL_PORT"] == 2525
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_production_refuses_a_missing_or_short_secret_key(monkeypatch):
    monkeypatch.setenv("ACADEMY_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("ACADEMY_SECRET_KEY", "x" * 31)
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        create_app()
    monkeypatch.setenv("ACADEMY_SECRET_KEY", "a-long-random-value-for-production-use")
    assert create_app().config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("env", ["prod", "Production", "staging", ""])
def test_unknown_environment_refuses_to_start(monkeypatch, env):
    monkeypatch.setenv("ACADEMY_ENV", env)
    monkeypatch.setenv("ACADEMY_SECRET_KEY", "a-long-random-value-for-production-use")
    with pytest.raises(ConfigError, match="ACADEMY_ENV must be one of"):
        create_app()


def test_development_key_is_random_per_instance_and_kept(tmp_path, monkeypatch):
    """Without ACADEMY_SECRET_KEY outside production: a generated key, never a constant."""
    import os

    from academy.config import load_config

    monkeypatch.delenv("ACADEMY_SECRET_KEY", raising=False)
    monkeypatch.delenv("ACADEMY_ENV", raising=False)
    first = load_config(tmp_path / "one")["SECRET_KEY"]
    assert len(first) >= 48
    assert load_config(tmp_path / "one")["SECRET_KEY"] == first
    assert load_config(tmp_path / "two")["SECRET_KEY"] != first
    assert os.stat(tmp_path / "one" / "secret_key").st_mode & 0o077 == 0
    from pathlib import Path

    import academy.config

    assert first not in Path(academy.config.__file__).read_text(encoding="utf-8")


def test_bad_integer_setting_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("ACADEMY_MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="ACADEMY_MAIL_PORT must be an integer"):
        create_app()


def test_healthz_reports_app_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"app": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_security_headers_forbid_inline_script(client):
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_kind_of_response_carries_the_headers_once(client):
    """Pages, errors and redirects alike: each security header and the request id, once (a
    view's own policy stays alone: test_offline_copy_is_one_self_contained_file)."""
    for path in ("/", "/no-such-page", "/dashboard", "/courses"):
        response = client.get(path)
        for name in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy",
                     "X-Request-ID"):
            assert len(response.headers.getlist(name)) == 1, (path, name)
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/dashboard").status_code == 302


def test_the_session_signer_is_built_once_and_follows_a_new_key(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"lang": "ru"})
    app.secret_key = "another key of the same instance, rotated"
    second = interface.get_signing_serializer(app)
    assert second is not first and second.loads(second.dumps({"a": 1})) == {"a": 1}
    with pytest.raises(BadSignature):
        second.loads(cookie)  # signed with the old key


@sqlite_only
def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(app):
    with app.app_context():
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(db.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(db.text("PRAGMA busy_timeout")).scalar() >= 5000


def test_migrations_have_one_head():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def _drift(app):
    from academy.search.models import include_in_autogenerate

    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_name": include_in_autogenerate})
            return compare_metadata(context, db.metadata)


def test_models_and_migrations_do_not_drift(app):
    assert _drift(app) == []


@pytest.mark.postgres
def test_migrations_run_and_match_models_on_postgresql(postgres_url):
    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url})
    with app.app_context():
        upgrade()
        assert db.session.execute(db.text("SELECT 1")).scalar() == 1
    assert _drift(app) == []
    assert app.test_client().get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_migrations_downgrade_to_base_and_up_again_on_postgresql(postgres_url):
    from flask_migrate import downgrade

    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_migrations_downgrade_to_base_and_up_again_on_sqlite(tmp_path):
    from flask_migrate import downgrade

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'updown.db'}"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = db.session.execute(db.text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'alembic_version'")).scalars().all()
        db.session.remove()
        assert tables == []  # every migration takes back what it made
        upgrade()
        db.session.remove()
        db.engine.dispose()
    assert _drift(app) == []
    with app.app_context():
        db.engine.dispose()


def test_templates_compile_once_before_the_workers_fork(app):
    """gunicorn.conf.py's when_ready compiles every template in the master (core/preload.py):
    all of them compile, and a worker finds each one already compiled."""
    from academy.core.preload import compile_templates

    count = compile_templates(app)
    assert count >= 50
    compiled = {template.name for template in app.jinja_env.cache.values()}
    assert {"base.html", "learning/module.html", "certificates/verify.html"} <= compiled
    assert app.jinja_env.get_template("base.html") is app.jinja_env.get_template("base.html")
