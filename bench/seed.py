"""Data for bench/run.py: courses/ imported, a signed-in learner, quiz takers with open attempts."""
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import g, session  # noqa: E402
from flask_login import login_user  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from academy import create_app  # noqa: E402
from academy.extensions import db  # noqa: E402

PASSWORD = "a long bench password 42"
LEARNER = "bench.learner@example.org"
OTHER_LEARNERS = 10_000  # nothing may grow with them (issue #12)
# The bench's browser: every request of bench/run.py names it, and its sessions are signed in
# from it. (Flask-Login's session protection ties a session to the address and User-Agent it
# began with: a cookie from another one is marked not fresh, and re-sent, on every request.)
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) academy-bench"
BROWSER = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT}


def migrate(url, folder):
    """Build the schema with the real migrations."""
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "DATABASE_URL": url, "MAIL_OUTBOX": str(folder)})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _cookie(app, user):
    """A signed session cookie of `user`, signed in as the login form would, and its CSRF token."""
    from academy.auth import mfa, session_records

    with app.test_request_context("/", environ_base=BROWSER):
        session_records.start_session(user, False)
        login_user(user)
        mfa.mark_authenticated()
        token = generate_csrf()
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
        # `g` belongs to the app context that outlives this request: forget this user's token.
        g.pop("csrf_token", None)
        g.pop("_login_user", None)
    return f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={value}", token


def seed(url, folder, quiz_takers):
    """Import courses/, enrol the bench learner everywhere, and give `quiz_takers` learners an
    open attempt at one lesson quiz. Returns a dict of paths, cookies and the quiz lines."""
    from academy.auth.models import User
    from academy.auth.services import create_user
    from academy.courses.models import Course
    from academy.courses.services import import_library
    from academy.learning import services as learning
    from academy.quizzes import services as quizzes

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "MAIL_OUTBOX": str(folder), "WTF_CSRF_TIME_LIMIT": None})
    with app.app_context():
        import_library(ROOT / "courses")
        learner = create_user(LEARNER, PASSWORD, confirmed=True, name_latin="Bench Learner")
        db.session.flush()
        courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
        for course in courses:
            learning.enrol(learner.id, course)
        course = courses[0]
        modules = learning.course_modules(course)
        lesson = modules[0]
        enrolment = learning.get_enrolment(learner.id, course.id)
        learning.record_module_opened(enrolment, lesson)
        quiz_module = next(m for m in modules if m.kind == "lesson"
                           and learning.question_count(m))
        # Other learners, inserted in bulk with the bench learner's password hash.
        db.session.execute(insert(User), [
            {"email": f"other{i}@example.org", "password_hash": learner.password_hash,
             "name_latin": f"Other {i}", "email_confirmed_at": learner.email_confirmed_at}
            for i in range(OTHER_LEARNERS + quiz_takers)])
        takers = db.session.scalars(select(User).where(User.email.like("other%"))
                                    .order_by(User.id).limit(quiz_takers)).all()
        lines = []
        for number, taker in enumerate(takers, start=1):
            enrolment, _created = learning.enrol(taker.id, course)
            learning.record_module_opened(enrolment, quiz_module)
            attempt = quizzes.start_attempt(taker.id, quiz_module, course, "en")
            db.session.flush()
            cookie, token = _cookie(app, taker)
            answers = [("csrf_token", token)] + [(f"q{item['question_id']}", item["option_ids"][0])
                                                for item in attempt.layout]
            lines.append(f"/attempts/{attempt.id}/\t{cookie}\t{urlencode(answers)}")
            if number % 200 == 0:
                db.session.commit()
        cookie, _token = _cookie(app, learner)
        db.session.commit()
        css = None
        with app.test_request_context("/"):
            from flask import url_for
            css = url_for("static", filename="academy.css")
        paths = {"lesson": f"/courses/{course.slug}/{lesson.slug}/",
                 "course": f"/courses/{course.slug}/", "dashboard": "/dashboard",
                 "catalogue": "/courses/", "glossary": "/glossary", "css": css}
        db.engine.dispose()
    return {"paths": paths, "cookie": cookie, "quiz": lines}
