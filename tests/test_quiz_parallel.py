"""Real parallel requests against a threaded server: one attempt, one result."""
import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from academy import create_app
from academy.auth.services import create_user
from academy.courses.services import import_library
from academy.extensions import db
from academy.quizzes.models import AttemptAnswer, QuizAttempt
from tests.conftest import PASSWORD, csrf_token
from tests.course_fixtures import SAMPLE_LIBRARY
from tests.test_quiz import FIRST, key

PARALLEL = 8


class Browser:
    """A signed-in visitor over real HTTP: one cookie jar shared by its parallel requests."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base_url + path, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode()

    def post(self, path, data):
        """POST a form; redirects are followed, so the answer is the page a browser would show."""
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def post_form(self, page, action, extra=None):
        _status, _url, html = self.get(page)
        return self.post(action, {"csrf_token": csrf_token(html), **(extra or {})})


def in_parallel(count, request):
    """Run `request()` in `count` threads released at the same instant; returns their results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(index):
        barrier.wait()
        try:
            results[index] = request()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_parallel_starts_and_submissions_on_sqlite(app, live_server):
    check_parallel_starts_and_submissions(app, live_server)


@pytest.mark.postgres
def test_parallel_starts_and_submissions_on_postgresql(postgres_url, live_server):
    # PostgreSQL runs the requests truly concurrently, so the atomic claim decides the race.
    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url, "SECRET_KEY": "test-secret",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    try:
        check_parallel_starts_and_submissions(app, live_server)
    finally:
        with app.app_context():
            db.engine.dispose()


def check_parallel_starts_and_submissions(app, live_server):
    """Parallel "start" clicks make one attempt; parallel submissions record one result."""
    with app.app_context():
        import_library(SAMPLE_LIBRARY)
        create_user(email="learner@example.org", password=PASSWORD, role="learner",
                    confirmed=True)
        db.session.commit()
    with live_server(app) as server:
        browser = Browser(server.url)
        status, url, _html = browser.post_form(
            "/auth/login", "/auth/login", {"email": "learner@example.org", "password": PASSWORD})
        assert status == 200 and "/auth/login" not in url
        browser.post_form("/courses/sample-course/", "/courses/sample-course/enrol")
        _status, _url, page = browser.get(FIRST)
        token = csrf_token(page)

        starts = in_parallel(PARALLEL, lambda: browser.post(FIRST + "attempts",
                                                            {"csrf_token": token}))
        assert all(isinstance(r, tuple) and r[0] == 200 for r in starts), starts
        attempt_urls = {r[1] for r in starts}
        assert len(attempt_urls) == 1
        attempt_path = urllib.parse.urlsplit(attempt_urls.pop()).path
        attempt = int(re.search(r"/attempts/(\d+)/", attempt_path).group(1))

        answers = {f"q{qid}": [str(i) for i in ids] for qid, ids in key(app, attempt).items()}
        form = {"csrf_token": token, **answers}
        results = in_parallel(PARALLEL, lambda: browser.post(attempt_path, form))

    assert all(isinstance(r, tuple) for r in results), results
    assert [r[0] for r in results] == [200] * PARALLEL
    assert all("Your score: 100%" in r[2] for r in results)
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
        assert db.session.scalar(select(func.count(QuizAttempt.id))
                                 .where(QuizAttempt.submitted_at.is_not(None))) == 1
        assert db.session.scalar(select(func.count(AttemptAnswer.id))) == 3
        assert db.session.get(QuizAttempt, attempt).score == 100
