"""Production gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app`.

Environment overrides: GUNICORN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers),
GUNICORN_TIMEOUT (seconds), GUNICORN_ACCESSLOG ("-" for stderr, a path, or "off"),
GUNICORN_MAX_REQUESTS (requests before a worker is replaced, default 100,000; 0: never).
"""
import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the app is CPU-bound and short; two per core keeps both cores busy while one
# worker waits on the database, plus one for the request that waits on the network.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# The app (templates, translations, Markdown parser) is loaded once in the master and shared
# copy-on-write by the workers; database connections are opened after the fork (post_fork).
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 2
# Several servers (the bench runs two) must not fight over one control socket.
control_socket_disable = True
# A worker is replaced after this many requests (with jitter so they do not restart together):
# a bound on any slow growth of memory. Rarely: a fresh worker starts with cold caches and copies
# the pages it touches, and replacing one every 5,000 requests put 50-80 ms into the p99 of every
# page under load (bench/run.py, issue #12), while a worker's memory stayed flat over 16,000.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
_accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
accesslog = None if _accesslog == "off" else _accesslog
# Time in ms, and the request id the app sets on every response (X-Request-ID), which is also in
# the security log lines: one id follows a request through the proxy, this log and the app's.
access_log_format = ('%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s" '
                     'rid=%({x-request-id}o)s')


def when_ready(server):
    """In the master, with the app preloaded: compile its templates once for every worker (a
    worker compiling its own costs its first pages about half a second in all)."""
    app = getattr(server.app, "callable", None)
    # Only for the Academy (already imported by the preload): never load it into another app.
    if getattr(app, "import_name", None) == "academy":
        from academy.core.preload import compile_templates

        server.log.info("compiled %d templates", compile_templates(app))
    # What the master holds now lives as long as the workers: out of the collector's sight, a
    # worker's collections do not write to (and so copy) the pages it shares with the master.
    gc.freeze()


def post_fork(server, worker):
    """Drop any database connection the preloading master opened: never share one across fork."""
    app = getattr(server.app, "callable", None)
    extensions = getattr(app, "extensions", {}) if app is not None else {}
    sqlalchemy = extensions.get("sqlalchemy")
    if sqlalchemy is None:
        return
    with app.app_context():
        for engine in sqlalchemy.engines.values():
            engine.dispose(close=False)
