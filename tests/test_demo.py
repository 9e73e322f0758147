"""`academy demo`: migrate, import the shipped library, one account per role; twice is harmless."""
from academy import create_app
from academy.auth.models import User
from academy.courses.models import Course, ModuleVersion
from academy.extensions import db
from tests.ports import free_port


def test_demo_prepares_everything_and_is_harmless_twice(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
                      "SECRET_KEY": "test"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    for role in ("learner", "trainer", "coordinator", "admin"):
        assert f"{role}@demo.academy" in first.output
    with app.app_context():
        courses = db.session.scalar(db.select(db.func.count()).select_from(Course))
        versions = db.session.scalar(db.select(db.func.count()).select_from(ModuleVersion))
        assert courses >= 1
        # A living dashboard: the demo learner has one course completed and one in progress.
        from academy.learning.models import CourseCompletion, Enrolment

        learner = db.session.scalar(db.select(User).where(User.email == "learner@demo.academy"))
        assert learner.organisation and learner.position
        enrolments = db.session.scalars(db.select(Enrolment).where(
            Enrolment.user_id == learner.id)).all()
        completions = db.session.scalars(db.select(CourseCompletion).where(
            CourseCompletion.user_id == learner.id)).all()
        assert len(enrolments) == 2 and len(completions) == 1
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ModuleVersion)) == versions
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 4
        assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 2
        db.engine.dispose()


def test_demo_refuses_production(tmp_path, monkeypatch):
    monkeypatch.setenv("ACADEMY_ENV", "production")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "SECRET_KEY": "a-real-secret-of-at-least-32-bytes"})
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code != 0
    assert "refuses to run" in result.output


def test_demo_serves_the_site(tmp_path):
    """The README's first command: `academy demo` answers HTTP on the chosen port."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    env = dict(os.environ, ACADEMY_DATABASE_URL=f"sqlite:///{tmp_path}/demo.db",
               ACADEMY_SECRET_KEY="test", ACADEMY_ENV="demo",
               ACADEMY_QUEUE_DATABASE=str(tmp_path / "queue.db"),
               ACADEMY_MAIL_OUTBOX=str(tmp_path / "mail"))
    server = subprocess.Popen([sys.executable, "-m", "academy.cli", "demo", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/courses/", timeout=5) as page:
                    assert "Integrated Border Management" in page.read().decode()
                    # Security review (issue 13, finding 9): no server software or version.
                    assert "Server" not in page.headers
                    assert "Werkzeug" not in str(page.headers)
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "demo did not start"
                time.sleep(0.3)
        # The demo runs a queue consumer of its own: a reset request is mailed.
        _request_reset(f"http://127.0.0.1:{port}", "learner@demo.academy")
        deadline = time.monotonic() + 30
        while not list((tmp_path / "mail").glob("*.eml")):
            assert time.monotonic() < deadline, "the demo mailed nothing"
            time.sleep(0.2)
        [mail] = (tmp_path / "mail").glob("*.eml")
        assert "/auth/reset/" in mail.read_text(encoding="utf-8")
    finally:
        server.terminate()
        server.communicate(timeout=10)


def test_demo_mails_links_to_the_port_it_serves():
    from academy.core.demo import demo_base_url

    assert demo_base_url("http://127.0.0.1:5000", "127.0.0.1", 5077) == "http://127.0.0.1:5077"
    assert demo_base_url("http://127.0.0.1:5000", "0.0.0.0", 8080) == "http://127.0.0.1:8080"
    assert demo_base_url("http://127.0.0.1:5000", "::1", 8080) == "http://[::1]:8080"
    assert demo_base_url("https://academy.example.org", "0.0.0.0", 8080) == (
        "https://academy.example.org")


def _request_reset(base, email):
    """Post the password-reset form of a running site, CSRF token and cookie included."""
    import urllib.parse
    import urllib.request
    from http.cookiejar import CookieJar

    from tests.conftest import csrf_token

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{base}/auth/reset", timeout=10) as page:
        token = csrf_token(page.read().decode())
    data = urllib.parse.urlencode({"csrf_token": token, "email": email}).encode()
    with opener.open(f"{base}/auth/reset", data=data, timeout=10) as answer:
        assert answer.status == 200  # the redirect to the sign-in page, followed
