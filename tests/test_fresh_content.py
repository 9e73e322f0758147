"""No stale content (issue #12): a module, course or glossary change imported while a
multi-worker gunicorn server runs (with gunicorn.conf.py and its per-process caches and kept
template fragments) shows at once, on every worker."""
import http.cookiejar
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from academy.extensions import db
from tests.conftest import PASSWORD, csrf_token, make_test_app
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 3
REQUESTS = 4 * WORKERS  # sequential requests land on every worker of the three


@pytest.fixture
def server(migrated_template, tmp_path, course_library):
    """The sample library imported, a confirmed learner enrolled, and gunicorn serving it."""
    from academy.auth.services import create_user
    from academy.courses.models import Course
    from academy.courses.services import import_library
    from academy.learning import services as learning

    app = make_test_app(migrated_template, tmp_path)
    with app.app_context():
        import_library(course_library)
        user = create_user("learner@example.org", PASSWORD, confirmed=True)
        db.session.flush()
        learning.enrol(user.id, db.session.scalar(db.select(Course)))
        db.session.commit()
        db.engine.dispose()
    port = free_port()
    env = dict(os.environ, BENCH_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               BENCH_MAIL=str(tmp_path / "mail"), WEB_CONCURRENCY=str(WORKERS),
               GUNICORN_ACCESSLOG="off")
    log = open(tmp_path / "gunicorn.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "--pythonpath", str(ROOT / "bench"), "-b", f"127.0.0.1:{port}", "serve_app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError((tmp_path / "gunicorn.log").read_text())
            time.sleep(0.2)
    try:
        yield app, base, course_library
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def sign_in(base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/auth/login").read().decode()
    opener.open(base + "/auth/login", urllib.parse.urlencode(
        {"csrf_token": csrf_token(page), "email": "learner@example.org",
         "password": PASSWORD}).encode()).close()
    return opener


def pages(opener, base):
    """The lesson, course, glossary and catalogue pages, each fetched REQUESTS times."""
    urls = ["/courses/sample-course/first-steps/", "/courses/sample-course/", "/glossary",
            "/courses/"]
    return [opener.open(base + url).read().decode() for url in urls for _ in range(REQUESTS)]


def test_an_import_shows_at_once_on_every_worker(server):
    from academy.courses.services import import_library

    app, base, library = server
    opener = sign_in(base)
    before = pages(opener, base)  # every worker has cached the outline, the text, the glossary
    assert all("Rosetta" not in page for page in before)
    assert all("Who is a refugee" in page for page in before[:REQUESTS])
    assert all("A small course used by the test suite." in page for page in before[-REQUESTS:])
    module = library / "sample-course" / "01-first-steps" / "en.md"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("title: First steps in international protection",
                                   "title: First steps with Rosetta")
                      .replace("## Who is a refugee", "## Who is a Rosetta refugee"),
                      encoding="utf-8")
    glossary = library / "glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        "term: principle of non-refoulement", "term: Rosetta term"), encoding="utf-8")
    course_yml = library / "sample-course" / "course.yml"
    course_yml.write_text(course_yml.read_text(encoding="utf-8").replace(
        "A small course used by the test suite.", "A small Rosetta course."), encoding="utf-8")
    with app.app_context():
        import_library(library)
        db.engine.dispose()
    lesson, course, glossary_pages, catalogue = (
        pages(opener, base)[i * REQUESTS:(i + 1) * REQUESTS] for i in range(4))
    assert all("Who is a Rosetta refugee" in page and "First steps with Rosetta" in page
               for page in lesson)
    assert all("First steps with Rosetta" in page for page in course)
    assert all("Rosetta term" in page for page in glossary_pages)
    assert all("A small Rosetta course." in page for page in catalogue)
    assert all("A small Rosetta course." in page for page in course)
