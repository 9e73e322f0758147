"""deploy/backup.sh and deploy/restore.sh: back up, wipe, restore and compare, on both databases."""
import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from academy import create_app
from academy.auth.services import create_user
from academy.courses.services import import_library
from academy.extensions import db
from tests import databases
from tests.course_fixtures import SAMPLE_LIBRARY

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def script_env(url, instance):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACADEMY_")}
    env.update(ACADEMY_DATABASE_URL=url, ACADEMY_INSTANCE=str(instance),
               ACADEMY_PYTHON=sys.executable)
    return env


def run_script(name, argument, url, instance):
    return subprocess.run([str(DEPLOY / name), str(argument)], env=script_env(url, instance),
                          capture_output=True, text=True, timeout=120)


def snapshot(url):
    """{table: (row count, digest of every row in primary-key order)} of the whole schema."""
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    result = {}
    with app.app_context():
        tables = list(db.metadata.sorted_tables) + [db.Table(
            "alembic_version", db.MetaData(), db.Column("version_num", db.String(32)))]
        for table in tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = db.session.execute(select(table).order_by(*order)).all()
            digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
            result[table.name] = (len(rows), digest)
        db.session.remove()
        db.engine.dispose()
    return result


def seeded_database(url):
    """Migrate `url`, import the sample library and add two accounts."""
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        import_library(SAMPLE_LIBRARY)
        create_user(email="learner@example.org", password="correct horse battery staple",
                    role="learner", confirmed=True, name_cyrillic="Олена Коваленко")
        create_user(email="admin@example.org", password="correct horse battery staple",
                    role="admin", confirmed=True)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def instance_folder(path):
    path.mkdir()
    (path / "secret_key").write_text("k" * 64)
    (path / "academy.toml").write_text('mail_sender = "Academy <academy@example.org>"\n')
    (path / "mail").mkdir()
    (path / "mail" / "1.eml").write_bytes(b"Subject: kept\r\n\r\nbody")
    return path


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request, tmp_path):
    """(database URL, wipe) on SQLite or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "data" / "academy.db"
        path.parent.mkdir()

        def wipe():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return f"sqlite:///{path}", wipe
    url = request.getfixturevalue("postgres_url")
    server = request.getfixturevalue("postgres_server_url")
    name = url.rpartition("/")[2]

    def wipe():
        databases.drop_postgres_database(server, name)
        with databases._connect(server) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # empty, as after a lost disk

    return url, wipe


def test_backup_wipe_restore_gives_back_every_row_and_the_keys(target, tmp_path):
    url, wipe = target
    instance = instance_folder(tmp_path / "instance")
    seeded_database(url)
    before, kept = snapshot(url), files(instance)
    assert before["user"][0] == 2 and before["question"][0] > 0 and before["audit_event"][0] > 0

    made = run_script("backup.sh", tmp_path / "backups", url, instance)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert backup.is_dir() and stat.S_IMODE(backup.stat().st_mode) & 0o077 == 0  # owner only
    assert (backup / "SHA256SUMS").read_text().count("\n") == 2

    wipe()
    shutil.rmtree(instance)
    restored = run_script("restore.sh", backup, url, instance)
    assert restored.returncode == 0, restored.stderr

    assert snapshot(url) == before
    assert files(instance) == kept
    # The restored database keeps working: sequences continue past the restored rows.
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        create_user(email="after@example.org", password="correct horse battery staple",
                    role="learner", confirmed=True)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_a_damaged_backup_is_refused_and_nothing_is_touched(tmp_path):
    path = tmp_path / "academy.db"
    url = f"sqlite:///{path}"
    instance = instance_folder(tmp_path / "instance")
    seeded_database(url)
    backup = Path(run_script("backup.sh", tmp_path / "backups", url, instance).stdout.strip())
    damaged = bytearray((backup / "database.sqlite3").read_bytes())
    damaged[-100] ^= 0xFF
    (backup / "database.sqlite3").write_bytes(bytes(damaged))
    before = snapshot(url)
    refused = run_script("restore.sh", backup, url, instance)
    assert refused.returncode != 0 and "FAILED" in refused.stdout + refused.stderr
    assert snapshot(url) == before
