"""Authoring fixtures: two courses, an author and a reviewer of the first, and outsiders."""
import re
import shutil

import pytest

from academy.extensions import db
from tests.conftest import PASSWORD, csrf_token
from tests.course_fixtures import SAMPLE_LIBRARY

COURSE, OTHER = "sample-course", "other-course"
MODULE = "first-steps"
EMAILS = {"author": "author@example.org", "reviewer": "reviewer@example.org",
          "outsider": "outsider@example.org", "learner": "learner@example.org",
          "coordinator": "coordinator@example.org", "other_author": "other@example.org"}


@pytest.fixture
def authoring_app(app, tmp_path, make_user):
    """The sample library imported twice (two courses) with assigned trainers."""
    from academy.courses.assignments import assign
    from academy.courses.models import Course
    from academy.courses.services import import_library

    library = tmp_path / "authoring-library"
    shutil.copytree(SAMPLE_LIBRARY, library)
    shutil.copytree(library / COURSE, library / OTHER)
    for key, email in EMAILS.items():
        role = key if key in ("learner", "coordinator") else "trainer"
        make_user(email=email, role=role, name_latin=key.replace("_", " ").title())
    with app.app_context():
        import_library(library)
        from academy.auth.services import find_user_by_email

        course = db.session.scalar(db.select(Course).filter_by(slug=COURSE))
        other = db.session.scalar(db.select(Course).filter_by(slug=OTHER))
        assign(course, find_user_by_email(EMAILS["author"]), "author")
        assign(course, find_user_by_email(EMAILS["reviewer"]), "reviewer")
        assign(other, find_user_by_email(EMAILS["other_author"]), "author")
        db.session.commit()
    return app


class Author:
    """A signed-in client driving the authoring pages through their real forms."""

    def __init__(self, app, who):
        self.app, self.client = app, app.test_client()
        page = self.client.get("/auth/login")
        response = self.client.post("/auth/login", data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": EMAILS[who], "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)

    def editor(self, course=COURSE, module=MODULE):
        """The editor page: (response, English, Russian, token)."""
        response = self.client.get(f"/author/{course}/{module}/")
        html = response.get_data(as_text=True)
        if response.status_code != 200:
            return response, None, None, None
        return response, textarea(html, "text_en"), textarea(html, "text_ru"), token(html)

    def post(self, action, text_en, text_ru, token_value, course=COURSE, module=MODULE):
        """Post the editor form with `action` (preview, save, translated, submit)."""
        page = self.client.get(f"/author/{course}/{module}/").get_data(as_text=True)
        return self.client.post(f"/author/{course}/{module}/", data={
            "csrf_token": csrf_token(page), "action": action, "text_en": text_en,
            "text_ru": text_ru, "token": token_value})

    def review_post(self, step, course=COURSE, module=MODULE, **data):
        """Post a review form (return or publish) of the open draft."""
        page = self.client.get(f"/author/{course}/{module}/review").get_data(as_text=True)
        draft = re.search(r'name="draft" value="(\d+)"', page)
        return self.client.post(f"/author/{course}/{module}/{step}", data={
            "csrf_token": csrf_token(page), "draft": draft.group(1) if draft else "0", **data})


def textarea(html, name):
    """The text of a textarea (HTML-unescaped, minus the newline after the tag)."""
    import html as html_lib

    match = re.search(rf'<textarea id="{name}"[^>]*>\n(.*?)</textarea>', html, re.S)
    return html_lib.unescape(match.group(1)) if match else None


def token(html):
    """The stale-save token of the editor form."""
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture
def as_user(authoring_app):
    """Factory: `as_user("author")` is an Author client signed in as that account."""
    return lambda who: Author(authoring_app, who)


def learner_passes_module(app):
    """The demo learner enrols, opens the module and passes its quiz; returns the version id."""
    from academy.auth.services import find_user_by_email
    from academy.learning import services as learning
    from academy.quizzes import grading
    from academy.quizzes import services as quizzes

    with app.test_request_context():
        learner = find_user_by_email(EMAILS["learner"])
        from academy.courses.models import Module

        module = db.session.scalar(db.select(Module).filter_by(slug=MODULE).where(
            Module.course.has(slug=COURSE)))
        enrolment, _created = learning.enrol(learner.id, module.course)
        learning.record_module_opened(enrolment, module)
        attempt = quizzes.start_attempt(learner.id, module, module.course, "en")
        key = {q.id: {o.id for o in q.options if o.is_correct}
               for q in module.current_version.questions}
        grading.submit_attempt(attempt, {item["question_id"]: key[item["question_id"]]
                                         for item in attempt.layout})
        db.session.commit()
        return module.current_version_id
