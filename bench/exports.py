"""Benchmark: streamed CSV and XLSX exports of the learner-progress table, and the overview page,
on `academy dev seed --learners N`, against a plain csv.writer of the same rows from the same
query in the same run.

    .venv/bin/python bench/exports.py [--learners 100000] [--database FILE]

Each export runs in a forked child whose peak RSS is reset first (/proc/self/clear_refs), so the
"RSS growth" is what that export added to the worker. Budgets: CSV <= 2 s, XLSX <= 8 s,
RSS growth <= 64 MiB, overview <= 300 ms (median of 7).
"""
import argparse
import csv
import io
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from academy import create_app  # noqa: E402
from academy.extensions import db  # noqa: E402

PASSWORD = "bench password that is long"


def _status(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _measure(name, url, queue, database):
    """In a child: reset the peak RSS, run one export, report (seconds, bytes, RSS growth)."""
    app = _app(database)
    client = _signed_in(app)  # before measuring: the memory-hard password hash is not the export's
    client.get("/reports/export/course?format=csv").close()  # warm: imports, templates, engine
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM, the peak resident set
    start_rss = _status("VmRSS")
    started = time.perf_counter()
    size = 0
    with app.app_context():
        if url is None:  # the baseline: a plain csv.writer over the same query's rows
            from academy.reports.filters import Filters, ReportScope
            from academy.reports.learners import progress_table

            sink = io.StringIO()
            writer = csv.writer(sink)
            header, rows = progress_table(ReportScope(None, None, True), Filters())
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                if sink.tell() > 1 << 20:
                    size += sink.tell()
                    sink.seek(0)
                    sink.truncate()
            size += sink.tell()
        else:
            response = client.get(url, buffered=False)
            assert response.status_code == 200, response.status_code
            first = None
            for chunk in response.response:
                first = first or time.perf_counter() - started
                size += len(chunk)
            response.close()
    queue.put((name, time.perf_counter() - started, size, _status("VmHWM") - start_rss))


def _app(database):
    return create_app({"DATABASE_URL": f"sqlite:///{database}", "RATELIMIT_ENABLED": False,
                       "SECRET_KEY": "bench"})


def _signed_in(app):
    from tests.conftest import csrf_token

    client = app.test_client()
    page = client.get("/auth/login")
    client.post("/auth/login", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                     "email": "bench-coordinator@example.org",
                                     "password": PASSWORD})
    return client


def prepare(database, learners):
    """Migrate, import courses/, seed, and add a coordinator for all states (once per file)."""
    from flask_migrate import upgrade

    from academy.auth.services import create_user, find_user_by_email
    from academy.courses.services import import_library
    from academy.reports.seed import seed_learners

    app = _app(database)
    with app.app_context():
        upgrade()
        if find_user_by_email("bench-coordinator@example.org") is None:
            import_library(ROOT / "courses")
            started = time.perf_counter()
            counts = seed_learners(learners, seed=1)
            db.session.commit()
            print(f"seeded {counts} in {time.perf_counter() - started:.1f} s")
            create_user("bench-coordinator@example.org", PASSWORD, role="coordinator",
                        confirmed=True)
            db.session.commit()
    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--database", default=None, help="reuse this SQLite file")
    args = parser.parse_args()
    database = args.database or os.path.join(tempfile.mkdtemp(), "bench.db")
    app = prepare(database, args.learners)
    context = multiprocessing.get_context("fork")
    results = {}
    for name, url in (("csv.writer baseline", None),
                      ("CSV export", "/reports/export/learners?format=csv"),
                      ("XLSX export", "/reports/export/learners?format=xlsx")):
        queue = context.Queue()
        child = context.Process(target=_measure, args=(name, url, queue, database))
        child.start()
        results[name] = queue.get()
        child.join()
    base = results["csv.writer baseline"][1]
    print(f"{'what':22} {'seconds':>8} {'x baseline':>10} {'MB out':>8} {'RSS growth MiB':>15}")
    for name, seconds, size, rss in results.values():
        print(f"{name:22} {seconds:8.2f} {seconds / base:10.2f} {size / 1e6:8.1f} {rss / 2**20:15.1f}")
    with app.app_context():
        client = _signed_in(app)
        timings = {}
        for name, url in (("/healthz baseline", "/healthz"), ("overview", "/reports/")):
            client.get(url)
            samples = []
            for _ in range(7):
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                samples.append(time.perf_counter() - started)
            timings[name] = statistics.median(samples)
            print(f"{name:22} {timings[name] * 1000:8.1f} ms (median of 7)")
    budgets = [("CSV <= 2 s", results["CSV export"][1] <= 2),
               ("XLSX <= 8 s", results["XLSX export"][1] <= 8),
               ("RSS growth <= 64 MiB", max(r[3] for r in results.values()) <= 64 * 2**20),
               ("overview <= 300 ms", timings["overview"] <= 0.3)]
    for label, ok in budgets:
        print(f"{'ok  ' if ok else 'OVER'} {label}")


if __name__ == "__main__":
    main()
