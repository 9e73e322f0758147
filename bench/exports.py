"""Benchmark: streamed CSV and XLSX exports of the learner-progress table, and the overview page,
on `academy dev seed --learners N`, against a plain csv.writer of the same rows from the same
query in the same run.

    .venv/bin/python bench/exports.py [--learners 100000] [--database FILE]

Each export runs in a forked child whose peak RSS is reset first (/proc/self/clear_refs), so the
"RSS growth" is what that export added to the worker. Exports go through the test client (the
real view, streamed); the overview is timed twice: the whole page through the test client
(signed in, rendered) and the service alone. Wall and CPU time (time.process_time) are both
printed with the load average, because the machine may be shared. Budgets (wall time): CSV <= 2 s,
XLSX <= 8 s, RSS growth <= 64 MiB, overview page <= 300 ms (median of 7).
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
    started, cpu = time.perf_counter(), time.process_time()
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
    queue.put((name, time.perf_counter() - started, time.process_time() - cpu, size,
               _status("VmHWM") - start_rss))


def _app(database):
    return create_app({"DATABASE_URL": f"sqlite:///{database}", "RATELIMIT_ENABLED": False,
                       "SECRET_KEY": "bench", "MFA_REQUIRED_ROLES": ""})


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

    from sqlalchemy import func, select

    from academy.auth.models import User
    from academy.reports.summary import rebuild

    app = _app(database)
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).where(User.email.like("seed%"))):
            import_library(ROOT / "courses")
            started = time.perf_counter()
            counts = seed_learners(learners, seed=1)
            rebuild()  # as `academy dev seed` does
            db.session.commit()
            print(f"seeded {counts} in {time.perf_counter() - started:.1f} s")
        if find_user_by_email("bench-coordinator@example.org") is None:
            create_user("bench-coordinator@example.org", PASSWORD, role="coordinator",
                        confirmed=True)
            db.session.commit()
    return app


def _timed(call, times=7):
    """Median wall and CPU seconds of `call` over `times` runs (after one warm-up run)."""
    call()
    walls, cpus = [], []
    for _ in range(times):
        started, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _load():
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--database", default=None, help="reuse this SQLite file")
    args = parser.parse_args()
    database = args.database or os.path.join(tempfile.mkdtemp(), "bench.db")
    app = prepare(database, args.learners)
    print(f"{_load()} before the exports")
    context = multiprocessing.get_context("fork")
    results = {}
    for name, url in (("csv.writer baseline", None),
                      ("CSV export", "/reports/export/learners?format=csv"),
                      ("XLSX export", "/reports/export/learners?format=xlsx")):
        queue = context.Queue()
        child = context.Process(target=_measure, args=(name, url, queue, database))
        child.start()
        results[name] = queue.get(timeout=3600)  # a failed child raises queue.Empty, no hang
        child.join()
    base = results["csv.writer baseline"][1]
    print(f"{_load()} after the exports ({os.cpu_count()} CPUs)")
    print(f"{'what':24} {'wall s':>8} {'CPU s':>8} {'x baseline':>10} {'MB out':>8} "
          f"{'RSS growth MiB':>15}")
    for name, seconds, cpu, size, rss in results.values():
        print(f"{name:24} {seconds:8.2f} {cpu:8.2f} {seconds / base:10.2f} {size / 1e6:8.1f} "
              f"{rss / 2**20:15.1f}")
    with app.app_context():
        from academy.reports.filters import Filters, ReportScope
        from academy.reports.services import overview

        client = _signed_in(app)
        timings = {}
        for name, call in (
                ("/healthz (baseline)", lambda: client.get("/healthz")),
                ("overview page (client)", lambda: _ok(client.get("/reports/"))),
                ("overview service", lambda: overview(ReportScope(None, None, True), Filters())),
                ("overview, GE + ru", lambda: _ok(client.get("/reports/?country=GE&lang=ru"))),
                ("overview, partial range", lambda: _ok(
                    client.get("/reports/?from=2025-03-15&to=2025-11-20")))):
            timings[name] = _timed(call)
            print(f"{name:24} {timings[name][0] * 1000:8.1f} ms wall {timings[name][1] * 1000:8.1f}"
                  f" ms CPU (median of 7)")
    print(_load())
    # Verdicts on wall time (the budget) and on CPU time (what one idle core would take: on a
    # shared, loaded machine the wall time also counts the time spent waiting for a core).
    page = timings["overview page (client)"]
    budgets = [("CSV <= 2 s", results["CSV export"][1], results["CSV export"][2], 2),
               ("XLSX <= 8 s", results["XLSX export"][1], results["XLSX export"][2], 8),
               ("overview page <= 300 ms", page[0], page[1], 0.3)]
    for label, wall, cpu, limit in budgets:
        print(f"{'PASS' if wall <= limit else 'FAIL'} {label} (wall {wall:.3f} s); "
              f"{'PASS' if cpu <= limit else 'FAIL'} on CPU time ({cpu:.3f} s)")
    rss = max(r[4] for r in results.values())
    print(f"{'PASS' if rss <= 64 * 2**20 else 'FAIL'} RSS growth <= 64 MiB ({rss / 2**20:.1f} MiB)")


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


if __name__ == "__main__":
    main()
