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


def _edit_english(author, suffix="\nA new closing paragraph.\n"):
    _r, text_en, text_ru, token = author.editor()
    return text_en + suffix, text_ru, token


def test_translation_out_of_date_flagged_until_russian_marked(as_user):
    author = as_user("author")
    text_en, text_ru, token = _edit_english(author)
    assert author.post("save", text_en, text_ru, token).status_code == 302
    html = author.editor()[0].get_data(as_text=True)
    assert "Russian translation out of date" in html
    assert "A new closing paragraph." in html[html.index("ru-out-of-date"):]
    review = author.client.get(f"/author/{COURSE}/{MODULE}/review").get_data(as_text=True)
    assert "Russian translation out of date" in review
    _r, text_en, text_ru, token = author.editor()
    updated = text_ru + "\nНовый заключительный абзац.\n"
    assert author.post("translated", text_en, updated, token).status_code == 302
    _r, _en, saved_ru, _t = author.editor()
    assert "Russian translation out of date" not in _r.get_data(as_text=True)
    assert "Новый заключительный абзац." in saved_ru


def _submitted(as_user):
    author = as_user("author")
    text_en, text_ru, token = _edit_english(author)
    response = author.post("submit", text_en, text_ru, token)
    assert response.status_code == 302
    return author


def test_return_with_comment_then_publish_creates_new_version(as_user, authoring_app):
    author = _submitted(as_user)
    reviewer = as_user("reviewer")
    review = reviewer.client.get(f"/author/{COURSE}/{MODULE}/review").get_data(as_text=True)
    assert "A new closing paragraph." in review and "<ins>" in review
    refused = reviewer.review_post("return", comment="  ")
    assert "a comment is required" in reviewer.client.get(refused.location).get_data(as_text=True)
    reviewer.review_post("return", comment="Please shorten the new paragraph.")
    html = author.editor()[0].get_data(as_text=True)
    assert "Please shorten the new paragraph." in html and "returned with comments" in html
    _r, text_en, text_ru, token = author.editor()
    author.post("submit", text_en.replace("A new closing", "A closing"), text_ru, token)
    with authoring_app.app_context():
        before = _module(authoring_app).current_version
        before_id, before_number = before.id, before.number
    published = reviewer.review_post("publish")
    assert published.status_code == 302
    with authoring_app.app_context():
        module = _module(authoring_app)
        assert module.current_version.number == before_number + 1
        english = module.current_version.content("en")
        assert "A closing paragraph." in english.source and "A closing paragraph." in english.html
        assert db.session.get(type(module.current_version), before_id) is not None
        draft = db.session.scalar(db.select(AuthoringDraft))
        assert draft.status == "published" and draft.published_version_id == module.current_version_id
    history = author.client.get(f"/author/{COURSE}/{MODULE}/history").get_data(as_text=True)
    assert "Author" in history and "Reviewer" in history and "imported from the course files" in history


def test_author_never_publishes_own_change(as_user, authoring_app):
    _submitted(as_user)
    coordinator = as_user("coordinator")
    # The coordinator reviews, but first writes into the draft: now a contributor.
    coordinator.review_post("return", comment="I'll fix a typo.")
    _r, text_en, text_ru, token = coordinator.editor()
    coordinator.post("submit", text_en.replace("closing", "final"), text_ru, token)
    response = coordinator.review_post("publish")
    page = coordinator.client.get(response.location).get_data(as_text=True)
    assert "another reviewer must publish it" in page
    with authoring_app.app_context():
        assert _module(authoring_app).current_version.number == 1


def test_publishing_refused_while_answer_keys_differ(as_user, authoring_app):
    _submitted(as_user)
    with authoring_app.app_context():
        # Forge a parity break into the submitted draft, as if the checker had been skipped.
        draft = db.session.scalar(db.select(AuthoringDraft))
        draft.text_ru = draft.text_ru.replace("- [x] Статья 33", "- [ ] Статья 33", 1).replace(
            "- [ ] Статья 1A(2)", "- [x] Статья 1A(2)", 1)
        assert "[x] Статья 1A(2)" in draft.text_ru
        db.session.commit()
    reviewer = as_user("reviewer")
    review = reviewer.client.get(f"/author/{COURSE}/{MODULE}/review").get_data(as_text=True)
    assert "the answer key must be the same" in review
    page = reviewer.client.get(reviewer.review_post("publish").location).get_data(as_text=True)
    assert "Not published" in page and "answer key" in page
    with authoring_app.app_context():
        assert _module(authoring_app).current_version.number == 1


def test_submit_refused_with_errors_and_parity_shown_inline(as_user):
    author = as_user("author")
    _r, text_en, text_ru, token = author.editor()
    fewer = text_ru[:text_ru.rindex("::: question")]
    response = author.post("submit", text_en, fewer, token)
    page = author.client.get(response.location).get_data(as_text=True)
    assert "not submitted" in page
    assert "both languages must ask the same questions" in page


def test_history_diff_and_restore_as_new_draft(as_user, authoring_app):
    _submitted(as_user)
    as_user("reviewer").review_post("publish")
    author = as_user("author")
    diff = author.client.get(f"/author/{COURSE}/{MODULE}/history?from=1&to=2&lang=en")
    html = diff.get_data(as_text=True)
    assert "<ins>A new closing paragraph.</ins>" in html
    assert author.client.get(f"/author/{COURSE}/{MODULE}/history?from=1&to=9").status_code == 404
    page = author.client.get(f"/author/{COURSE}/{MODULE}/history").get_data(as_text=True)
    from tests.conftest import csrf_token
    restored = author.client.post(f"/author/{COURSE}/{MODULE}/history/1/restore",
                                  data={"csrf_token": csrf_token(page)})
    assert restored.status_code == 302
    _r, text_en, _ru, _t = author.editor()
    assert "A new closing paragraph." not in text_en
    with authoring_app.app_context():
        assert db.session.scalar(db.select(AuthoringDraft).filter_by(status="draft")) is not None


def test_learner_mid_course_keeps_records_against_the_version_taken(as_user, authoring_app):
    from academy.learning.models import ModuleProgress
    from academy.quizzes.models import QuizAttempt
    from tests.authoring_fixtures import learner_passes_module

    first_version = learner_passes_module(authoring_app)
    _submitted(as_user)
    as_user("reviewer").review_post("publish")
    with authoring_app.app_context():
        module = _module(authoring_app)
        assert module.current_version_id != first_version
        progress = db.session.scalar(db.select(ModuleProgress).filter_by(module_id=module.id))
        assert progress.version_id == first_version and progress.completed_at is not None
        assert progress.best_score == 100
        attempt = db.session.scalar(db.select(QuizAttempt).filter_by(module_id=module.id))
        assert attempt.version_id == first_version and attempt.passed
    learner_client = as_user("learner").client
    page = learner_client.get(f"/courses/{COURSE}/{MODULE}/").get_data(as_text=True)
    assert "Completed" in page


def test_home_flags_russian_out_of_date(as_user):
    author = as_user("author")
    assert "Russian translation out of date" not in author.client.get("/author/").get_data(
        as_text=True)
    text_en, text_ru, token = _edit_english(author)
    author.post("save", text_en, text_ru, token)
    assert "Russian translation out of date" in author.client.get("/author/").get_data(
        as_text=True)


def test_publish_refused_when_module_changed_since_draft_began(as_user, authoring_app):
    _submitted(as_user)
    with authoring_app.app_context():
        # Someone imports new files meanwhile: a newer version than the draft's base.
        from academy.authoring.workspace import publish_texts
        from academy.courses.models import ModuleVersion
        module = _module(authoring_app)
        english = module.current_version.content("en").source
        russian = module.current_version.content("ru").source
        publish_texts(module.course, module, english + "\nImported meanwhile.\n", russian)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(ModuleVersion.id)).filter_by(
            module_id=module.id)) == 2
    reviewer = as_user("reviewer")
    page = reviewer.client.get(reviewer.review_post("publish").location).get_data(as_text=True)
    assert "published again since this draft was started" in page
    # The authors see what was published meanwhile; their next save builds on it.
    reviewer.review_post("return", comment="Version 2 came in meanwhile.")
    author = as_user("author")
    response, text_en, text_ru, token = author.editor()
    html = response.get_data(as_text=True)
    assert "Published again since this draft began" in html and "Imported meanwhile." in html
    author.post("submit", text_en, text_ru, token)
    reviewer.review_post("publish")
    with authoring_app.app_context():
        assert _module(authoring_app).current_version.number == 3


def test_new_module_is_a_draft_until_published(as_user, authoring_app):
    from tests.conftest import csrf_token

    author = as_user("author")
    page = author.client.get("/author/").get_data(as_text=True)
    refused = author.client.post(f"/author/{COURSE}/modules", data={
        "csrf_token": csrf_token(page), "slug": "first-steps", "number": "7", "title": "X"})
    assert "already has a module named first-steps" in author.client.get(
        refused.location).get_data(as_text=True)
    created = author.client.post(f"/author/{COURSE}/modules", data={
        "csrf_token": csrf_token(page), "slug": "border-checks", "number": "4",
        "title": "Border checks"})
    assert created.location.endswith(f"/author/{COURSE}/border-checks/")
    # Not visible to learners before it is published.
    learner = as_user("learner").client
    assert learner.get(f"/courses/{COURSE}/border-checks/").status_code == 404
    # Publishing another module meanwhile does not retire the new one.
    _submitted(as_user)
    as_user("reviewer").review_post("publish")
    response, text_en, text_ru, token = author.editor(module="border-checks")
    assert response.status_code == 200 and "title: Border checks" in text_en
    html = response.get_data(as_text=True)
    assert "New module, not yet published" in html
    author.post("submit", text_en, text_ru, token, module="border-checks")
    as_user("reviewer").review_post("publish", module="border-checks")
    with authoring_app.app_context():
        module = db.session.scalar(db.select(Module).filter_by(slug="border-checks"))
        assert module.current_version.number == 1 and module.position == 4
        assert not module.retired
    page = learner.get(f"/courses/{COURSE}/").get_data(as_text=True)
    assert "Border checks" in page


def test_course_page_shows_authors_the_stale_translation(as_user):
    author = as_user("author")
    assert "authoring-panel" in author.client.get(f"/courses/{COURSE}/").get_data(as_text=True)
    text_en, text_ru, token = _edit_english(author)
    author.post("save", text_en, text_ru, token)
    page = author.client.get(f"/courses/{COURSE}/").get_data(as_text=True)
    assert "Russian translation out of date" in page and f"/author/{COURSE}/{MODULE}/" in page
    coordinator = as_user("coordinator").client.get(f"/courses/{COURSE}/").get_data(as_text=True)
    assert "Russian translation out of date" in coordinator
    for who in ("learner", "outsider"):
        page = as_user(who).client.get(f"/courses/{COURSE}/").get_data(as_text=True)
        assert "authoring-panel" not in page


def test_the_preview_sets_the_languages_side_by_side_block_by_block():
    from academy.authoring.workspace import aligned
    from academy.courses.markdown import render_blocks

    en = render_blocks("# Title\n\nOne.\n\n- a\n- b\n\nTwo <b>bold</b>.\n\n> quote\n")
    ru = render_blocks("# Заголовок\n\nОдин.\n\n- а\n- б\n")
    assert len(en) == 5 and len(ru) == 3
    assert en[2].startswith("<ul>") and "&lt;b&gt;" in en[3]  # one block per list; no raw HTML
    rows = aligned({"en": {"blocks": en}, "ru": {"blocks": ru}}, "blocks")
    assert [[lang for lang, _ in row] for row in rows] == [["en", "ru"]] * 5
    assert rows[1] == [("en", en[1]), ("ru", ru[1])] and rows[4] == [("en", en[4]), ("ru", None)]
    assert aligned({"en": {"blocks": en}}, "blocks")[0] == [("en", en[0])]
