"""Database engine settings: SQLite pragmas and write locks for a safe embedded default, and
single reads outside the request's transaction."""
import atexit
import os
import threading
import time
from weakref import WeakKeyDictionary

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError


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


# A page's first read is often its only one (a content version, a certificate's facts): it
# needs no transaction, and a pool checkout, session and rollback cost several times the query.
# Each thread keeps its own connection in autocommit for such reads: thread -> (engine, pid,
# connection). The registry, not the thread, holds them: a thread that ended has its connection
# closed when the next one is opened, rather than dropped open with the thread.
_held = {}
_held_lock = threading.Lock()
_inherited = []  # connections that came through a fork belong to the parent: never closed here
_compiled = WeakKeyDictionary()  # engine -> {statement: _compile(statement, its dialect)}


def read_one(statement, **values):
    """The first row of the select `statement` with bind parameters `values`, or None.

    It is read outside the request's transaction, on this thread's own connection in autocommit:
    it sees the last commit, never what the request itself has not committed yet. Results are
    processed by the column types as Connection.execute would.
    """
    from academy.extensions import db

    engine = db.engine
    kept = _compiled.setdefault(engine, {})
    entry = kept.get(statement)
    if entry is None:
        entry = kept[statement] = _compile(statement, engine.dialect)
    sql, binds, positional, processors = entry
    # Each parameter: its value in `values`, or the literal the statement was built with.
    parameters = {name: values[key] if key in values else literal for name, key, literal in binds}
    if positional:
        parameters = tuple(parameters[name] for name in positional)
    # (The cursor's description is built anew on each call: only the first one needs it.)
    row, description = _execute(engine, sql, parameters, processors is None)
    if processors is None:
        processors = entry[3] = [
            column.type.dialect_impl(engine.dialect).result_processor(engine.dialect, item[1])
            for column, item in zip(statement.selected_columns, description)]
    if row is None:
        return None
    return tuple(process(value) if process else value for process, value in zip(processors, row))


def _compile(statement, dialect):
    """[SQL, (name, key, literal) of each parameter, positional order or None, None]."""
    compiled = statement.compile(dialect=dialect)
    binds = tuple((name, bind.key, bind.effective_value) for name, bind in compiled.binds.items())
    return [compiled.string, binds, compiled.positiontup if dialect.positional else None, None]


def _execute(engine, sql, parameters, describe):
    """(first row or None, cursor description if `describe`); a connection the server dropped
    is replaced once."""
    for retry in (False, True):
        connection = _connection(engine)
        try:
            cursor = connection.cursor()
            try:
                # Listeners that count or log statements (the statement-count tests) see it too.
                engine.dispatch.before_cursor_execute(None, cursor, sql, parameters, None, False)
                cursor.execute(sql, parameters)
                return cursor.fetchone(), cursor.description if describe else None
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error as error:
            dropped = engine.dialect.is_disconnect(error, connection.dbapi_connection, None)
            _held.pop(threading.current_thread(), None)
            connection.close()
            if retry or not dropped:
                raise


def _connection(engine):
    thread = threading.current_thread()
    held = _held.get(thread)
    if held is not None and held[0] is engine and held[1] == os.getpid():
        return held[2]
    with _held_lock:
        for other, (_engine, pid, connection) in list(_held.items()):
            if other is thread or not other.is_alive():
                del _held[other]
                if pid == os.getpid():
                    connection.close()  # another app's engine in this thread (tests), or a
                else:                   # thread that ended
                    _inherited.append(connection)
    connection = engine.raw_connection()
    connection.detach()  # ours for good: closing it closes it
    engine.dialect.set_isolation_level(connection.dbapi_connection, "AUTOCOMMIT")
    _held[thread] = (engine, os.getpid(), connection)
    return connection


@atexit.register
def _close_held():
    """A worker that exits says goodbye to the server."""
    for _engine, pid, connection in list(_held.values()):
        if pid == os.getpid():
            connection.close()


# A server can drop a connection (a restart, a failover). The pool checks a connection before
# handing it out only when it sat unused this long: checking every one costs a round trip per
# request (one in eight of a quiz submission's). A connection in steady use that the server
# dropped fails its next statement, and the pool then replaces every connection older than that.
IDLE_CHECK_SECONDS = 10


def _checked_in(_dbapi_connection, record):
    record.info["idle_since"] = time.monotonic()


def _check_if_idle(dialect):
    def check(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since >= IDLE_CHECK_SECONDS:
            try:
                dialect.do_ping(dbapi_connection)
            except dialect.loaded_dbapi.Error as error:  # the pool connects afresh
                raise DisconnectionError(str(error)) from error
    return check


def init_app(app):
    """Register the engine hooks and make sure the instance folder exists."""
    from academy.extensions import db

    if not event.contains(Engine, "connect", _sqlite_connect):
        event.listen(Engine, "connect", _sqlite_connect)
        event.listen(Engine, "begin", _sqlite_begin)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name != "sqlite":  # a file cannot be dropped
                event.listen(engine.pool, "checkin", _checked_in)
                event.listen(engine.pool, "checkout", _check_if_idle(engine.dialect))
    os.makedirs(app.instance_path, exist_ok=True)
