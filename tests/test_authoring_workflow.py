"""Authoring: edit, preview, check inline, save, stale save, submit, return, publish, history."""
from markupsafe import escape

from academy.authoring.models import AuthoringDraft
from academy.courses.models import Module
from academy.extensions import db
from tests.authoring_fixtures import COURSE, MODULE


def _module(app):
    return db.session.scalar(db.select(Module).filter_by(slug=MODULE).join(Module.course)
                             .where(Module.course.has(slug=COURSE)))


def test_home_lists_assigned_courses_and_modules(as_user):
    html = as_user("author").client.get("/author/").get_data(as_text=True)
    assert "First steps in international protection" in html
    assert f"/author/{COURSE}/{MODULE}/" in html
    assert "/author/other-course/" not in html


def test_editor_shows_full_files_and_preview_renders_server_side(as_user):
    author = as_user("author")
    response, text_en, text_ru, token = author.editor()
    assert response.status_code == 200
    assert text_en.startswith("---\ntitle: First steps") and "::: question" in text_en
    assert text_ru.startswith("---\ntitle: Первые шаги")
    changed = text_en.replace("## Who is a refugee", "## Who is a refugee today")
    preview = author.post("preview", changed, text_ru, token).get_data(as_text=True)
    assert '<h2 id="who-is-a-refugee-today"' in preview or "Who is a refugee today</h2>" in preview
    # Preview saves nothing.
    with author.app.app_context():
        assert db.session.scalar(db.select(db.func.count(AuthoringDraft.id))) == 0


def test_problems_shown_inline_with_line_numbers_same_as_check(as_user, course_library, runner):
    author = as_user("author")
    _response, text_en, text_ru, token = author.editor()
    broken = text_en.replace("- [x] Article 33(1)", "- [ ] Article 33(1)")
    html = author.post("preview", broken, text_ru, token).get_data(as_text=True)
    # The same text as a file, checked by `academy courses check`.
    (course_library / COURSE / "01-first-steps" / "en.md").write_text(broken, encoding="utf-8")
    result = runner.invoke(args=["courses", "check", str(course_library)])
    [line] = [line for line in result.output.splitlines() if "01-first-steps/en.md" in line]
    location, message = line.split(": error: ")
    number = int(location.rsplit(":", 1)[1])
    inline = html[html.index('id="problems-en"'):]
    assert f"line {number}: {escape(message)}" in inline
    assert f"sample-course/01-first-steps/en.md:{number}" in inline
    assert 'aria-describedby="problems-en"' in html


def test_save_then_stale_save_shows_both_and_overwrites_nothing(as_user, authoring_app):
    first, second = as_user("author"), as_user("coordinator")
    _r, text_en, text_ru, token = first.editor()
    _r, _en, _ru, token_second = second.editor()
    assert first.post("save", text_en + "\nFirst edit.\n", text_ru, token).status_code == 302
    stale = second.post("save", text_en + "\nSecond edit.\n", text_ru, token_second)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Someone saved this module after you opened it" in html
    assert "First edit." in html and "Second edit." in html
    with authoring_app.app_context():
        draft = db.session.scalar(db.select(AuthoringDraft))
        assert "First edit." in draft.text_en and "Second edit." not in draft.text_en
    # Saving again from the conflict page (it carries the new token) is a deliberate overwrite.
    from tests.authoring_fixtures import token as token_of
    again = second.post("save", text_en + "\nSecond edit.\n", text_ru, token_of(html))
    assert again.status_code == 302
    with authoring_app.app_context():
        draft = db.session.scalar(db.select(AuthoringDraft))
        assert "Second edit." in draft.text_en and draft.revision == 2
