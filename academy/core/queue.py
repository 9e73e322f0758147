"""Durable background work: a huey queue in the instance folder (SQLite) or on Redis.

One code path for both: `enqueue(function, *args)` from a request or a command; the task runs
in `academy worker` (or the demo's own consumer) with an app context and a transaction of its
own. A task survives a worker kill: every enqueued task is also written to a journal in the
queue's storage, which a starting consumer re-enqueues when its task is neither queued nor
running. A task is run at most once to completion: its done-marker (`QueueTaskDone`) is
committed in the same transaction as its effect, and the mail it sends is stored with the
marker and delivered afterwards under keys derived from the task id.
"""
import importlib
import json
import os
import socket
import threading
import time
import weakref
from datetime import datetime, timedelta, timezone

from flask import current_app, g, has_app_context
from huey import RedisHuey, SqliteHuey
from huey import signals as S
from huey.consumer import Consumer
from sqlalchemy import delete

from academy.core.queue_models import QueueTaskDone
from academy.extensions import db

JOURNAL = "academy:journal:"
RUNNING = "academy:running:"
_queues = weakref.WeakSet()  # every queue of this process, for wait_for_queue()
_options = {}  # task name -> huey options (retries, retry_delay) from @background_task


def background_task(retries=None, retry_delay=None):
    """Declare a module-level function a background task with its own retry policy (optional:
    any module-level function can be enqueued)."""
    def decorator(func):
        _options[task_name(func)] = {k: v for k, v in
                                     (("retries", retries), ("retry_delay", retry_delay))
                                     if v is not None}
        return func
    return decorator


def task_name(func):
    """The importable name a task is stored under: `module:qualname`."""
    return f"{func.__module__}:{func.__qualname__}"


def resolve_task(name):
    """The function a stored task name refers to (imported on first use in a worker)."""
    module, _, qualname = name.partition(":")
    target = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


class Queue:
    """The app's huey instance, built from its configuration on first use."""

    def __init__(self, app):
        self.app = app
        self._huey = None
        self._lock = threading.Lock()
        self.in_flight = set()
        self.consumer = None
        _queues.add(self)

    @property
    def huey(self):
        """The huey instance (created lazily: the app factory opens no storage)."""
        with self._lock:
            if self._huey is None:
                self._huey = self._create_huey()
        return self._huey

    def _create_huey(self):
        config = self.app.config
        mode = config.get("ACADEMY_QUEUE") or ""
        if mode == "immediate":  # the test suite: tasks run at once, through the same code
            huey = SqliteHuey("academy", results=False, immediate=True)
        elif config.get("ACADEMY_REDIS_URL"):
            huey = RedisHuey("academy", results=False, url=config["ACADEMY_REDIS_URL"])
        else:
            path = config.get("ACADEMY_QUEUE_DATABASE") or os.path.join(
                self.app.instance_path, "queue.db")
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            huey = SqliteHuey("academy", results=False, filename=path)
        app = self.app

        @huey.task(context=True, name="academy.run")
        def run(name, args, task=None):
            run_task(app, name, args, task.id)

        self.run = run
        huey.signal()(self._on_signal)
        return huey

    def _on_signal(self, signal, task, *args):
        storage = self.huey.storage
        if signal == S.SIGNAL_EXECUTING:
            self.in_flight.add(task.id)
            owner = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}
            storage.put_data(RUNNING + task.id, json.dumps(owner).encode())
            return
        if signal in (S.SIGNAL_ENQUEUED, S.SIGNAL_SCHEDULED):
            return
        finished = (signal in (S.SIGNAL_COMPLETE, S.SIGNAL_REVOKED, S.SIGNAL_EXPIRED)
                    or (signal == S.SIGNAL_ERROR and not task.retries))
        storage.delete_data(RUNNING + task.id)
        if finished:
            storage.delete_data(JOURNAL + task.id)
        if signal == S.SIGNAL_ERROR and not task.retries:
            self.app.logger.error("Background task %s (%s) failed for good", task.id, task.args[0])
        self.in_flight.discard(task.id)

    def enqueue_now(self, name, args, task_id=None):
        """Journal and enqueue one task (a given id makes a repeated enqueue harmless)."""
        huey = self.huey
        options = dict(_options.get(name, {}))
        config = self.app.config
        task = self.run.s(name, list(args), id=task_id,
                          retries=options.get("retries", config["ACADEMY_QUEUE_RETRIES"]),
                          retry_delay=options.get("retry_delay",
                                                  config["ACADEMY_QUEUE_RETRY_DELAY"]),
                          retry_backoff=2)
        huey.storage.put_data(JOURNAL + task.id, huey.serialize_task(task))
        huey.enqueue(task)
        return task.id

    def busy(self):
        """True while a task is queued or running in this process's consumer."""
        if self._huey is None or self.consumer is None:
            return bool(self.in_flight)  # work for another process's consumer is not ours
        # The journal also covers a task between its dequeue and its start; a task waiting
        # for a retry is not work in progress.
        journaled = sum(1 for key in self._huey.storage.result_items()
                        if (key.decode() if isinstance(key, bytes) else key).startswith(JOURNAL))
        return journaled > self._huey.scheduled_count()


def init_app(app):
    """Attach the app's queue; tasks enqueued in a request or command start once it ends well."""
    app.extensions["academy_queue"] = Queue(app)

    @app.teardown_appcontext
    def start_enqueued_work(error=None):
        jobs = g.pop("queue_jobs", [])
        if error is None and jobs:
            # End the request's transaction first (as Flask-SQLAlchemy would right after): on
            # SQLite it may hold the write lock the task needs.
            db.session.remove()
            queue = app.extensions["academy_queue"]
            for name, args in jobs:
                queue.enqueue_now(name, args)


def queue_of(app=None):
    """The Queue of `app` (default: the current app)."""
    return (app or current_app).extensions["academy_queue"]


def enqueue(func, *args):
    """Run `func(*args)` in the background once the current request or command has ended
    without error. Arguments must be JSON-like (ids, strings), never model objects."""
    g.setdefault("queue_jobs", []).append((task_name(func), list(args)))


def run_task(app, name, args, task_id):
    """Run one task in its own app context and transaction, at most once to completion."""
    from academy.core.mail import deliver

    with app.app_context():
        try:
            done = db.session.get(QueueTaskDone, task_id)
            if done is None:
                g.queue_task_id, g.queue_outgoing = task_id, []
                resolve_task(name)(*args)
                follow_up = {"mail": g.queue_outgoing, "tasks": g.pop("queue_jobs", [])}
                done = QueueTaskDone(task_id=task_id, name=name[:200], outgoing=follow_up,
                                     finished_at=datetime.now(timezone.utc))
                db.session.add(done)
                db.session.commit()  # the effect and its done-marker, in one transaction
            else:
                follow_up = done.outgoing
            db.session.remove()  # on SQLite an open transaction would lock out the next tasks
            # What the task left to do is redone on a retry; each step is idempotent by its key.
            for index, message in enumerate(follow_up["mail"]):
                deliver(message, f"{task_id}-{index}")
            for index, (job, job_args) in enumerate(follow_up["tasks"]):
                queue_of(app).enqueue_now(job, job_args, task_id=f"{task_id}-task-{index}")
        except Exception:
            db.session.rollback()
            raise
        finally:
            g.pop("queue_jobs", None)  # enqueued above, with ids of their own, not by teardown
            db.session.remove()


def in_task():
    """True inside a running background task (mail is then kept with its done-marker)."""
    return has_app_context() and "queue_outgoing" in g


def recover_interrupted(app, lease_seconds=None):
    """Re-enqueue journaled tasks that are neither queued, scheduled nor running; their count."""
    queue = queue_of(app)
    huey = queue.huey
    lease = lease_seconds if lease_seconds is not None else app.config["ACADEMY_QUEUE_LEASE"]
    waiting = {task.id for task in huey.pending()} | {task.id for task in huey.scheduled()}
    items = huey.storage.result_items()
    recovered = 0
    for key, data in items.items():
        key = key.decode() if isinstance(key, bytes) else key
        if not key.startswith(JOURNAL):
            continue
        task_id = key[len(JOURNAL):]
        owner = items.get(RUNNING + task_id) or items.get((RUNNING + task_id).encode())
        if task_id in waiting or (owner and _owner_alive(json.loads(owner), lease)):
            continue
        huey.storage.delete_data(RUNNING + task_id)
        huey.storage.enqueue(bytes(data), 0)
        recovered += 1
    return recovered


def prune_markers(app, days=30):
    """Forget done-markers and SMTP markers older than `days` (a retry never comes that late)."""
    from academy.core.mail import SENT

    cutoff = datetime.now(timezone.utc) - timedelta(days=days)
    with app.app_context():
        removed = db.session.execute(
            delete(QueueTaskDone).where(QueueTaskDone.finished_at < cutoff)).rowcount
        db.session.commit()
    storage = queue_of(app).huey.storage
    for key, value in storage.result_items().items():
        key = key.decode() if isinstance(key, bytes) else key
        if key.startswith(SENT) and float(bytes(value) or 0) < cutoff.timestamp():
            storage.delete_data(key)
            removed += 1
    return removed


def _owner_alive(owner, lease):
    if time.time() - owner["since"] > lease:
        return False
    if owner["host"] != socket.gethostname():
        return True  # another host's worker: trusted until its lease runs out
    try:
        os.kill(owner["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return owner["pid"] != os.getpid()  # this process runs nothing before it recovers


class _ThreadConsumer(Consumer):
    """A consumer that runs beside a server in the same process (no signal handlers)."""

    def _set_signal_handlers(self):
        pass


def consumer_for(app, workers=1, in_process=False):
    """A huey consumer of the app's queue: worker threads, quick to notice new work."""
    cls = _ThreadConsumer if in_process else Consumer
    return cls(queue_of(app).huey, workers=workers, worker_type="thread",
               initial_delay=0.05, backoff=1.5, max_delay=1.0, scheduler_interval=1,
               periodic=False)


def start_in_process(app, workers=1):
    """Start a consumer on threads of this process (the demo, some tests); returns it."""
    queue = queue_of(app)
    recover_interrupted(app)
    queue.consumer = consumer_for(app, workers, in_process=True)
    queue.consumer.start()
    return queue.consumer


def stop_in_process(app):
    """Stop the consumer started by start_in_process, letting a running task finish."""
    queue = queue_of(app)
    if queue.consumer is not None:
        queue.consumer.stop(graceful=True)
        queue.consumer = None


def wait_for_queue(timeout=None):
    """Block until no queue of this process has work queued or running; True when idle."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while any(queue.busy() for queue in list(_queues)):
        if deadline is not None and time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
