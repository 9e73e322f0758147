"""Pooled connections on the production database: one the server dropped while it sat unused is
replaced before a request gets it, and one in steady use costs no check (issue #12)."""
import psycopg
import pytest
from sqlalchemy import text

from academy.core import database
from academy.extensions import db

pytestmark = pytest.mark.postgres


def test_only_a_connection_that_sat_unused_is_checked_and_a_dropped_one_is_replaced(
        postgres_url, monkeypatch):
    from academy import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url, "SECRET_KEY": "pg"})
    with app.app_context():
        dialect = db.engine.dialect
        pings = []
        real_ping = dialect.do_ping
        monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(1)
                            or real_ping(connection))

        def backend():
            pid = db.session.scalar(text("SELECT pg_backend_pid()"))
            db.session.remove()  # back to the pool
            return pid

        first = backend()
        for _ in range(5):
            assert backend() == first
        assert pings == []  # in steady use: no round trip to check it
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        monkeypatch.setattr(database, "IDLE_CHECK_SECONDS", 0)
        replaced = backend()
        assert replaced != first and len(pings) == 1
        db.engine.dispose()
