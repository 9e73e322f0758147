"""Benchmark: certificate issue, PDF rendering and /verify against same-run baselines.

- bulk issue of N certificates (records + signed OB 3.0 credentials, no PDFs), one transaction;
- rendering N PDFs, in ms per certificate, against a one-line reportlab PDF in the same run;
- /verify/<code> throughput under gunicorn (2 sync workers) against a hello-world route.

    .venv/bin/python bench/certificates.py [--count 1000] [--requests 400] [--clients 8]
"""
import argparse
import io
import multiprocessing
import random
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
from pages import Client, concurrent, free_port, serve, wait_until_up  # noqa: E402


def build_app(folder, count):
    """An app with one course and `count` learners who completed it."""
    from academy.auth.services import create_user
    from academy.courses.models import Course
    from academy.learning.models import CourseCompletion

    database = migrated_database(folder)
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "MAIL_OUTBOX": str(folder / "mail")})
    app.instance_path = str(folder / "instance")
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "Hello, world!")
    with app.app_context():
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
        db.session.commit()
    return app


def bulk_issue(app):
    """Seconds to issue every learner's certificate in one transaction (mail sent after commit)."""
    from academy.auth.models import User
    from academy.certificates import keys
    from academy.certificates.services import issue_certificate
    from academy.courses.models import Course

    with app.app_context():
        keys.ensure_key()
        course = db.session.scalar(db.select(Course))
        users = db.session.scalars(db.select(User)).all()
        start = time.perf_counter()
        for user in users:
            issue_certificate(user, course, "bench")
        issued = time.perf_counter()
        db.session.commit()  # writes the learners' e-mails too
        done = time.perf_counter()
    return issued - start, done - start


def render_all(app, lang):
    """(ms per certificate PDF, ms per one-line reportlab PDF, bytes of one certificate)."""
    from reportlab.pdfgen.canvas import Canvas

    from academy.certificates.models import Certificate
    from academy.certificates.pdf import render_certificate

    with app.app_context():
        certificates = db.session.scalars(db.select(Certificate)).all()
        render_certificate(certificates[0], lang)  # fonts registered, caches warm
        start = time.perf_counter()
        size = 0
        for certificate in certificates:
            size = len(render_certificate(certificate, lang))
        per_certificate = (time.perf_counter() - start) / len(certificates) * 1000
    start = time.perf_counter()
    for _ in range(len(certificates)):
        buffer = io.BytesIO()
        canvas = Canvas(buffer)
        canvas.drawString(72, 720, "Hello, world!")
        canvas.showPage()
        canvas.save()
    baseline = (time.perf_counter() - start) / len(certificates) * 1000
    return per_certificate, baseline, size


def verify_throughput(app, requests, clients):
    """(requests per second for /verify/<code>, for hello-world)."""
    from academy.certificates.models import Certificate

    with app.app_context():
        codes = db.session.scalars(db.select(Certificate.code)).all()
        db.engine.dispose()
    port = free_port()
    server = multiprocessing.get_context("fork").Process(target=serve, args=(app, port))
    server.start()
    try:
        client = Client(port)
        wait_until_up(client)
        random.seed(1)
        paths = [f"/verify/{random.choice(codes)}" for _ in range(requests)]
        concurrent(client, "/bench/hello", clients * 4, clients)  # warm up
        _times, hello = concurrent(client, "/bench/hello", requests, clients)
        iterator = iter(paths)
        from concurrent.futures import ThreadPoolExecutor

        from pages import timed_request
        with ThreadPoolExecutor(clients) as pool:
            start = time.perf_counter()
            list(pool.map(lambda _: timed_request(client, next(iterator)), range(requests)))
            verify = requests / (time.perf_counter() - start)
        return verify, hello
    finally:
        server.terminate()
        server.join(10)


def main():
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp), args.count)
        records, with_mail = bulk_issue(app)
        print(f"bulk issue of {args.count} (records + signed credentials): {records:.2f} s "
              f"({records / args.count * 1000:.2f} ms each); with commit and {args.count} "
              f"e-mails written: {with_mail:.2f} s   [budget 5 s]")
        for lang in ("en", "bilingual"):
            per, baseline, size = render_all(app, lang)
            print(f"render {args.count} PDFs ({lang}): {per:.1f} ms per certificate, "
                  f"one-line reportlab PDF {baseline:.2f} ms, ratio {per / baseline:.1f}x, "
                  f"{size // 1024} KB each   [budget 25 ms]")
        verify, hello = verify_throughput(app, args.requests, args.clients)
        print(f"/verify/<code>: {verify:.0f} req/s, hello-world {hello:.0f} req/s, "
              f"ratio {verify / hello:.2f}   [budget >= 0.5]")


if __name__ == "__main__":
    main()
