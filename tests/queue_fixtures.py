"""Fixtures of the background queue: a real consumer on threads beside the test's requests."""
import pytest


@pytest.fixture
def queue_consumer(app, tmp_path):
    """Switch `app` from immediate tasks to a real SQLite queue with an in-process consumer.

    For tests of what a request must not do itself (the production web process only enqueues).
    """
    from academy.core.queue import start_in_process, stop_in_process

    app.config["ACADEMY_QUEUE"] = ""
    app.config["ACADEMY_QUEUE_DATABASE"] = str(tmp_path / "queue.db")
    consumer = start_in_process(app)
    yield consumer
    stop_in_process(app)
