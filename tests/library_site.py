"""The shipped course library (courses/) imported once per test module, with learners in it.

Importing the whole library takes a few seconds, so the site is built once per module on its own
copy of the migrated database; tests that use it read pages and must not depend on each other's
writes. Use it with `from tests.library_site import library_site` (a fixture).
"""
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[1] / "courses"
LANGS = ("en", "ru")
PASSWORD = "correct horse battery staple"


@dataclass
class LibrarySite:
    """The app, and where its interesting pages are, for each learner's language."""

    app: object
    course: str = ""  # the slug of the course whose quizzes the learners have taken
    modules: list = field(default_factory=list)  # (course slug, module slug) of every module
    quiz: dict = field(default_factory=dict)  # lang -> path of an open attempt
    review: dict = field(default_factory=dict)  # lang -> path of a submitted attempt
    reset: dict = field(default_factory=dict)  # lang -> path of a live password reset link

    @staticmethod
    def email(lang, who="learner"):
        """The e-mail address of `who` (learner: enrolled everywhere; newcomer: nowhere)."""
        return f"{who}-{lang}@example.org"


def _seed(site):
    """Per language, a newcomer and a learner enrolled in every course, with one quiz open
    and another submitted."""
    from academy.auth.services import create_user
    from academy.auth.tokens import RESET_PASSWORD, issue_token
    from academy.courses.models import Course
    from academy.extensions import db
    from academy.learning import services as learning
    from academy.quizzes import grading
    from academy.quizzes import services as quizzes

    courses = db.session.scalars(db.select(Course).order_by(Course.slug)).all()
    course = courses[0]
    site.course = course.slug
    for each in courses:
        site.modules += [(each.slug, module.slug) for module in learning.course_modules(each)]
    lessons = [m for m in learning.course_modules(course)
               if m.kind == "lesson" and learning.question_count(m)]
    for lang in LANGS:
        profile = dict(confirmed=True, locale=lang, name_latin="Nino Beridze", country="GE",
                       organisation="Border Police")
        create_user(site.email(lang, "newcomer"), PASSWORD, **profile)
        user = create_user(site.email(lang), PASSWORD, **profile)
        enrolment = [learning.enrol(user.id, each)[0] for each in courses][0]
        for module in lessons[:2]:
            learning.record_module_opened(enrolment, module)
        submitted = quizzes.start_attempt(user.id, lessons[1], course, lang)
        # The first option of every question: some right, some wrong, as a real review shows.
        grading.submit_attempt(submitted, {item["question_id"]: {item["option_ids"][0]}
                                           for item in submitted.layout})
        site.review[lang] = f"/attempts/{submitted.id}/"
        opened = quizzes.start_attempt(user.id, lessons[0], course, lang)
        site.quiz[lang] = f"/attempts/{opened.id}/"
        site.reset[lang] = "/auth/reset/" + issue_token(user, RESET_PASSWORD, timedelta(hours=1))
    db.session.commit()


@pytest.fixture(scope="module")
def library_site(migrated_template, tmp_path_factory):
    """A LibrarySite on its own SQLite file with courses/ imported, shared by a test module."""
    from academy.courses.services import import_library
    from academy.extensions import db
    from tests.conftest import make_test_app

    app = make_test_app(migrated_template, tmp_path_factory.mktemp("library-site"))
    site = LibrarySite(app)
    with app.app_context():
        import_library(LIBRARY)
        _seed(site)
    yield site
    with app.app_context():
        db.engine.dispose()
