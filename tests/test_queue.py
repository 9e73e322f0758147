"""The background queue: a real worker killed mid-task, retries, idempotent delivery, Redis."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.core.queue import (JOURNAL, enqueue, queue_of, run_task, start_in_process,
                                stop_in_process, wait_for_queue)
from academy.core.queue_models import QueueTaskDone
from academy.extensions import db
from tests.conftest import csrf_token, make_test_app
from tests.queue_tasks import fails_once, mail_after_release
from tests.test_auth_helpers import outbox
from tests.test_mail import smtp_server  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent


def _wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _journal(app):
    items = queue_of(app).huey.storage.result_items()
    return [k for k in items if (k.decode() if isinstance(k, bytes) else k).startswith(JOURNAL)]


def _done_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(QueueTaskDone))


def _start_worker(tmp_path, database_url):
    env = dict(os.environ, ACADEMY_DATABASE_URL=database_url, ACADEMY_SECRET_KEY="t",
               ACADEMY_QUEUE_DATABASE=str(tmp_path / "queue.db"),
               ACADEMY_MAIL_OUTBOX=str(tmp_path / "mail"), PYTHONPATH=str(ROOT))
    env.pop("ACADEMY_REDIS_URL", None)
    with (tmp_path / "worker.log").open("ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen([sys.executable, "-m", "academy.cli", "worker", "--workers", "1"],
                                env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)


def test_a_task_killed_mid_run_completes_exactly_once_after_a_restart(migrated_template,
                                                                     tmp_path):
    app = make_test_app(migrated_template, tmp_path)
    app.config.update(ACADEMY_QUEUE="", ACADEMY_QUEUE_DATABASE=str(tmp_path / "queue.db"))
    with app.app_context():
        enqueue(mail_after_release, str(tmp_path))  # enqueued when the context ends
    runs = tmp_path / "runs"

    worker = _start_worker(tmp_path, app.config["ACADEMY_DATABASE_URL"])
    try:
        _wait_until(runs.exists, 60, "the worker never started the task")
        worker.send_signal(signal.SIGKILL)  # mid-task: the mail is composed, nothing committed
        worker.wait(10)
    finally:
        worker.kill()
    assert not list((tmp_path / "mail").glob("*.eml")) and _done_count(app) == 0
    assert len(_journal(app)) == 1 and queue_of(app).huey.pending_count() == 0  # lost by huey

    (tmp_path / "release").touch()
    worker = _start_worker(tmp_path, app.config["ACADEMY_DATABASE_URL"])
    try:
        _wait_until(lambda: _done_count(app) == 1 and list((tmp_path / "mail").glob("*.eml")),
                    60, "the restarted worker did not finish the task")
        time.sleep(1.5)  # room for a duplicate run to show
    finally:
        worker.send_signal(signal.SIGINT)  # graceful stop
        worker.wait(20)
    assert len(runs.read_text().split()) == 2  # started twice, completed once:
    [mail] = outbox(app)
    assert mail["Subject"] == "Queued" and _done_count(app) == 1 and _journal(app) == []
    assert "re-enqueued 1 task" in (tmp_path / "worker.log").read_text()


def test_a_retried_task_delivers_its_mail_once(app):
    # A worker killed after the task's commit but before (or during) delivery runs it again:
    # the done-marker keeps the effect from repeating, the delivery key the mail.
    with app.app_context():
        huey = queue_of(app).huey
    task_name = "tests.queue_tasks:mail_after_release"
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    (Path(app.instance_path) / "release").touch()
    for _ in range(3):
        run_task(app, task_name, [app.instance_path], "task-1")
    assert len((Path(app.instance_path) / "runs").read_text().split()) == 1
    [mail] = outbox(app)
    assert mail["Message-ID"] == "<task-1-0@localhost>"
    assert huey.immediate


def test_tasks_a_task_starts_run_once_when_it_is_retried(app):
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "release").touch()
    for _ in range(2):  # the retry of a task killed after its commit
        run_task(app, "tests.queue_tasks:fan_out", [str(folder), 2], "bulk-1")
    assert len((folder / "runs").read_text().split()) == 2
    assert sorted(m["Message-ID"] for m in outbox(app)) == [
        "<bulk-1-task-0-0@localhost>", "<bulk-1-task-1-0@localhost>"]


def test_a_failing_task_is_retried_with_back_off(app):
    with app.app_context():
        enqueue(fails_once, "back-off")
    huey = queue_of(app).huey
    [retry] = huey.scheduled()  # immediate mode keeps a retry in its schedule
    assert retry.retries == 1 and retry.retry_delay == 14  # 7 s, then doubled for the next
    assert 5 < (retry.eta - huey._get_timestamp()).total_seconds() <= 7
    assert outbox(app) == [] and len(_journal(app)) == 1
    huey.execute(retry, timestamp=retry.eta)  # its time has come
    [mail] = outbox(app)
    assert mail["Subject"] == "Retried" and _journal(app) == []


def test_mail_is_enqueued_only_when_the_request_succeeds(app):
    from academy.core.mail import send_mail

    with pytest.raises(RuntimeError):
        with app.test_request_context("/"):
            app.preprocess_request()
            send_mail("a@example.org", "x", "password_changed", "en", name="A", reset_link="l")
            raise RuntimeError("the action failed: its mail must not go out")
    assert outbox(app) == []


def test_the_same_code_path_runs_on_redis(migrated_template, tmp_path, redis_url):
    from huey.storage import RedisStorage

    app = make_test_app(migrated_template, tmp_path)
    # A database of its own on the shared server: other tests' apps enqueue on database 0.
    app.config.update(ACADEMY_QUEUE="", ACADEMY_REDIS_URL=redis_url.rsplit("/", 1)[0] + "/7")
    huey = queue_of(app).huey
    assert isinstance(huey.storage, RedisStorage)
    huey.storage.flush_all()
    with app.app_context():
        from academy.auth.services import create_user
        create_user(email="learner@example.org", password="correct horse battery staple",
                    role="learner", confirmed=True)
        db.session.commit()
    # A task a killed worker had taken off the queue: journaled, no longer queued.
    with app.app_context():
        enqueue(mail_after_release, str(tmp_path))
    (tmp_path / "release").touch()
    assert huey.dequeue() is not None and huey.pending_count() == 0
    start_in_process(app)  # recovers it, then runs the web's tasks too
    try:
        client = app.test_client()
        token = csrf_token(client.get("/auth/reset").get_data(as_text=True))
        client.post("/auth/reset", data={"csrf_token": token, "email": "learner@example.org"})
        _wait_until(lambda: len(list((tmp_path / "mail").glob("*.eml"))) == 2, 30,
                    "the Redis queue delivered nothing")
        assert wait_for_queue(10)
    finally:
        stop_in_process(app)
    subjects = sorted(m["Subject"] for m in outbox(app))
    assert subjects == ["Queued", "Reset your password"]
    assert _journal(app) == [] and _done_count(app) == 2
    huey.storage.flush_all()


def test_a_retried_smtp_delivery_sends_once(app, smtp_server):
    from academy.core.mail import deliver

    message = {"to": "olga@example.org", "subject": "Тема", "body": "Здравствуйте", "lang": "ru",
               "created": "20261130T120000000000"}
    with app.app_context():
        for _ in range(2):  # the second call is the retry of a task killed after sending
            deliver(message, "task-7-0")
    [(recipients, sent)] = smtp_server.messages
    assert recipients == ["olga@example.org"] and sent["Message-ID"] == "<task-7-0@localhost>"


def test_a_failed_smtp_delivery_raises_for_a_retry(app):
    from academy.core.mail import MailNotSent, deliver
    from tests.ports import free_port

    app.config.update(ACADEMY_MAIL_SERVER="127.0.0.1", ACADEMY_MAIL_PORT=free_port())
    message = {"to": "olga@example.org", "subject": "s", "body": "b", "lang": "en",
               "created": "20261130T120000000000"}
    with app.app_context(), pytest.raises(MailNotSent):
        deliver(message, "task-8-0")


def test_old_markers_are_pruned(app):
    from datetime import datetime, timedelta, timezone

    from academy.core.mail import SENT
    from academy.core.queue import prune_markers

    old = datetime.now(timezone.utc) - timedelta(days=40)
    with app.app_context():
        db.session.add_all([QueueTaskDone(task_id="old", name="t", finished_at=old),
                            QueueTaskDone(task_id="new", name="t",
                                          finished_at=datetime.now(timezone.utc))])
        db.session.commit()
    storage = queue_of(app).huey.storage
    storage.put_data(SENT + "old-0", str(old.timestamp()).encode())
    storage.put_data(SENT + "new-0", str(time.time()).encode())
    assert prune_markers(app) == 2
    with app.app_context():
        assert db.session.scalars(select(QueueTaskDone.task_id)).all() == ["new"]
    assert storage.has_data_for_key(SENT + "new-0") and not storage.has_data_for_key(SENT + "old-0")


def test_an_unknown_queue_mode_refuses_to_start(tmp_path):
    from academy import create_app
    from academy.config import ConfigError

    with pytest.raises(ConfigError, match="ACADEMY_QUEUE must be empty"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                    "QUEUE": "rq"})
