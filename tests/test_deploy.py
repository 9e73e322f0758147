"""docs/deploy.md followed on this machine: install, configure, migrate, import, serve, use.

A fresh virtual environment gets the package (`pip install -e`, as the guide says; the
dependencies come from the test environment through a .pth file so that nothing is downloaded),
then the production configuration against a private PostgreSQL and Redis, `academy db upgrade`,
`academy courses import courses`, `academy users create`, gunicorn with deploy/gunicorn.conf.py
(and `academy worker` when this release has it); a learner signs in over HTTP, CSRF token and
all, and takes a quiz; everything is stopped.
"""
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "academy.example.org"
PASSWORD = "staple-Orbit-granite-71-lantern"


class Browser:
    """HTTP through the TLS proxy as gunicorn sees it: X-Forwarded-Proto https, cookies kept."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None, referer=None):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{HOST}{referer or path}"
            headers["Origin"] = f"https://{HOST}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, attributes = value.partition(";")
                key, _, content = cookie.partition("=")
                assert "Secure" in attributes and "HttpOnly" in attributes, value
                if "Expires=Thu, 01 Jan 1970" in attributes or content == "":
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = content
        return response, text

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, page, fields=None):
        """Post `fields` to `path` with the CSRF token of the page at `page`."""
        _, html = self.get(page)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        return self.request("POST", path, {"csrf_token": token, **(fields or {})}, referer=page)


def location(response):
    return response.getheader("Location").removeprefix(f"https://{HOST}")


def run(venv, *args, env, cwd):
    done = subprocess.run([str(venv / "bin" / "academy"), *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"academy {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done


def install(tmp_path):
    """Check out the release (a copy of the working tree) and pip install it into a new venv."""
    app_dir = tmp_path / "srv" / "app"
    shutil.copytree(ROOT, app_dir, ignore=shutil.ignore_patterns(
        ".venv", ".git", "instance", "__pycache__", "*.egg-info", ".pytest_cache"))
    venv = tmp_path / "srv" / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "academy-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "-e", str(app_dir)], check=True, capture_output=True, timeout=300)
    return app_dir, venv


def wait_for_health(port, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            response, text = Browser(port).get("/healthz")
            if response.status == 200:
                return text
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail("gunicorn did not answer /healthz")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.mark.postgres
@pytest.mark.redis
def test_the_deployment_guide_on_this_machine(tmp_path, postgres_url, redis_url):
    app_dir, venv = install(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACADEMY_")}
    env.update({
        "ACADEMY_ENV": "production",
        "ACADEMY_SECRET_KEY": secrets.token_urlsafe(48),
        "ACADEMY_DATABASE_URL": postgres_url,
        "ACADEMY_REDIS_URL": redis_url,
        "ACADEMY_BASE_URL": f"https://{HOST}",
        "ACADEMY_PROXIES": "1",
        "ACADEMY_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PATH": f"{venv / 'bin'}:{env.get('PATH', '')}",
    })
    run(venv, "db", "upgrade", env=env, cwd=app_dir)
    run(venv, "courses", "import", "courses", env=env, cwd=app_dir)
    run(venv, "users", "create", "--email", "learner@example.org", "--role", "learner",
        "--name", "Learner One", "--password", PASSWORD, env=env, cwd=app_dir)

    processes, log = [], tmp_path / "gunicorn.log"
    try:
        has_worker = subprocess.run([str(venv / "bin" / "academy"), "worker", "--help"],
                                    env=env, cwd=app_dir, capture_output=True).returncode == 0
        if has_worker:  # the queue consumer of docs/deploy.md, when this release has one
            processes.append(subprocess.Popen([str(venv / "bin" / "academy"), "worker"], env=env,
                                              cwd=app_dir, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
        with log.open("w") as handle:
            web = subprocess.Popen([str(venv / "bin" / "python"), "-m", "gunicorn", "-c",
                                    "deploy/gunicorn.conf.py"], env=env, cwd=app_dir,
                                   stdout=handle, stderr=subprocess.STDOUT)
        processes.append(web)
        wait_for_health(port, web)
        take_a_quiz(Browser(port))
        for process in processes:
            assert process.poll() is None, "a service died while in use"
    finally:
        for process in reversed(processes):
            stop(process)
    output = log.read_text()
    assert web.returncode == 0, output[-2000:]  # a clean, graceful stop
    assert "Traceback" not in output and "POST /auth/login HTTP/1.1\" 302" in output


def take_a_quiz(browser):
    """Sign in as the learner, enrol in a course, open its first module and submit its quiz."""
    response, _ = browser.get("/")
    assert "max-age=31536000" in response.getheader("Strict-Transport-Security")
    response, _ = browser.post("/auth/login", "/auth/login",
                               {"email": "learner@example.org", "password": PASSWORD})
    assert response.status == 302, "sign-in refused"
    _, dashboard = browser.get("/dashboard")
    assert 'action="/auth/logout"' in dashboard, "not signed in"

    _, catalogue = browser.get("/courses/")
    course = re.search(r'href="(/courses/[a-z0-9-]+/)"', catalogue).group(1)
    response, _ = browser.post(course + "enrol", course)
    assert response.status == 302
    _, course_page = browser.get(course)
    module = re.search(rf'href="({re.escape(course)}[a-z0-9-]+/)"', course_page).group(1)
    response, _ = browser.post(module + "attempts", module)
    assert response.status == 302, "the quiz did not start"
    attempt = location(response)
    assert re.fullmatch(r"/attempts/\d+/", attempt)

    _, quiz = browser.get(attempt)
    answers = {}
    for name, value in re.findall(r'name="(q\d+)" value="(\d+)"', quiz):
        answers.setdefault(name, value)  # the first option of every question
    assert answers, "no questions on the quiz page"
    response, _ = browser.post(attempt, attempt, answers)
    assert response.status == 302
    _, review = browser.get(location(response))
    assert re.search(r"\d+\s*%|\d+ of \d+|\d+/\d+", review), "no score on the review page"
