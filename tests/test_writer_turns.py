"""SQLite writers take turns on a lock file before BEGIN IMMEDIATE (academy.core.database):
the turn ends with the transaction however it ends, another process waits for it, and a thread
that already has the turn never waits for itself."""
import fcntl
import os
import subprocess
import sys
import textwrap
import time

from sqlalchemy import create_engine, text

from academy.core import database


def _engine(path):
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS t (n INTEGER)"))
    return engine


def _lock_is_free(path):
    fd = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_the_turn_ends_with_commit_rollback_and_return_to_the_pool(app, tmp_path):
    engine = _engine(tmp_path / "a.db")
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        assert "writer_turn" in connection.info and not _lock_is_free(tmp_path / "a.db")
        connection.commit()
        assert _lock_is_free(tmp_path / "a.db")
        connection.execute(text("INSERT INTO t VALUES (2)"))
        connection.rollback()
        assert _lock_is_free(tmp_path / "a.db")
        connection.execute(text("INSERT INTO t VALUES (3)"))
    # Closed mid-transaction: the pool's reset ends the turn.
    assert _lock_is_free(tmp_path / "a.db")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t")).scalars().all() == [1]


def test_a_second_connection_of_the_same_thread_does_not_wait_for_itself(app, tmp_path):
    engine = _engine(tmp_path / "b.db")
    with engine.connect() as first, engine.connect() as second:
        first.execute(text("SELECT 1"))  # the first holds the turn (and SQLite's write lock)
        started = time.monotonic()
        second.connection.dbapi_connection.execute("PRAGMA busy_timeout=200")
        try:
            second.execute(text("INSERT INTO t VALUES (1)"))
        except Exception as error:  # SQLite's own answer: locked, after its busy timeout
            assert "locked" in str(error)
        assert time.monotonic() - started < 5
        assert "writer_turn" not in second.info
        first.rollback()


def test_another_process_waits_for_the_turn_and_then_goes_in(app, tmp_path):
    path = tmp_path / "c.db"
    engine = _engine(path)
    script = textwrap.dedent(f"""
        import time
        from sqlalchemy import create_engine, event, text
        from sqlalchemy.engine import Engine
        from academy.core import database
        event.listen(Engine, "begin", database._sqlite_begin)
        event.listen(Engine, "commit", database._give_writer_turn)
        engine = create_engine("sqlite:///{path}")
        # SQLite alone would give up after 50 ms: only the turn makes this writer wait seconds.
        # (The turn ends as the other's COMMIT starts: the 50 ms cover the COMMIT itself.)
        event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout=50"))
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        print(time.time())
    """)
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                 text=True)
        time.sleep(3.0)
        assert other.poll() is None  # waiting for the turn
        committed = time.time()
        connection.commit()
    went_in = float(other.communicate(timeout=30)[0])
    assert other.returncode == 0 and committed <= went_in < committed + 10
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]
    assert database.WriterTurns.POLL <= 0.001
