"""Background tasks used by tests/test_queue.py (importable by a worker subprocess)."""
import os
import time
from pathlib import Path

from academy.core.mail import send_mail
from academy.core.queue import background_task

FLAKY_FAILURES = {}


def mail_after_release(folder):
    """Record the run, compose a mail, then block until `folder/release` exists."""
    folder = Path(folder)
    with (folder / "runs").open("a") as runs:
        runs.write(f"{os.getpid()}\n")
    send_mail("learner@example.org", "Queued", "password_changed", "en", name="Olena",
              reset_link="https://example.org/reset")
    while not (folder / "release").exists():
        time.sleep(0.05)


@background_task(retries=2, retry_delay=7)
def fails_once(key):
    """Raise on the first run for `key`, then mail."""
    FLAKY_FAILURES[key] = FLAKY_FAILURES.get(key, 0) + 1
    if FLAKY_FAILURES[key] == 1:
        raise ConnectionError("first run fails")
    send_mail("learner@example.org", "Retried", "password_changed", "en", name="Olena",
              reset_link="https://example.org/reset")


def fan_out(folder, count):
    """Enqueue `count` mailing tasks (bulk work split into steps)."""
    from academy.core.queue import enqueue

    for _ in range(count):
        enqueue(mail_after_release, folder)
