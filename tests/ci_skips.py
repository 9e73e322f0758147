"""Under CI (CI=1) a skipped PostgreSQL test fails the run: the second database is never optional."""
import os

import pytest

_skipped_postgres = []


def pytest_runtest_logreport(report):
    if report.skipped and "postgres" in report.keywords:
        _skipped_postgres.append(report.nodeid)


def pytest_terminal_summary(terminalreporter):
    if _skipped_postgres:
        terminalreporter.section("PostgreSQL tests skipped")
        for nodeid in _skipped_postgres:
            terminalreporter.line(nodeid)


def pytest_sessionfinish(session, exitstatus):
    controller = not hasattr(session.config, "workerinput")
    if controller and os.environ.get("CI") and _skipped_postgres:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config):
    """On PostgreSQL, a test's database is dropped WITH (FORCE) after it; a connection some object
    still held is then closed by the server, and psycopg warns when the object is collected."""
    from tests.databases import ON_POSTGRES

    if ON_POSTGRES:
        config.addinivalue_line(
            "filterwarnings", "ignore:.*was deleted while still open:ResourceWarning")
