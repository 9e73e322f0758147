"""Who reaches which authoring URL: 403 for pages, 404 for objects out of reach."""
import pytest

from tests.authoring_fixtures import COURSE, MODULE, OTHER
from tests.conftest import csrf_token

OBJECT_PAGES = ["/author/{course}/{module}/", "/author/{course}/{module}/history"]


@pytest.mark.parametrize("who, status", [("learner", 403), ("outsider", 403),
                                         ("author", 200), ("reviewer", 200),
                                         ("coordinator", 200)])
def test_authoring_home(as_user, who, status):
    assert as_user(who).client.get("/author/").status_code == status


def test_anonymous_is_sent_to_sign_in(authoring_app):
    response = authoring_app.test_client().get(f"/author/{COURSE}/{MODULE}/")
    assert response.status_code == 302 and "/auth/login" in response.location


@pytest.mark.parametrize("url", OBJECT_PAGES)
@pytest.mark.parametrize("who, course, status", [
    ("learner", COURSE, 403), ("outsider", COURSE, 404), ("author", OTHER, 404),
    ("reviewer", OTHER, 404), ("other_author", COURSE, 404), ("author", COURSE, 200),
    ("other_author", OTHER, 200), ("coordinator", OTHER, 200)])
def test_module_pages(as_user, url, who, course, status):
    assert as_user(who).client.get(url.format(course=course, module=MODULE)).status_code == status


def test_author_of_course_a_cannot_write_course_b(as_user, authoring_app):
    author = as_user("author")
    _r, text_en, text_ru, token = author.editor()
    assert author.post("save", text_en, text_ru, token, course=OTHER).status_code == 404
    page = author.client.get("/author/").get_data(as_text=True)
    for step in ("return", "publish"):
        assert author.client.post(f"/author/{OTHER}/{MODULE}/{step}", data={
            "csrf_token": csrf_token(page), "draft": "1"}).status_code == 404
    assert author.client.post(f"/author/{OTHER}/{MODULE}/history/1/restore", data={
        "csrf_token": csrf_token(page)}).status_code == 404


def test_reviewer_cannot_write_and_author_cannot_publish(as_user):
    reviewer = as_user("reviewer")
    _r, text_en, text_ru, token = reviewer.editor()
    assert 'readonly' in _r.get_data(as_text=True)
    assert reviewer.post("save", text_en + "x", text_ru, token).status_code == 404
    author = as_user("author")
    author.post("submit", text_en + "\nMore.\n", text_ru, token)
    assert author.review_post("publish").status_code == 404
    assert author.review_post("return", comment="no").status_code == 404


def test_unknown_module_and_course_are_404(as_user):
    coordinator = as_user("coordinator")
    assert coordinator.client.get(f"/author/{COURSE}/no-such-module/").status_code == 404
    assert coordinator.client.get("/author/no-such-course/first-steps/").status_code == 404
    assert coordinator.client.get(f"/author/{COURSE}/{MODULE}/review").status_code == 404


def test_post_without_csrf_is_refused(as_user):
    author = as_user("author")
    response = author.client.post(f"/author/{COURSE}/{MODULE}/", data={
        "action": "save", "text_en": "x", "token": "v1"})
    assert response.status_code == 400
