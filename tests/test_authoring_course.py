"""Course fields through a form and module order: checked like files, imported like files."""
import pytest

from academy.courses.models import Course, Module
from academy.extensions import db
from tests.authoring_fixtures import COURSE
from tests.conftest import csrf_token


def _form(client):
    page = client.get(f"/author/{COURSE}/").get_data(as_text=True)
    values = {"csrf_token": csrf_token(page)}
    import re
    for name, value in re.findall(r'<input type="text"[^>]*id="([\w-]+)"[^>]*value="([^"]*)"', page):
        values[name] = value
    for name in ("summary_en", "summary_ru"):
        values[name] = re.search(rf'id="{name}"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    for name in ("thematic_area", "certificate", "shuffle_options"):
        block = re.search(rf'id="{name}".*?</select>', page, re.S).group(0)
        values[name] = re.search(r'value="([^"]+)" selected', block).group(1)
    import html
    return {key: html.unescape(value) for key, value in values.items()}


def test_course_fields_saved_through_the_form(as_user, authoring_app, runner, tmp_path):
    coordinator = as_user("coordinator")
    values = _form(coordinator.client)
    values.update(title_en="Sample course, revised", pass_mark="80")
    response = coordinator.client.post(f"/author/{COURSE}/", data=values)
    assert response.status_code == 302
    with authoring_app.app_context():
        course = db.session.scalar(db.select(Course).filter_by(slug=COURSE))
        assert course.title_en == "Sample course, revised" and course.pass_mark == 80
        assert course.content_version == 2
    assert runner.invoke(args=["courses", "export", COURSE, str(tmp_path)]).exit_code == 0
    check = runner.invoke(args=["courses", "check", str(tmp_path / COURSE)])
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize("field, value, message", [
    ("pass_mark", "150", "pass_mark must be a whole number from 1 to 100"),
    ("title_ru", "", "title.ru must be a non-empty text"),
    ("valid_as_of", "yesterday", "valid_as_of"),
])
def test_course_fields_refused_with_the_checker_message(as_user, authoring_app, field, value,
                                                        message):
    coordinator = as_user("coordinator")
    values = _form(coordinator.client)
    values[field] = value
    response = coordinator.client.post(f"/author/{COURSE}/", data=values)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with authoring_app.app_context():
        assert db.session.scalar(db.select(Course).filter_by(slug=COURSE)).content_version == 1


def test_reorder_modules(as_user, authoring_app):
    coordinator = as_user("coordinator")
    page = coordinator.client.get(f"/author/{COURSE}/").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "position-first-steps": "2",
            "position-reading-only": "1", "position-english-only": "3"}
    assert coordinator.client.post(f"/author/{COURSE}/order", data=data).status_code == 302
    with authoring_app.app_context():
        order = [m.slug for m in db.session.scalars(db.select(Module).where(
            Module.course.has(slug=COURSE), Module.kind == "lesson").order_by(Module.position))]
        assert order == ["reading-only", "first-steps", "english-only"]
    data["position-english-only"] = "2"
    response = coordinator.client.post(f"/author/{COURSE}/order", data=data)
    assert response.status_code == 400 and "is used twice" in response.get_data(as_text=True)


def test_authors_do_not_reach_course_settings(as_user):
    assert as_user("author").client.get(f"/author/{COURSE}/").status_code == 404
    assert as_user("reviewer").client.get(f"/author/{COURSE}/").status_code == 200
    assert as_user("learner").client.get(f"/author/{COURSE}/").status_code == 403
