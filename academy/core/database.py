"""Database engine settings: SQLite pragmas and write locks for a safe embedded default."""
import fcntl
import os
import threading
import time

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool


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
        if _reads_only():
            connection.exec_driver_sql("BEGIN")
        else:
            _take_writer_turn(connection)
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class WriterTurns:
    """Writers to one SQLite file take turns on a lock file before BEGIN IMMEDIATE.

    SQLite's own wait for the write lock sleeps in growing steps (up to 100 ms a retry) and
    then finds the lock long free: under many parallel quiz submissions that, not the work,
    made the slowest ones take a second (issue #12). A writer here waits on an flock polled
    every half millisecond and goes in as soon as the previous one commits. A thread that
    already holds the turn through another connection, or a wait past the busy timeout, goes
    on to SQLite's own wait as before: nothing can deadlock on the lock file.
    """

    POLL = 0.0005

    def __init__(self, path, timeout):
        self.path, self.timeout = path, timeout
        self.local = threading.Lock()  # the threads of one process (a threaded server)
        self.owner = None
        self.fd = None

    def take(self):
        """True once this thread has the turn; False to leave the wait to SQLite."""
        if self.owner == threading.get_ident():
            return False
        deadline = time.monotonic() + self.timeout
        if not self.local.acquire(timeout=self.timeout):
            return False
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            self.local.release()
            return False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    self.local.release()
                    return False
                time.sleep(self.POLL)
        self.fd, self.owner = fd, threading.get_ident()
        return True

    def give(self):
        """End the turn (closing the file releases the flock)."""
        fd, self.fd, self.owner = self.fd, None, None
        try:
            os.close(fd)
        finally:
            self.local.release()


_turns = {}  # database file -> WriterTurns
_turns_guard = threading.Lock()


def _writer_turns(connection):
    database = connection.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    with _turns_guard:
        if database not in _turns:
            _turns[database] = WriterTurns(database + "-writers.lock", 15.0)
        return _turns[database]


def _take_writer_turn(connection):
    turns = _writer_turns(connection)
    if turns is not None and turns.take():
        connection.info["writer_turn"] = turns


def _give_writer_turn(connection):
    turns = connection.info.pop("writer_turn", None)
    if turns is not None:
        turns.give()


def _give_writer_turn_of_record(_dbapi_connection, record, *_args):
    """A connection returned, closed or invalidated mid-transaction ends its turn too."""
    turns = record.info.pop("writer_turn", None) if record is not None else None
    if turns is not None:
        turns.give()


def _after_fork_in_child():
    """A forked worker starts with no turn of its parent's."""
    _turns.clear()


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
        event.listen(Engine, "commit", _give_writer_turn)
        event.listen(Engine, "rollback", _give_writer_turn)
        for name in ("reset", "close", "invalidate"):
            event.listen(Pool, name, _give_writer_turn_of_record)
        os.register_at_fork(after_in_child=_after_fork_in_child)
    os.makedirs(app.instance_path, exist_ok=True)
