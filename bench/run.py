"""Benchmark of issue #12: learner pages and quiz submissions against a hello-world app served by
gunicorn with the same settings (gunicorn.conf.py), on SQLite and on PostgreSQL.

For every row: requests/s as a ratio to the hello-world app at the same concurrency, p50, p99,
and PASS/FAIL against the issue's "resolved at" and "goal" columns. Runs are interleaved
(hello, page, hello, page, ...) and repeated; the medians are printed. Then the RSS (and PSS)
of a worker after 10k mixed requests against a hello-world worker's.

    .venv/bin/python bench/run.py [--db sqlite,postgresql] [--duration 4] [--repeat 3]
                                  [--rows lesson,quiz] [--quiz-takers 12000]

A quiz row whose runs re-used attempts (more submissions than open attempts: a re-used one is
an already-submitted attempt, a cheaper answer) is reported and never passes.

Needs `wrk` (Debian package) and, for PostgreSQL, Debian's server binaries (a private cluster
is started in a temporary folder, as the tests do). The numbers are only comparable within one
run: on a shared or loaded machine both apps slow down, the ratio much less so.
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from seed import USER_AGENT, migrate, seed  # noqa: E402
from tests.ports import free_port  # noqa: E402

THREADS = 2
# (row, path key, connections, signed in, resolved-at ratio, goal ratio, resolved-at p99 in ms)
ROWS = [("lesson page, signed in", "lesson", 16, True, 0.20, 0.30, 50),
        ("course page", "course", 16, True, 0.20, 0.30, None),
        ("dashboard", "dashboard", 16, True, 0.15, 0.25, None),
        ("catalogue, signed in", "catalogue", 16, True, 0.30, 0.40, None),
        ("glossary", "glossary", 16, False, 0.30, 0.40, None),
        ("quiz submission (32 conn.)", "quiz", 32, True, 0.10, 0.15, None),
        ("static CSS", "css", 16, False, 0.60, 0.80, None)]
HEADERS = ["Accept-Encoding: br, gzip", "Sec-Fetch-Site: same-origin", "Accept-Language: en",
           "User-Agent: " + USER_AGENT]
MIXED_REQUESTS = 10_000


class Server:
    """gunicorn with gunicorn.conf.py, on a free port, its access log in `folder`."""

    def __init__(self, name, target, folder, env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(folder / f"{name}.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "--pythonpath", str(BENCH), "-b", f"127.0.0.1:{self.port}", target],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **env, GUNICORN_ACCESSLOG=str(folder / f"{name}.access.log")))
        self.requests = 0

    def wait(self, path="/", seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + path, timeout=5):
                    return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start: see {self.log.name}")

    def workers(self):
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                             capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def memory_kib(pid):
    """(RSS, PSS) of a process in KiB; (0, 0) for a worker replaced meanwhile (max_requests)."""
    values = {}
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return 0, 0
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key] = int(rest.split()[0])
    return values["Rss"], values["Pss"]


def _ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, connections, duration, headers=(), script=None, env=None):
    """Run wrk; returns {rate, p50, p99, requests, errors, reused}."""
    command = ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{duration}s",
               "--timeout", "10s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run(command + [url], capture_output=True, text=True,
                         env=dict(os.environ, **(env or {}))).stdout
    latency = {p: _ms(v, u) for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$",
                                                        out, re.M)}
    socket = re.search(r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", out)
    errors = int(re.search(r"Non-2xx or 3xx responses: (\d+)", out).group(1)) \
        if "Non-2xx" in out else 0
    if socket:
        errors += sum(int(n) for n in socket.groups())
    reused = re.search(r"REUSED (\d+)", out)
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": latency["50"], "p99": latency["99"],
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "errors": errors, "reused": int(reused.group(1)) if reused else 0}


def quiz_files(folder, lines, repeat):
    """One file of distinct open attempts per repetition (and one for the warm-up)."""
    size = len(lines) // (repeat + 1)
    files = []
    for run in range(repeat + 1):
        path = folder / f"quiz-{run}.tsv"
        path.write_text("\n".join(lines[run * size:(run + 1) * size]) + "\n")
        files.append(path)
    return files


def check_session(app, data):
    """A browser keeps its session cookie from page to page unchanged: so must the bench's, or it
    would measure a browser that does not exist, sent a new cookie with every page."""
    headers = dict(header.split(": ", 1) for header in HEADERS + ["Cookie: " + data["cookie"]])
    request = urllib.request.Request(app.url + data["paths"]["lesson"], headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.headers.get("Set-Cookie"):
            sys.exit("bench: the signed-in learner's page sets a new session cookie")


def measure(app, hello, data, folder, args):
    """Interleaved, repeated runs; returns {row: {app: [runs], hello: [runs]}}."""
    check_session(app, data)
    cookie = ["Cookie: " + data["cookie"]]
    quiz = quiz_files(folder, data["quiz"], args.repeat)
    results = {row[0]: {"app": [], "hello": []} for row in rows(args)}
    for run in range(args.repeat + 1):  # run 0 warms both apps up and is not counted
        duration = 1 if run == 0 else args.duration
        for name, key, connections, signed_in, *_ in rows(args):
            base = wrk(hello.url + "/", connections, duration, HEADERS)
            if key == "quiz":
                page = wrk(app.url + "/", connections, duration, HEADERS,
                           script=BENCH / "quiz.lua",
                           env={"BENCH_QUIZ_FILE": str(quiz[run]), "BENCH_THREADS": str(THREADS),
                                "BENCH_USER_AGENT": USER_AGENT})
            else:
                page = wrk(app.url + data["paths"][key], connections, duration,
                           HEADERS + (cookie if signed_in else []))
            app.requests += page["requests"]
            if run:
                results[name]["hello"].append(base)
                results[name]["app"].append(page)
    return results


def rows(args):
    """The ROWS asked for with --rows (all by default)."""
    return [row for row in ROWS if not args.rows or row[1] in args.rows.split(",")]


def report(label, results, workers):
    """Print the table; returns the number of rows that fail the "resolved at" column."""
    print(f"\n{label}: gunicorn.conf.py ({workers} sync workers, preload), wrk {THREADS} threads; "
          "medians of the repetitions")
    print(f"{'page':28} {'conn':>4} {'req/s':>7} {'hello/s':>8} {'× hello':>8} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'errors':>6}  resolved at      goal")
    failures = 0
    for name, _key, connections, _signed, resolved, goal, p99_limit in ROWS:
        if name not in results:
            continue
        runs, bases = results[name]["app"], results[name]["hello"]
        ratio = statistics.median(r["rate"] / b["rate"] for r, b in zip(runs, bases))
        p50 = statistics.median(r["p50"] for r in runs)
        p99 = statistics.median(r["p99"] for r in runs)
        errors = sum(r["errors"] for r in runs)
        reused = sum(r["reused"] for r in runs)
        ok_resolved = (ratio >= resolved and errors == 0 and not reused
                       and (p99_limit is None or p99 < p99_limit))
        ok_goal = ok_resolved and ratio >= goal
        failures += not ok_resolved
        limit = f"≥{resolved:.2f}" + (f", p99<{p99_limit}" if p99_limit else "")
        print(f"{name:28} {connections:4} {statistics.median(r['rate'] for r in runs):7.1f} "
              f"{statistics.median(b['rate'] for b in bases):8.1f} {ratio:8.3f} {p50:8.1f} "
              f"{p99:8.1f} {errors:6}  {'PASS' if ok_resolved else 'FAIL'} {limit:12} "
              f"{'PASS' if ok_goal else 'FAIL'} ≥{goal:.2f}"
              + (f"  (attempts re-used: {reused})" if reused else ""))
    return failures


def memory(app, hello, data, args):
    """Top the app up to 10k mixed requests (or --memory-seconds of them), then compare a
    worker's memory with a hello-world worker's."""
    mixed = Path(tempfile.mkstemp(suffix=".txt")[1])
    mixed.write_text("\n".join(data["paths"][k] for k in
                               ("lesson", "course", "dashboard", "catalogue", "glossary", "css")))
    deadline = time.monotonic() + args.memory_seconds
    while app.requests < MIXED_REQUESTS and time.monotonic() < deadline:
        app.requests += wrk(app.url + "/", 8, 3, HEADERS + ["Cookie: " + data["cookie"]],
                            script=BENCH / "mixed.lua", env={"BENCH_MIXED": str(mixed)})["requests"]
    wrk(hello.url + "/", 8, 2, HEADERS)
    mixed.unlink()
    app_mem = max(memory_kib(pid) for pid in app.workers())
    hello_mem = max(memory_kib(pid) for pid in hello.workers())
    ratio = app_mem[0] / hello_mem[0]
    print(f"memory after {app.requests} requests: largest app worker RSS {app_mem[0] / 1024:.1f} "
          f"MiB (PSS {app_mem[1] / 1024:.1f}), hello worker RSS {hello_mem[0] / 1024:.1f} MiB "
          f"(PSS {hello_mem[1] / 1024:.1f}): {ratio:.2f} × hello RSS "
          f"{'PASS' if ratio <= 1.5 else 'FAIL'} ≤1.5")


def settle(url):
    """After the bulk seed, what the database would do in the background anyway, done before
    measuring rather than during it: PostgreSQL's vacuum and statistics of the new rows, SQLite's
    checkpoint of its write-ahead log."""
    if url.startswith("sqlite"):
        import sqlite3
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    import psycopg
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def bench(label, url, folder, args):
    """Seed, serve both apps, measure, report; returns the failure count."""
    migrate(url, folder)
    started = time.monotonic()
    data = seed(url, folder, args.quiz_takers)
    print(f"{label}: seeded in {time.monotonic() - started:.0f} s "
          f"({len(data['quiz'])} quiz takers with an open attempt)", flush=True)
    settle(url)
    env = {"BENCH_DATABASE_URL": url, "BENCH_MAIL": str(folder / "mail")}
    app = Server(f"{label}-app", "serve_app:app", folder, env)
    hello = Server(f"{label}-hello", "hello:app", folder, env)
    try:
        app.wait("/healthz")
        hello.wait()
        results = measure(app, hello, data, folder, args)
        failures = report(label, results, len(app.workers()))
        memory(app, hello, data, args)
    finally:
        app.stop()
        hello.stop()
    return failures


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", default="",
                        help="row keys to run (lesson,course,dashboard,catalogue,glossary,quiz,"
                             "css); all by default")
    # Enough for the repetitions at well over 1,000 submissions a second (a run uses a quarter).
    parser.add_argument("--quiz-takers", type=int, default=12000,
                        help="learners with an open attempt (each submission uses one)")
    parser.add_argument("--memory-seconds", type=int, default=90,
                        help="at most this long topping the app up to 10k requests")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    failures = 0
    for label in args.db.split(","):
        with tempfile.TemporaryDirectory(prefix="academy-bench-") as tmp:
            folder = Path(tmp)
            if label == "sqlite":
                failures += bench(label, f"sqlite:///{folder / 'bench.db'}", folder, args)
            else:
                from tests.postgres import PostgresServer, _pg_bin
                server = PostgresServer(_pg_bin())
                try:
                    failures += bench(label, server.start(), folder, args)
                finally:
                    server.stop()
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
