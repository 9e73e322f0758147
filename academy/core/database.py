"""Database engine settings: SQLite pragmas and write locks for a safe embedded default."""
import os

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


def _sqlite_begin(connection):
    # BEGIN IMMEDIATE takes the write lock up front, so two writers wait on busy_timeout
    # instead of one failing with "database is locked" when it upgrades a read lock.
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app):
    """Register the engine hooks and make sure the instance folder exists."""
    if not event.contains(Engine, "connect", _sqlite_connect):
        event.listen(Engine, "connect", _sqlite_connect)
        event.listen(Engine, "begin", _sqlite_begin)
    os.makedirs(app.instance_path, exist_ok=True)
