"""A real, private Redis server for the tests of shared state between workers.

Uses ACADEMY_TEST_REDIS_URL when set; otherwise starts Debian's redis-server on a free port.
Missing Redis skips the tests locally and fails them under CI (CI=1).
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from tests.ports import free_port



@pytest.fixture(scope="session")
def redis_url():
    """URL of a running Redis server (database 0, flushed by the tests that need it)."""
    url = os.environ.get("ACADEMY_TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Redis is required under CI but redis-server is not installed")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="academy-redis-")
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", workdir],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(5)
        shutil.rmtree(workdir, ignore_errors=True)
