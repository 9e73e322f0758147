"""The database every ordinary test runs on: SQLite files, or PostgreSQL databases.

`ACADEMY_TEST_DATABASE=postgresql` moves the `app` fixture (and every fixture built with
`make_test_app`) onto the private PostgreSQL cluster of `tests/postgres.py`: the migrations run
once into a template database, and each test gets its own `CREATE DATABASE … TEMPLATE …` copy.
"""
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ENGINE = os.environ.get("ACADEMY_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
if ENGINE not in ("sqlite", "postgresql"):
    raise RuntimeError(f"ACADEMY_TEST_DATABASE must be sqlite or postgresql, got {ENGINE!r}")
ON_POSTGRES = ENGINE == "postgresql"

# For the few tests of SQLite's own settings and files; each has a PostgreSQL counterpart or
# nothing to prove there.
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite-specific (ACADEMY_TEST_DATABASE)")


@dataclass(frozen=True)
class PostgresTemplate:
    """A database on the test cluster that new test databases are cloned from."""

    server_url: str  # the maintenance database of the cluster
    name: str

    def url(self, name=None):
        base, _, _ = self.server_url.rpartition("/")
        return f"{base}/{name or self.name}"


def _connect(server_url):
    import psycopg

    return psycopg.connect(server_url, autocommit=True)


def create_postgres_database(server_url, template=None):
    """A new, uniquely named database (a copy of `template` when given); returns its name."""
    name = "academy_" + uuid.uuid4().hex[:12]
    clause = f' TEMPLATE "{template}"' if template else ""
    with _connect(server_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{clause}')
    return name


def drop_postgres_database(server_url, name):
    """Drop a test database, ending the connections still open to it."""
    import psycopg

    deadline = time.monotonic() + 10
    with _connect(server_url) as conn:
        while True:
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except psycopg.errors.ObjectInUse:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def clone_database(template, folder):
    """URL of a fresh copy of `template` (a SQLite file or a PostgresTemplate) for one app."""
    if isinstance(template, PostgresTemplate):
        return template.url(create_postgres_database(template.server_url, template.name))
    path = Path(folder) / "academy.db"
    Path(folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def template_of(app, template):
    """The database of `app` as a template for further copies (its connections closed)."""
    from academy.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    url = app.config["ACADEMY_DATABASE_URL"]
    if isinstance(template, PostgresTemplate):
        return PostgresTemplate(template.server_url, url.rpartition("/")[2])
    return Path(url.removeprefix("sqlite:///"))


def release(app):
    """Close the app's connections and drop its PostgreSQL database (a SQLite file stays)."""
    from academy.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    server_url = app.config.get("TEST_POSTGRES_SERVER")
    if server_url:
        drop_postgres_database(server_url, app.config["ACADEMY_DATABASE_URL"].rpartition("/")[2])



@contextmanager
def statements(app):
    """The SQL statements `app` runs inside the block: yields their (growing) list."""
    from sqlalchemy import event

    from academy.extensions import db

    run = []

    def before(_connection, _cursor, sql, *_args):
        run.append(sql)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield run
    finally:
        event.remove(engine, "before_cursor_execute", before)
