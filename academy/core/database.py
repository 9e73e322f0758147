"""Database engine settings: SQLite pragmas and write locks for a safe embedded default."""
import os

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _is_sqlite(dbapi_connection):
    return type(dbapi_connection).__module__.startswith("sqlite3")


def _sqlite_connect(dbapi_connection, _record):
    if not _is_sqlite(dbapi_connection):
        return
    # Take transaction control from pysqlite so that "begin" below is the only BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _reads_only():
    """A GET/HEAD request that has not announced a write (begin_writing)."""
    return (has_request_context() and request.method in READ_METHODS
            and not g.get("sqlite_write", False))


def _sqlite_begin(connection):
    # BEGIN IMMEDIATE takes the write lock up front, so two writers wait on busy_timeout
    # instead of one failing with "database is locked" when it upgrades a read lock. Only
    # transactions that may write take it: a GET reads from its WAL snapshot and lets the
    # writers (quiz submissions) go on (issue #12). CLI commands and tests always take it.
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN" if _reads_only() else "BEGIN IMMEDIATE")


def begin_writing():
    """Before a GET view writes: end its read transaction, so the next one takes the write lock.

    Call it before reading the rows to change (they are expired and read again): a SQLite read
    transaction that later writes can fail at once with "database is locked" when another
    writer committed in between. On PostgreSQL it only ends the read transaction.
    """
    from academy.extensions import db

    if has_request_context():
        g.sqlite_write = True
    db.session.rollback()


def init_app(app):
    """Register the engine hooks and make sure the instance folder exists."""
    if not event.contains(Engine, "connect", _sqlite_connect):
        event.listen(Engine, "connect", _sqlite_connect)
        event.listen(Engine, "begin", _sqlite_begin)
    os.makedirs(app.instance_path, exist_ok=True)
