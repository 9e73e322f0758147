"""Kept pages (academy.core.pagecache, issue #12): a learner's or anonymous reader's page is
served again without its view while nothing it shows has changed, and never once it has."""
import gzip
from datetime import timedelta

import brotli
import pytest
from sqlalchemy import select, text, update

from academy.auth.models import User
from academy.core import pagecache
from academy.extensions import db
from academy.learning.models import Enrolment
from tests.conftest import AuthActions, csrf_token
from tests.databases import statements
from tests.test_learning import SAMPLE, enrol, page_text, post_form

LESSON = SAMPLE + "reading-only/"
USER_TABLES = ("enrolment", "module_progress", "quiz_attempt", "course_completion",
               "certificate", "course_assignment", "network_trainer_profile")
SITE_TABLES = ("course", "module", "module_version", "module_content", "module_asset",
               "question", "option", "glossary_term")


@pytest.fixture
def learner(imported_app, make_user):
    """A signed-in learner enrolled in the sample course, the lesson opened once."""
    make_user()
    client = imported_app.test_client()
    assert AuthActions(client).login().status_code == 302
    enrol(client)
    client.get(LESSON)  # the first opening writes: it is not kept
    return client


def kept(app, client, url):
    """(the page, whether it came kept: one statement, the stamps' read)."""
    with statements(app) as sql:
        response = client.get(url)
    assert response.status_code == 200
    return page_text(response), len(sql) == 1 and "page_stamp" in sql[0]


def stamps(app, email="learner@example.org"):
    with app.app_context():
        return (db.session.scalar(select(User.page_stamp).where(User.email == email)),
                db.session.scalar(text("SELECT value FROM page_stamp WHERE scope = 0")))


def test_a_page_read_again_is_served_kept_with_the_same_bytes(imported_app, learner):
    for url in (LESSON, SAMPLE, "/courses/", "/dashboard"):
        first, _ = kept(imported_app, learner, url)
        again, was_kept = kept(imported_app, learner, url)
        assert was_kept, url
        assert again == first


def test_the_learners_own_change_shows_at_once(imported_app, learner):
    kept(imported_app, learner, SAMPLE)
    before, was_kept = kept(imported_app, learner, SAMPLE)
    assert was_kept
    assert post_form(learner, LESSON, LESSON + "done").status_code == 302
    page, was_kept = kept(imported_app, learner, SAMPLE)
    assert not was_kept
    assert page.count("Completed") == before.count("Completed") + 1


def test_a_flash_is_shown_once_and_the_page_after_it_is_kept(imported_app, learner):
    post_form(learner, LESSON, LESSON + "done")
    shown = page_text(learner.get(LESSON))
    assert "Module completed." in shown
    page, was_kept = kept(imported_app, learner, LESSON)
    assert "Module completed." not in page and not was_kept
    assert kept(imported_app, learner, LESSON)[1]


def test_a_content_change_shows_at_once(imported_app, learner, course_library):
    from academy.courses.services import import_library

    kept(imported_app, learner, LESSON)
    assert kept(imported_app, learner, LESSON)[1]
    source = course_library / "sample-course" / "02-reading-only" / "en.md"
    source.write_text(source.read_text() + "\nRewritten by the editors.\n")
    with imported_app.app_context():
        import_library(course_library)
    page, was_kept = kept(imported_app, learner, LESSON)
    assert "Rewritten by the editors." in page and not was_kept


def test_the_glossary_of_an_anonymous_reader_is_kept_until_it_changes(imported_app,
                                                                       course_library):
    from academy.courses.services import import_library

    client = imported_app.test_client()
    # The first page gives the browser its session (a CSRF token), the second marks it not
    # fresh (Flask-Login's session protection): from then on the cookie stays the same.
    client.get("/glossary")
    client.get("/glossary")
    first, _ = kept(imported_app, client, "/glossary")
    assert kept(imported_app, client, "/glossary")[1]
    glossary = course_library / "glossary.yml"
    glossary.write_text(glossary.read_text().replace("definition: The prohibition",
                                                     "definition: Changed today. The", 1))
    with imported_app.app_context():
        import_library(course_library)
    page, was_kept = kept(imported_app, client, "/glossary")
    assert "Changed today." in page and not was_kept


def test_another_reader_never_gets_a_kept_page(imported_app, learner, make_user):
    make_user("second@example.org", name_latin="Second Reader")
    kept(imported_app, learner, "/dashboard")
    other = imported_app.test_client()
    assert AuthActions(other).login("second@example.org").status_code == 302
    page, was_kept = kept(imported_app, other, "/dashboard")
    assert "Second Reader" in page and not was_kept
    assert "learner@example.org" not in page


def test_an_ended_session_gets_no_kept_page(imported_app, learner):
    kept(imported_app, learner, "/dashboard")
    assert kept(imported_app, learner, "/dashboard")[1]
    with imported_app.app_context():
        db.session.execute(text("DELETE FROM auth_session"))
        db.session.commit()
    response = learner.get("/dashboard")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_deactivated_or_promoted_account_gets_no_kept_page(imported_app, learner):
    kept(imported_app, learner, SAMPLE)
    with imported_app.app_context():
        db.session.execute(update(User).values(role="trainer"))
        db.session.commit()
    assert not kept(imported_app, learner, SAMPLE)[1]
    assert not kept(imported_app, learner, SAMPLE)[1]  # staff pages are never kept
    with imported_app.app_context():
        db.session.execute(update(User).values(role="learner", active=False))
        db.session.commit()
    assert learner.get(SAMPLE + "reading-only/").status_code == 302


def test_a_kept_page_runs_out_at_its_time(imported_app, learner, monkeypatch):
    kept(imported_app, learner, LESSON)
    assert kept(imported_app, learner, LESSON)[1]
    with imported_app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        due = pagecache._as_utc(enrolment.last_activity_at) + timedelta(minutes=5)
    later = due.timestamp() + 1
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    assert not kept(imported_app, learner, LESSON)[1]


def test_every_change_to_a_learners_rows_or_the_content_moves_a_stamp(imported_app, learner):
    """The triggers, table by table, on the database under test (SQLite or PostgreSQL)."""
    with imported_app.app_context():
        user_id = db.session.scalar(select(User.id))
        has_rows = {table: db.session.scalar(text(f'SELECT count(*) FROM "{table}"'))
                    for table in USER_TABLES + SITE_TABLES}
    for table in USER_TABLES + SITE_TABLES:
        if not has_rows[table]:
            continue
        before = stamps(imported_app)
        column = "user_id" if table in USER_TABLES else "id"
        with imported_app.app_context():
            db.session.execute(text(f'UPDATE "{table}" SET {column} = {column} '
                                    + (f"WHERE user_id = {user_id}" if column == "user_id"
                                       else "")))
            db.session.commit()
        after = stamps(imported_app)
        moved = after[0] > before[0] if table in USER_TABLES else after[1] > before[1]
        assert moved, table
    with imported_app.app_context():
        # (table, event) of every trigger: SQLite's are named page_stamp_<table>_<event>.
        triggers = set(db.session.execute(text(
            "SELECT tbl_name, upper(substr(name, length(tbl_name) + 13)) FROM sqlite_master "
            "WHERE type = 'trigger'" if db.engine.dialect.name == "sqlite" else
            "SELECT event_object_table, event_manipulation FROM information_schema.triggers")))
    for table in USER_TABLES + SITE_TABLES:
        for operation in ("INSERT", "UPDATE", "DELETE"):
            assert (table, operation) in triggers, (table, operation)
    before = stamps(imported_app)
    with imported_app.app_context():
        db.session.execute(update(User).values(name_latin="Renamed"))
        db.session.commit()
    assert stamps(imported_app)[0] > before[0]


def test_a_submitted_quiz_shows_on_the_kept_lesson_page(imported_app, learner):
    quiz = SAMPLE + "first-steps/"
    learner.get(quiz)
    first, _ = kept(imported_app, learner, quiz)
    assert kept(imported_app, learner, quiz)[1]
    started = learner.post(quiz + "attempts", data={"csrf_token": csrf_token(first)})
    assert started.status_code == 302
    page, was_kept = kept(imported_app, learner, quiz)
    assert page != first and not was_kept


def test_turned_off_nothing_is_kept(migrated_template, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(migrated_template, tmp_path / "off", PAGE_CACHE_MB=0)
    assert "academy.pages" not in app.extensions
    client = app.test_client()
    client.get("/glossary")
    assert not kept(app, client, "/glossary")[1]


def test_first_visits_get_the_kept_glossary_each_with_its_own_working_token(imported_app):
    tokens = []
    for visit in range(3):
        client = imported_app.test_client()
        page, was_kept = kept(imported_app, client, "/glossary")
        assert was_kept == (visit > 0)
        token = csrf_token(page)
        tokens.append(token)
        # The token is this visitor's: the language switch it carries works.
        switched = client.post("/language", data={"csrf_token": token, "lang": "ru",
                                                  "next": "/glossary"})
        assert switched.status_code == 302
        assert 'lang="ru"' in page_text(client.get("/glossary"))
    assert len(set(tokens)) == 3
    stranger = imported_app.test_client()
    stranger.get("/glossary")
    refused = stranger.post("/language", data={"csrf_token": tokens[0], "lang": "ru"})
    assert refused.status_code == 400


def test_first_visits_that_accept_compression_get_the_kept_page_as_one_gzip_stream(imported_app):
    """The kept first-visit page is deflated once; each visit's gzip stream carries its own
    token and inflates to the page the view made, byte for byte but for the token."""
    headers = {"Accept-Encoding": "br, gzip", "Sec-Fetch-Site": "same-origin"}
    pages = []
    for visit in range(3):
        client = imported_app.test_client()
        with statements(imported_app) as sql:
            response = client.get("/glossary", headers=headers)
        assert response.status_code == 200
        assert (len(sql) == 1) == (visit > 0)
        assert response.headers["Content-Encoding"] == ("gzip" if visit else "br")
        assert "Accept-Encoding" in response.headers["Vary"]
        body = (gzip.decompress if visit else brotli.decompress)(response.get_data())
        token = csrf_token(body.decode())
        pages.append(body.replace(token.encode(), b"TOKEN"))
        switched = client.post("/language", data={"csrf_token": token, "lang": "ru",
                                                  "next": "/glossary"})
        assert switched.status_code == 302
    assert pages[0] == pages[1] == pages[2]
