"""Benchmark of issue #8: certificate issue, PDF rendering and /verify against same-run baselines.

- bulk issue of N certificates (records + signed OB 3.0 credentials + queued e-mails, no PDFs),
  one transaction, through the set-based path the coordinator's bulk issue uses; budget 5 s;
- rendering N PDFs (en, ru, bilingual), ms per certificate, against a one-line reportlab PDF in
  the same run; budget 25 ms;
- /verify/<code> throughput under gunicorn (gunicorn.conf.py, as bench/run.py) against
  bench/hello.py served with the same settings: wrk, interleaved runs, medians; budget 0.5 ×.

Wall time and CPU time (time.process_time) are printed for the in-process parts, with the load
average: the machine may be shared.

    .venv/bin/python bench/certificates.py [--count 1000] [--duration 3] [--repeat 5] [--skip render,verify]
"""
import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from academy import create_app  # noqa: E402
from academy.extensions import db  # noqa: E402
from import_library import migrated_database  # noqa: E402
from run import HEADERS, Server, wrk  # noqa: E402

BULK_BUDGET_SECONDS, PDF_BUDGET_MS, VERIFY_BUDGET_RATIO = 5.0, 25.0, 0.5
VERIFY_CONNECTIONS = 16


def verdict(ok):
    return "PASS" if ok else "FAIL"


def load():
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def build_app(folder, count):
    """An app with one course and `count` learners who completed it."""
    from academy.auth.services import create_user
    from academy.courses.models import Course
    from academy.learning.models import CourseCompletion

    database = migrated_database(folder)
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "MAIL_OUTBOX": str(folder / "mail")})
    app.instance_path = str(folder / "instance")
    with app.app_context():
        create_user("coordinator@example.org", None, role="admin", confirmed=True)
        one_by_one = Course(slug="bench-one-by-one", title_en="Baseline", title_ru="Базовый",
                            summary_en="", summary_ru="", thematic_area="border-management",
                            pass_mark=70, certificate_policy="auto", estimated_hours=1,
                            valid_as_of=date(2026, 11, 1), content_hash="bench")
        db.session.add(one_by_one)
        course = Course(slug="bench", title_en="Integrated Border Management: Principles and Practice",
                        title_ru="Комплексное управление границами: принципы и практика",
                        summary_en="", summary_ru="", thematic_area="border-management",
                        pass_mark=70, certificate_policy="auto", estimated_hours=6.5,
                        valid_as_of=date(2026, 11, 1), content_hash="bench")
        db.session.add(course)
        db.session.flush()
        for number in range(count):
            user = create_user(f"learner{number}@example.org", None, confirmed=True,
                               name_latin=f"Olena Kovalenko-{number}",
                               name_cyrillic=f"Олена Коваленко-{number}", locale="ru")
            db.session.flush()
            db.session.add(CourseCompletion(user_id=user.id, course_id=course.id, content_version=1))
            if number < count // 10:
                db.session.add(CourseCompletion(user_id=user.id, course_id=one_by_one.id,
                                                content_version=1))
        db.session.commit()
    return app


def one_by_one(app, count):
    """(wall s, CPU s) of issuing `count` certificates one by one (services.issue_certificate,
    as the automatic issue does), for another course, one transaction: the same-run baseline."""
    from academy.auth.models import User
    from academy.certificates import keys
    from academy.certificates.services import issue_certificate
    from academy.courses.models import Course

    with app.app_context():
        keys.ensure_key()
        keys.signing_key()
        course = db.session.scalar(db.select(Course).where(Course.slug == "bench-one-by-one"))
        users = db.session.scalars(db.select(User).where(User.email.in_(
            [f"learner{number}@example.org" for number in range(count)]))).all()
        wall, cpu = time.perf_counter(), time.process_time()
        for user in users:
            issue_certificate(user, course, "bench")
        db.session.commit()
        return time.perf_counter() - wall, time.process_time() - cpu


def bulk_issue(app, count):
    """(wall s, CPU s) of a coordinator's bulk issue to `count` learners, one transaction, and
    (wall s, CPU s) including the commit that queues the learners' e-mails."""
    from academy.auth.models import User
    from academy.certificates import bulk, keys
    from academy.certificates.models import Certificate
    from academy.courses.models import Course

    emails = "\n".join(f"learner{number}@example.org" for number in range(count))
    with app.app_context():
        keys.ensure_key()
        keys.signing_key()  # the key file is read once per process, not per issue
        course = db.session.scalar(db.select(Course).where(Course.slug == "bench"))
        admin = db.session.scalar(db.select(User).where(User.role == "admin"))
        wall, cpu = time.perf_counter(), time.process_time()
        rows = bulk.issue_all(course, bulk.parse_list(emails), admin, "bench")
        issued = time.perf_counter() - wall, time.process_time() - cpu
        db.session.commit()  # queues the learners' e-mails too
        done = time.perf_counter() - wall, time.process_time() - cpu
        assert sum(row.outcome == bulk.ISSUED for row in rows) == count, {r.outcome for r in rows}
        assert db.session.scalar(db.select(db.func.count(Certificate.credential_jwt))
                                 .where(Certificate.course_id == course.id)) == count
        again = bulk.issue_all(course, bulk.parse_list(emails), admin, "bench")
        assert all(row.outcome == bulk.HAS for row in again)
        db.session.rollback()
    return issued, done


def render_all(app, lang):
    """(ms per certificate PDF wall, CPU; ms per one-line reportlab PDF wall, CPU; bytes)."""
    from reportlab.pdfgen.canvas import Canvas

    from academy.certificates.models import Certificate
    from academy.certificates.pdf import render_certificate

    with app.app_context():
        certificates = db.session.scalars(db.select(Certificate)
                                          .where(Certificate.course_slug == "bench")).all()
        render_certificate(certificates[0], lang)  # fonts registered, caches warm
        wall, cpu = time.perf_counter(), time.process_time()
        size = 0
        for certificate in certificates:
            size = len(render_certificate(certificate, lang))
        count = len(certificates)
        per_certificate = ((time.perf_counter() - wall) / count * 1000,
                           (time.process_time() - cpu) / count * 1000)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        buffer = io.BytesIO()
        canvas = Canvas(buffer)
        canvas.drawString(72, 720, "Hello, world!")
        canvas.showPage()
        canvas.save()
    baseline = ((time.perf_counter() - wall) / count * 1000,
                (time.process_time() - cpu) / count * 1000)
    return per_certificate, baseline, size


def server_cpu_seconds(server):
    """CPU seconds used so far by a gunicorn server: master, live workers and reaped workers."""
    ticks = os.sysconf("SC_CLK_TCK")

    def fields(pid):
        # After the ") " that ends the command name: state is field 3; utime, stime, cutime and
        # cstime are fields 14-17 of /proc/<pid>/stat.
        return Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2].split()

    master = fields(server.process.pid)
    total = sum(int(value) for value in master[11:15])
    for pid in server.workers():
        try:
            total += sum(int(value) for value in fields(pid)[11:13])
        except FileNotFoundError:  # replaced meanwhile (max_requests); counted in cutime
            pass
    return total / ticks


def measured(server, url, duration, **script):
    """wrk's result, with the server's CPU milliseconds per request added."""
    before = server_cpu_seconds(server)
    result = wrk(url, VERIFY_CONNECTIONS, duration, HEADERS, **script)
    result["cpu_ms"] = (server_cpu_seconds(server) - before) * 1000 / max(result["requests"], 1)
    return result


def verify_throughput(app, folder, args):
    """Runs of /verify/<random code> and of bench/hello.py: [(verify, hello)] wrk results."""
    from academy.certificates.models import Certificate

    with app.app_context():
        codes = db.session.scalars(db.select(Certificate.code)).all()
        url = str(db.engine.url)
        db.engine.dispose()
    (folder / "codes.txt").write_text("\n".join(codes) + "\n")
    env = {"BENCH_DATABASE_URL": url, "BENCH_MAIL": str(folder / "mail")}
    academy = Server("app", "serve_app:app", folder, env)
    hello = Server("hello", "hello:app", folder, env)
    script = dict(script=ROOT / "bench" / "verify.lua", env={"BENCH_CODES": str(folder / "codes.txt")})
    runs = []
    try:
        academy.wait("/healthz")
        hello.wait()
        for run in range(args.repeat + 1):  # run 0 warms both up and is not counted
            duration = 1 if run == 0 else args.duration
            # Alternate the order (hello first, then verify first) so that a drifting load
            # on the shared machine does not favour one of the two.
            if run % 2:
                page = measured(academy, academy.url + "/", duration, **script)
                base = measured(hello, hello.url + "/", duration)
            else:
                base = measured(hello, hello.url + "/", duration)
                page = measured(academy, academy.url + "/", duration, **script)
            if page["errors"]:
                raise SystemExit(f"/verify answered {page['errors']} errors")
            if run:
                runs.append((page, base))
    finally:
        academy.stop()
        hello.stop()
    return runs


def main():
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip", default="", help="comma-separated: issue-only parts to skip "
                                                   "(render, verify)")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    with tempfile.TemporaryDirectory(prefix="academy-bench-") as tmp:
        folder = Path(tmp)
        app = build_app(folder, args.count)
        print(f"{load()} before", flush=True)
        single = args.count // 10
        base_wall, base_cpu = one_by_one(app, single)
        print(f"baseline: {single} certificates issued one by one (issue_certificate, with "
              f"commit and e-mails): {base_wall:.2f} s wall, {base_cpu:.2f} s CPU = "
              f"{base_wall / single * 1000:.1f} ms each, {base_wall / single * args.count:.1f} s "
              f"per {args.count} wall   ({load()})", flush=True)
        (wall, cpu), (wall_all, cpu_all) = bulk_issue(app, args.count)
        print(f"bulk issue of {args.count} (records + signed credentials + audit, no PDFs): "
              f"{wall:.2f} s wall, {cpu:.2f} s CPU ({wall / args.count * 1000:.2f} ms each); "
              f"with the commit that queues {args.count} e-mails: {wall_all:.2f} s wall, "
              f"{cpu_all:.2f} s CPU   budget {BULK_BUDGET_SECONDS:g} s: "
              f"{verdict(wall_all <= BULK_BUDGET_SECONDS)}   ({load()})", flush=True)
        if "render" not in skip:
            for lang in ("en", "ru", "bilingual"):
                (per, per_cpu), (base, base_cpu), size = render_all(app, lang)
                print(f"render {args.count} PDFs ({lang}): {per:.1f} ms wall, {per_cpu:.1f} ms "
                      f"CPU per certificate; one-line reportlab PDF {base:.2f} ms wall, "
                      f"{base_cpu:.2f} ms CPU (ratio {per_cpu / base_cpu:.0f}x CPU); "
                      f"{size // 1024} KB   budget {PDF_BUDGET_MS:g} ms: "
                      f"{verdict(per <= PDF_BUDGET_MS)}   ({load()})", flush=True)
        if "verify" not in skip:
            runs = verify_throughput(app, folder, args)
            ratios = [page["rate"] / base["rate"] for page, base in runs]
            ratio = statistics.median(ratios)
            verify = statistics.median(page["rate"] for page, _base in runs)
            hello = statistics.median(base["rate"] for _page, base in runs)
            verify_cpu = statistics.median(page["cpu_ms"] for page, _base in runs)
            hello_cpu = statistics.median(base["cpu_ms"] for _page, base in runs)
            print(f"/verify/<code> under gunicorn (gunicorn.conf.py, wrk {VERIFY_CONNECTIONS} "
                  f"connections, {args.repeat} interleaved runs of {args.duration} s, medians): "
                  f"{verify:.0f} req/s, bench/hello.py {hello:.0f} req/s, ratio {ratio:.2f} "
                  f"(runs: {', '.join(f'{r:.2f}' for r in ratios)})   "
                  f"budget {VERIFY_BUDGET_RATIO:g}: {verdict(ratio >= VERIFY_BUDGET_RATIO)}   "
                  f"({load()})")
            print(f"  server CPU per request (gunicorn master + workers): /verify {verify_cpu:.2f} "
                  f"ms, hello {hello_cpu:.2f} ms, CPU ratio {hello_cpu / verify_cpu:.2f} "
                  f"(less sensitive to the other load on the machine)")


if __name__ == "__main__":
    main()
