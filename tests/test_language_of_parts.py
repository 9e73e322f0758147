"""WCAG 3.1.2 (language of parts), which axe cannot see: on a Russian page, every piece of an
untranslated module shown in English carries lang="en" — titles, summary, options, feedback."""
import re

import pytest

from tests.test_learning import enrol, page_text, set_language
from tests.test_quiz import SAMPLE, key, start_quiz, submit

ENGLISH_ONLY = SAMPLE + "english-only/"


@pytest.fixture
def russian_learner(imported_app, make_user, auth, client):
    make_user()
    auth.login()
    set_language(client, "ru")
    enrol(client)
    return client


def english_parts(html):
    """The text of every element marked lang="en", tags stripped."""
    parts = re.findall(r'<(\w+)[^>]*\blang="en"[^>]*>(.*?)</\1>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", inner).split()) for _tag, inner in parts]


def test_course_and_module_pages_mark_the_english_title(russian_learner):
    course = page_text(russian_learner.get(SAMPLE))
    assert '<html lang="ru">' in course
    assert "An English-only module" in english_parts(course)
    assert "This module has not been translated yet." in english_parts(course)
    module = page_text(russian_learner.get(ENGLISH_ONLY))
    assert "An English-only module" in english_parts(module)  # the h1
    previous = page_text(russian_learner.get(SAMPLE + "reading-only/"))
    assert "An English-only module" in english_parts(previous)  # "next" in the pager


def test_quiz_and_review_mark_the_english_options_and_feedback(imported_app, russian_learner):
    url = start_quiz(russian_learner, ENGLISH_ONLY)
    quiz = english_parts(page_text(russian_learner.get(url)))
    assert "An English-only module" in quiz and "Article 31" in quiz
    submit(russian_learner, url, key(imported_app, int(url.rstrip("/").rsplit("/", 1)[1])))
    review = page_text(russian_learner.get(url))
    assert "Верно" in review or "верно" in review
    parts = english_parts(review)
    assert "An English-only module" in parts and "Article 31" in parts
    assert any("Article 31(1) bars penalties" in part for part in parts)  # the feedback
