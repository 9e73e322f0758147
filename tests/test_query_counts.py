"""Query discipline (issue #12): the SQL statements a page runs do not grow with the data.

Each page kind is counted for a learner with little data and one with much (1 vs 20 enrolled
courses, 1 vs 300 attempts) and before and after 10,000 other learners join; the counts must be
equal. Pages are fetched once first, so per-process caches are warm in both cases.
"""
import re
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, update

from academy.extensions import db
from tests.conftest import PASSWORD, AuthActions, csrf_token, make_test_app
from tests.course_fixtures import SAMPLE_COURSE, SAMPLE_LIBRARY
from tests.databases import ON_POSTGRES, statements

COURSES = 20
LESSON = "first-steps"


@pytest.fixture(scope="module")
def site(migrated_template, tmp_path_factory):
    """An app with 20 copies of the sample course and two learners: "few" (one course) and
    "many" (every course, 300 attempts at the lesson quiz)."""
    from academy.auth.services import create_user
    from academy.courses.models import Course, Module
    from academy.courses.services import import_library
    from academy.learning import services as learning
    from academy.quizzes.models import QuizAttempt

    folder = tmp_path_factory.mktemp("counts")
    library = folder / "library"
    shutil.copytree(SAMPLE_LIBRARY, library)
    for number in range(2, COURSES + 1):
        shutil.copytree(library / SAMPLE_COURSE, library / f"{SAMPLE_COURSE}-{number}")
    # The statements of the views themselves: no page is served kept (tests/test_pagecache.py).
    app = make_test_app(migrated_template, folder, PAGE_CACHE_MB=0)
    with app.app_context():
        import_library(library)
        # Unlimited quiz attempts, so that 300 of them still allow a new one.
        db.session.execute(update(Course).values(max_attempts=None))
        few = create_user("few@example.org", PASSWORD, confirmed=True)
        many = create_user("many@example.org", PASSWORD, confirmed=True)
        db.session.flush()
        courses = db.session.scalars(select(Course).order_by(Course.id)).all()
        learning.enrol(few.id, courses[0])
        for course in courses:
            learning.enrol(many.id, course)
        lesson = db.session.scalar(select(Module).where(Module.course_id == courses[0].id,
                                                        Module.slug == LESSON))
        learning.record_module_opened(learning.get_enrolment(few.id, courses[0].id), lesson)
        for course in courses:  # "many" has begun every course: a module to resume in each
            opened = db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                            Module.slug == LESSON))
            learning.record_module_opened(learning.get_enrolment(many.id, course.id), opened)
        layout = [{"question_id": q.id, "option_ids": [o.id for o in q.options]}
                  for q in lesson.current_version.questions]
        now = datetime.now(UTC)
        db.session.execute(insert(QuizAttempt), [
            {"user_id": user.id, "module_id": lesson.id, "version_id": lesson.current_version_id,
             "layout": layout, "submitted_at": now, "score": 0, "passed": False, "lang": "en"}
            for user, count in ((few, 1), (many, 300)) for _ in range(count)])
        db.session.commit()
        slug = courses[0].slug
    return app, slug


def signed_in(app, email):
    client = app.test_client()
    assert AuthActions(client).login(email).status_code == 302
    return client


def count_get(app, client, url):
    """Statements for GET `url`, after one warm-up request."""
    assert client.get(url).status_code == 200
    with statements(app) as run:
        assert client.get(url).status_code == 200
    return len(run)


def quiz_round(app, client, slug):
    """Statements for starting a quiz, showing it, submitting it and showing its review."""
    module_url = f"/courses/{slug}/{LESSON}/"
    page = client.get(module_url).get_data(as_text=True)
    counts = {}
    with statements(app) as run:
        started = client.post(f"{module_url}attempts", data={"csrf_token": csrf_token(page)})
    counts["quiz start"] = len(run)
    assert started.status_code == 302, started.status_code
    attempt_url = started.headers["Location"]
    form = client.get(attempt_url).get_data(as_text=True)
    answers = {}
    for name, value in re.findall(r'name="(q\d+)" value="(\d+)"', form):
        answers.setdefault(name, value)
    # Saving the answers first, as the page's script does, also reads the (cached) answer key.
    saved = client.post(attempt_url + "answers", data={"csrf_token": csrf_token(form), **answers})
    assert saved.status_code == 302
    with statements(app) as run:
        submitted = client.post(attempt_url, data={"csrf_token": csrf_token(form), **answers})
    counts["submit"] = len(run)
    assert submitted.status_code == 302
    client.get(attempt_url)
    with statements(app) as run:
        assert client.get(attempt_url).status_code == 200
    counts["review"] = len(run)
    return counts


def page_counts(app, client, slug):
    pages = {"catalogue": "/courses/", "course": f"/courses/{slug}/",
             "lesson": f"/courses/{slug}/{LESSON}/", "dashboard": "/dashboard"}
    return {kind: count_get(app, client, url) for kind, url in pages.items()}


def test_page_statements_do_not_grow_with_a_learners_data(site):
    app, slug = site
    few, many = signed_in(app, "few@example.org"), signed_in(app, "many@example.org")
    few_counts = {**page_counts(app, few, slug), **quiz_round(app, few, slug)}
    many_counts = {**page_counts(app, many, slug), **quiz_round(app, many, slug)}
    assert many_counts == few_counts
    # The lesson page reads the user with the session, the course with the enrolment and the
    # completion, the progress of the course's modules and the attempts: no write, no reload
    # after a commit, no text of other modules (a cold outline cache adds its own reads).
    assert few_counts["lesson"] <= 5, few_counts
    # Submitting reads the account and the attempt with its module, course and activity stamp,
    # writes the claim with the grade, the answers (one executemany) and the progress (one
    # UPDATE each, no read before; the fold returns the count of completed modules), and not
    # the activity stamp, which moves every few minutes: one transaction, one write lock (BEGIN
    # IMMEDIATE on SQLite is one more statement). On PostgreSQL the claim, the answers and the
    # fold are one statement.
    assert few_counts["submit"] <= (3 if ON_POSTGRES else 6), few_counts


def test_page_statements_do_not_grow_with_other_learners(site):
    from academy.auth.models import User
    from academy.learning.models import Enrolment

    app, slug = site
    client = signed_in(app, "few@example.org")
    before = page_counts(app, client, slug)
    with app.app_context():
        first = db.session.scalar(select(User.id).order_by(User.id.desc()))
        db.session.execute(insert(User), [
            {"email": f"other{i}@example.org", "password_hash": "x", "name_latin": "Other"}
            for i in range(10_000)])
        course_id = db.session.scalar(select(Enrolment.course_id).limit(1))
        db.session.execute(insert(Enrolment), [
            {"user_id": first + 1 + i, "course_id": course_id} for i in range(10_000)])
        db.session.commit()
    assert page_counts(app, client, slug) == before
