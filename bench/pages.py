"""Benchmark: page response times under gunicorn against a same-run hello-world baseline, and
page weights (raw and compressed).

The app runs on a temporary SQLite database with courses/ imported and one learner enrolled,
served by gunicorn (2 sync workers). A hello-world route, added to the app object here and only
here, is the baseline: each page is reported as a ratio to it, so the numbers mean the same on
any machine. Requests ask for compression as a browser does (Accept-Encoding: br, gzip).

    .venv/bin/python bench/pages.py [--sequential N] [--concurrent M] [--clients C]
"""
import argparse
import gzip
import http.client
import multiprocessing
import re
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from academy import create_app  # noqa: E402
from academy.extensions import db  # noqa: E402
from import_library import migrated_database  # noqa: E402  (bench/import_library.py)

PASSWORD = "a long bench password 42"
LEARNERS = {"en": "bench.learner@example.org", "ru": "bench.learner.ru@example.org"}
BROWSER_HEADERS = {"Accept-Encoding": "br, gzip", "Sec-Fetch-Site": "same-origin",
                   "Accept-Language": "en"}


def build_app(folder):
    """The app on a fresh migrated database with courses/ imported and the learner enrolled;
    returns (app, course slug, lesson module slug, every (course, module) pair).

    Two learners, enrolled everywhere: one reads in English, the other in Russian."""
    from academy.auth.services import create_user
    from academy.courses.models import Course
    from academy.courses.services import import_library
    from academy.learning import services as learning

    database = migrated_database(folder)
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "MAIL_OUTBOX": str(folder / "mail")})
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "Hello, world!")
    with app.app_context():
        import_library(ROOT / "courses")
        users = [create_user(email, PASSWORD, confirmed=True, name_latin="Bench Learner",
                             locale=lang) for lang, email in LEARNERS.items()]
        courses = db.session.scalars(db.select(Course).order_by(Course.slug)).all()
        modules = []
        for course in courses:
            for user in users:
                learning.enrol(user.id, course)
            modules += [(course.slug, m.slug) for m in learning.course_modules(course)]
        course = courses[0].slug
        lesson = next(slug for slug_course, slug in modules if slug_course == course)
        db.session.commit()
        db.engine.dispose()  # nothing open is inherited by the forked workers
    return app, course, lesson, modules


def serve(app, port):
    """Run gunicorn (2 sync workers, the app preloaded) in this process until SIGTERM."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": 2,
                               "worker_class": "sync", "preload_app": True,
                               "loglevel": "warning", "accesslog": None}.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Server().run()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """One HTTP/1.1 request per connection (gunicorn's sync workers close each one)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, path, method="GET", body=None, headers=None):
        """(status, headers, body bytes as sent on the wire)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            sent = dict(headers or {})
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if body is not None:
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.headers, data
        finally:
            connection.close()

    def sign_in(self, email):
        _status, _headers, page = self.request("/auth/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        status, _headers, _body = self.request(
            "/auth/login", "POST",
            urlencode({"csrf_token": token, "email": email, "password": PASSWORD}))
        assert status == 302, f"sign-in failed with {status}"
        return self


def wait_until_up(client, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.request("/bench/hello")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def timed_request(client, path):
    start = time.perf_counter()
    status, _headers, _body = client.request(path, headers=BROWSER_HEADERS)
    elapsed = time.perf_counter() - start
    assert status == 200, f"{path} answered {status}"
    return elapsed


def sequential(client, path, count):
    timed_request(client, path)  # warm up both workers' caches a little
    return [timed_request(client, path) for _ in range(count)]


def concurrent(client, path, count, clients):
    with ThreadPoolExecutor(clients) as pool:
        start = time.perf_counter()
        times = list(pool.map(lambda _: timed_request(client, path), range(count)))
        return times, count / (time.perf_counter() - start)


def p95(times):
    return statistics.quantiles(times, n=20)[-1]


def transferred(client, path, encoding=None):
    """The bytes sent for `path`, compressed with `encoding` (None: uncompressed)."""
    headers = dict(BROWSER_HEADERS, **{"Accept-Encoding": encoding or "identity"})
    status, response_headers, body = client.request(path, headers=headers)
    assert status == 200 and response_headers.get("Content-Encoding") == encoding, path
    return body


def weights(client, path):
    """Bytes of the page's HTML + the CSS it links: (raw HTML, raw CSS, brotli, gzip)."""
    html = transferred(client, path)
    hrefs = [href.decode().replace("&amp;", "&")
             for href in re.findall(rb'rel="stylesheet" href="([^"]+)"', html)]
    css = sum(len(transferred(client, href)) for href in hrefs)
    compressed = [len(transferred(client, path, encoding))
                  + sum(len(transferred(client, href, encoding)) for href in hrefs)
                  for encoding in ("br", "gzip")]
    assert gzip.decompress(transferred(client, hrefs[0], "gzip")) == transferred(client, hrefs[0])
    return len(html), css, *compressed


def main():
    """Start gunicorn, measure, print the tables, stop gunicorn."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequential", type=int, default=100, help="requests one after another")
    parser.add_argument("--concurrent", type=int, default=200, help="requests from C clients")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, course, lesson, modules = build_app(Path(tmp))
        port = free_port()
        server = multiprocessing.get_context("fork").Process(target=serve, args=(app, port))
        server.start()
        try:
            client = Client(port)
            wait_until_up(client)
            learners = {lang: Client(port).sign_in(email) for lang, email in LEARNERS.items()}
            report(client, learners, args, course, lesson, modules)
        finally:
            server.terminate()
            server.join(15)


def report(anonymous, learners, args, course, lesson, modules):
    """Print the timing table and the page weights."""
    pages = [("baseline: hello world", anonymous, "/bench/hello"),
             ("catalogue", anonymous, "/courses/"),
             ("course page", anonymous, f"/courses/{course}/"),
             ("lesson page (signed in)", learners["en"], f"/courses/{course}/{lesson}/"),
             ("glossary", anonymous, "/glossary")]
    print(f"gunicorn, 2 sync workers; {args.sequential} sequential requests, "
          f"{args.concurrent} from {args.clients} concurrent clients; times in ms")
    print(f"{'page':26} {'seq median':>10} {'p95':>7} {'× base':>7} "
          f"{'conc median':>11} {'p95':>7} {'× base':>7} {'req/s':>7}")
    base = None
    for name, client, path in pages:
        one_by_one = sequential(client, path, args.sequential)
        together, rate = concurrent(client, path, args.concurrent, args.clients)
        row = (statistics.median(one_by_one), statistics.median(together))
        base = base or row
        print(f"{name:26} {row[0] * 1000:10.2f} {p95(one_by_one) * 1000:7.2f} "
              f"{row[0] / base[0]:7.1f} {row[1] * 1000:11.2f} {p95(together) * 1000:7.2f} "
              f"{row[1] / base[1]:7.1f} {rate:7.0f}")

    print("\npage weights in KB (1 KB = 1000 bytes), HTML + the CSS it links; budget: 100 KB raw")
    print(f"{'page':34} {'HTML':>7} {'CSS':>6} {'raw':>7} {'br':>6} {'gzip':>6}")

    def row(name, sizes):
        html, css, brotli, gzipped = sizes
        print(f"{name:34} {html / 1000:7.1f} {css / 1000:6.1f} {(html + css) / 1000:7.1f} "
              f"{brotli / 1000:6.1f} {gzipped / 1000:6.1f}")

    for name, client, path in pages[1:]:
        row(name, weights(client, path))
    for lang, learner in learners.items():
        lessons = {f"/courses/{c}/{m}/": weights(learner, f"/courses/{c}/{m}/")
                   for c, m in modules}
        path, sizes = max(lessons.items(), key=lambda item: sum(item[1][:2]))
        row(f"heaviest of {len(lessons)} lessons ({lang})", sizes)
        print(f"  {path}")
    print()
    page = anonymous.request("/glossary")[2].decode()
    for stylesheet in re.findall(r'rel="stylesheet" href="([^"]+)"', page):
        headers = anonymous.request(stylesheet.replace("&amp;", "&"))[1]
        print(f"{stylesheet}: Cache-Control: {headers['Cache-Control']}")


if __name__ == "__main__":
    main()
