"""A real, throw-away PostgreSQL server for the tests that need the production database.

Uses ACADEMY_TEST_POSTGRES_URL when set; otherwise starts a private cluster with Debian's
PostgreSQL binaries. Where neither exists the tests are skipped — except under CI (CI=1),
where a missing PostgreSQL is a failure, never a skip.
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

from tests.ports import free_port



def _pg_bin():
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(candidates[-1]) if candidates else None


def _as_postgres_user():
    """initdb refuses to run as root: drop to the 'postgres' account when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        return None

    def demote():
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)

    return account, demote


class PostgresServer:
    """A private PostgreSQL cluster in a temporary folder."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.dir = tempfile.mkdtemp(prefix="academy-pg-")
        self.port = free_port()
        self.user = "academy"
        demotion = _as_postgres_user()
        self.preexec = None
        if demotion:
            account, self.preexec = demotion
            os.chown(self.dir, account.pw_uid, account.pw_gid)

    def _run(self, *args):
        subprocess.run(args, check=True, preexec_fn=self.preexec,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self):
        data = os.path.join(self.dir, "data")
        self._run(f"{self.bindir}/initdb", "-D", data, "-U", self.user, "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8")
        self._run(f"{self.bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(self.dir, "log"),
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                        "-c synchronous_commit=off -c full_page_writes=off", "start")
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def stop(self):
        subprocess.run([f"{self.bindir}/pg_ctl", "-D", os.path.join(self.dir, "data"), "-m",
                        "immediate", "stop"], preexec_fn=self.preexec,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server_url():
    """URL of the maintenance database of a running PostgreSQL server."""
    url = os.environ.get("ACADEMY_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required under CI but no server binaries were found")
        pytest.skip("PostgreSQL binaries not installed (apt-get install postgresql)")
    server = PostgresServer(bindir)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server_url):
    """A fresh, empty database on the test server, dropped afterwards."""
    import psycopg

    name = "academy_" + uuid.uuid4().hex[:12]
    admin_url = postgres_server_url
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _db = admin_url.rpartition("/")
    yield f"{base}/{name}"
    deadline = time.monotonic() + 10
    with psycopg.connect(admin_url, autocommit=True) as conn:
        while True:
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.errors.ObjectInUse:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
