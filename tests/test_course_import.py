"""`academy courses import`: all or nothing, idempotent, a new immutable version per change."""
import hashlib
import re
import shutil
import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from academy.courses.models import (Course, GlossaryTerm, Module, ModuleContent, ModuleVersion,
                                    Option, Question)
from academy.courses.services import CourseLibraryError, import_library
from academy.extensions import db
from tests.course_fixtures import SAMPLE_LIBRARY


@pytest.fixture
def library(course_library):
    return course_library


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def row_counts():
    """Rows in every table of the schema."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def database_fingerprint(app):
    """Row counts of every table and the SHA-256 of the database file after a checkpoint.

    On PostgreSQL (ACADEMY_TEST_DATABASE) there is no one file: the SHA-256 of every row of
    every table in primary-key order instead.
    """
    with app.app_context():
        counts = row_counts()
        if db.engine.dialect.name == "postgresql":
            rows = [db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
                    for table in db.metadata.sorted_tables]
            db.session.rollback()
            db.engine.dispose()
            return counts, hashlib.sha256(repr(rows).encode()).hexdigest()
        db.session.rollback()
        db.engine.dispose()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path, isolation_level=None) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    with open(path, "rb") as handle:
        return counts, hashlib.sha256(handle.read()).hexdigest()


def refuse_inserts(app, table):
    """Make the real database reject every insert into `table` ('disk on fire')."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text(
                f"CREATE FUNCTION refuse_{table}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
                "'disk on fire' USING ERRCODE = 'integrity_constraint_violation'; END $$ "
                "LANGUAGE plpgsql"))  # an IntegrityError, as SQLite's RAISE(ABORT)
            db.session.execute(db.text(f'CREATE TRIGGER refuse_{table} BEFORE INSERT ON "{table}" '
                                       f"FOR EACH ROW EXECUTE FUNCTION refuse_{table}()"))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
            return
        db.engine.dispose()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path, isolation_level=None) as connection:
        connection.execute(f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                           "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    connection.close()


def course_row():
    return db.session.scalar(select(Course).where(Course.slug == "sample-course"))


def modules_by_slug():
    return {module.slug: module for module in db.session.scalars(select(Module))}


def test_import_creates_course_modules_versions_and_glossary(app, library):
    with app.app_context():
        summary = import_library(library)
        assert (summary.courses_created, summary.modules_created, summary.versions_created,
                summary.glossary_created) == (1, 4, 4, 3)
        assert [str(w).split(": ", 2)[1:] for w in summary.warnings] == [
            ["warning", "no Russian translation (ru.md): Russian readers will see the English "
             "text with a notice"]]
        course = course_row()
        assert (course.title_en, course.title_ru) == ("Sample course on asylum basics",
                                                     "Учебный курс по основам убежища")
        assert (course.thematic_area, course.pass_mark, course.certificate_policy,
                course.estimated_hours, course.max_attempts, course.final_draw,
                course.shuffle_options, course.content_version) == (
            "asylum-protection", 70, "auto", 2.0, None, 3, True, 1)
        assert course.valid_as_of.isoformat() == "2026-11-01"
        assert len(course.content_hash) == 64
        assert [(m.slug, m.position, m.kind) for m in course.modules] == [
            ("first-steps", 1, "lesson"), ("reading-only", 2, "lesson"),
            ("english-only", 3, "lesson"), ("final", 99, "final")]
        modules = modules_by_slug()
        first = modules["first-steps"].current_version
        assert first.number == 1
        assert sorted(c.lang for c in first.contents) == ["en", "ru"]
        assert [q.kind for q in first.questions] == ["single", "multiple", "truefalse"]
        assert [q.scenario for q in first.questions] == [False, True, False]
        question = first.questions[0]
        assert question.stem_en == ("<p>Which article of the 1951 Convention sets out the "
                                    "principle of non-refoulement?</p>\n")
        assert question.stem_ru.startswith("<p>Какая статья Конвенции 1951 года")
        assert question.feedback_ru.startswith("<p>Статья 33(1) запрещает")
        assert [(o.position, o.text_en, o.text_ru, o.is_correct) for o in question.options] == [
            (1, "Article 1A(2)", "Статья 1A(2)", False), (2, "Article 33(1)", "Статья 33(1)", True),
            (3, "Article 31(1)", "Статья 31(1)", False)]
        english = first.content("en")
        assert english.title == "First steps in international protection"
        assert english.estimated_minutes == 30
        assert english.sources == ["1951 Convention relating to the Status of Refugees, "
                                   "Art. 1A(2) and 33(1)"]
        assert '<h2 id="sec-who-is-a-refugee">Who is a refugee</h2>' in english.html
        # A glossary link explains itself in place and still leads to the glossary.
        assert re.search(r'<a href="/glossary#refugee" class="term" rel="noopener noreferrer">'
                         r'refugee</a><button type="button" class="gloss-btn" popovertarget='
                         r'"(gl-en-\d+)"><span class="vh">Definition: refugee</span></button>'
                         r'<span class="gloss-pop" id="\1" popover="">', english.html)
        assert ('<a class="gloss-link" href="/glossary#refugee" rel="noopener noreferrer">'
                in english.html)
        assert "<table>" in english.html and "::: question" not in english.html
        assert "Which article" not in english.html  # questions are not part of the text
        assert english.source.startswith("---\ntitle: First steps")
        assert len(english.source_hash) == 64 and len(first.source_hash) == 64
        assert modules["reading-only"].current_version.questions == []
        final = modules["final"].current_version
        assert len(final.questions) == 4 and final.questions[2].kind == "truefalse"
        terms = {t.key: t for t in db.session.scalars(select(GlossaryTerm))}
        assert sorted(terms) == ["asylum-seeker", "non-refoulement", "refugee"]
        assert terms["non-refoulement"].term_ru == "принцип невысылки"
        assert terms["non-refoulement"].avoid_ru == [
            "принцип недопустимости принудительного возвращения"]


def test_english_only_module_stores_only_english(imported_app):
    with imported_app.app_context():
        version = modules_by_slug()["english-only"].current_version
        assert [c.lang for c in version.contents] == ["en"]
        assert version.content("ru").lang == "en"
        assert [(q.stem_ru, q.feedback_ru) for q in version.questions] == [(None, None)] * 2
        assert all(o.text_ru is None for q in version.questions for o in q.options)


def test_reimporting_unchanged_files_creates_nothing(app, library):
    with app.app_context():
        import_library(library)
        before = row_counts()
        hash_before = course_row().content_hash
        summary = import_library(library)
        assert row_counts() == before
        assert not summary.changed
        assert (summary.courses_unchanged, summary.modules_unchanged,
                summary.glossary_unchanged) == (1, 4, 3)
        assert (course_row().content_version, course_row().content_hash) == (1, hash_before)


def test_a_changed_translation_creates_a_new_version_and_keeps_the_old(app, library):
    module_dir = library / "sample-course" / "01-first-steps"
    with app.app_context():
        import_library(library)
        old = modules_by_slug()["first-steps"].current_version
        old_id, old_html = old.id, old.content("ru").html
        old_question_ids = [q.id for q in old.questions]
        before = row_counts()
        edit(module_dir / "ru.md", "## Невысылка", "## Принцип невысылки")
        summary = import_library(library)
        assert (summary.versions_created, summary.modules_updated, summary.modules_unchanged,
                summary.courses_updated) == (1, 1, 3, 1)
        db.session.expire_all()
        module = modules_by_slug()["first-steps"]
        assert module.current_version.number == 2
        assert module.current_version_id != old_id
        assert "sec-принцип-невысылки" in module.current_version.content("ru").html
        kept = db.session.get(ModuleVersion, old_id)
        assert kept.number == 1 and kept.content("ru").html == old_html
        assert [q.id for q in kept.questions] == old_question_ids
        after = row_counts()
        assert after["module_version"] == before["module_version"] + 1
        assert after["module_content"] == before["module_content"] + 2
        assert after["question"] == before["question"] + 3
        assert after["option"] == before["option"] + 8
        assert course_row().content_version == 2


def test_course_yml_change_updates_the_course(app, library):
    with app.app_context():
        import_library(library)
        edit(library / "sample-course" / "course.yml", "pass_mark: 70", "pass_mark: 80\n"
             "max_attempts: 3\nshuffle_options: false")
        summary = import_library(library)
        assert (summary.courses_updated, summary.versions_created) == (1, 0)
        db.session.expire_all()
        course = course_row()
        assert (course.pass_mark, course.max_attempts, course.shuffle_options,
                course.content_version) == (80, 3, False, 2)


def test_a_removed_module_is_retired_not_deleted(app, library):
    with app.app_context():
        import_library(library)
        shutil.rmtree(library / "sample-course" / "02-reading-only")
        summary = import_library(library)
        assert summary.modules_retired == 1
        db.session.expire_all()
        module = modules_by_slug()["reading-only"]
        assert module.retired and module.current_version is not None
        assert [m.slug for m in course_row().modules] == ["first-steps", "english-only", "final"]
        assert course_row().content_version == 2


def test_glossary_terms_are_upserted_by_key(app, library):
    with app.app_context():
        import_library(library)
        edit(library / "glossary.yml", "term: беженец", "term: беженец (лицо)")
        summary = import_library(library)
        assert (summary.glossary_updated, summary.glossary_unchanged) == (1, 2)
        assert db.session.scalar(select(GlossaryTerm).where(GlossaryTerm.key == "refugee")
                                 ).term_ru == "беженец (лицо)"


def test_a_single_course_folder_can_be_imported(app, library):
    with app.app_context():
        summary = import_library(library / "sample-course")
        assert (summary.courses_created, summary.glossary_created) == (1, 0)


def test_failed_import_leaves_the_database_byte_for_byte_unchanged(imported_app, library):
    edit(library / "sample-course" / "01-first-steps" / "ru.md", "- [x] Статья 33(1)",
         "- [ ] Статья 33(1)")
    edit(library / "sample-course" / "course.yml", "pass_mark: 70", "pass_mark: 90")
    before = database_fingerprint(imported_app)
    with imported_app.app_context(), pytest.raises(CourseLibraryError) as caught:
        import_library(library)
    assert [p.message for p in caught.value.problems if p.severity == "error"] == [
        "no option is marked correct: mark the right answers with '[x]'"]
    assert database_fingerprint(imported_app) == before


def test_a_database_error_midway_rolls_everything_back(imported_app, library):
    # A real failure inside the transaction, after the course and modules were written:
    # the database refuses new options.
    refuse_inserts(imported_app, "option")
    edit(library / "sample-course" / "course.yml", "pass_mark: 70", "pass_mark: 90")
    edit(library / "sample-course" / "01-first-steps" / "en.md", "## Non-refoulement",
         "## The principle of non-refoulement")
    shutil.copytree(library / "sample-course" / "02-reading-only",
                    library / "sample-course" / "04-new-module")
    before = database_fingerprint(imported_app)
    with imported_app.app_context(), pytest.raises(IntegrityError):
        import_library(library)
    assert database_fingerprint(imported_app) == before


def test_cli_import_prints_a_summary(runner, library):
    result = runner.invoke(args=["courses", "import", str(library)])
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.splitlines() == [
        "courses: 1 created, 0 updated, 0 unchanged",
        "modules: 4 created, 0 updated, 0 unchanged, 0 retired",
        "new module versions: 4",
        "glossary terms: 3 created, 0 updated, 0 unchanged, 0 removed"]
    assert "warning: no Russian translation" in result.stderr


def test_cli_import_refuses_a_library_with_errors(runner, library):
    (library / "sample-course" / "course.yml").write_text("pass_mark: [\n", encoding="utf-8")
    result = runner.invoke(args=["courses", "import", str(library)])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{library / 'sample-course' / 'course.yml'}:2: error: YAML "
                               "syntax error:") for line in lines)
    assert lines[-1] == "1 error: nothing was imported."


def test_cli_import_reports_a_database_failure_without_traceback(app, runner, library):
    refuse_inserts(app, "course")
    result = runner.invoke(args=["courses", "import", str(library)])
    assert result.exit_code == 1
    assert result.stderr.endswith("error: the import failed and nothing was written: disk on "
                                  "fire\n")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModuleContent)) == 0
        assert db.session.scalar(select(func.count()).select_from(Question)) == 0
        assert db.session.scalar(select(func.count()).select_from(Option)) == 0


@pytest.mark.postgres
def test_import_on_postgresql_is_atomic_and_idempotent(postgres_url, library):
    from flask_migrate import upgrade

    from academy import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url})
    with app.app_context():
        upgrade()
        summary = import_library(library)
        assert (summary.courses_created, summary.versions_created) == (1, 4)
        before = row_counts()
        assert not import_library(library).changed
        assert row_counts() == before
        # A real failure midway through the transaction: the database refuses new options.
        db.session.execute(db.text(
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
            "'disk on fire'; END $$ LANGUAGE plpgsql"))
        db.session.execute(db.text("CREATE TRIGGER refuse_options BEFORE INSERT ON option "
                                   "FOR EACH ROW EXECUTE FUNCTION refuse()"))
        db.session.commit()
        edit(library / "sample-course" / "course.yml", "pass_mark: 70", "pass_mark: 90")
        edit(library / "sample-course" / "01-first-steps" / "en.md", "## Non-refoulement",
             "## The principle of non-refoulement")
        with pytest.raises(Exception, match="disk on fire"):
            import_library(library)
        assert row_counts() == before
        assert course_row().pass_mark == 70
        db.session.remove()
        db.engine.dispose()


def test_export_writes_the_course_back_and_it_imports_unchanged(imported_app, runner, tmp_path):
    result = runner.invoke(args=["courses", "export", "sample-course", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"10 files written under {tmp_path / 'out'}\n"
    exported = tmp_path / "out" / "sample-course"
    for relative in ("course.yml", "01-first-steps/en.md", "01-first-steps/ru.md",
                     "01-first-steps/access-tiers.png", "03-english-only/en.md", "final/ru.md"):
        assert (exported / relative).read_bytes() == \
            (SAMPLE_LIBRARY / "sample-course" / relative).read_bytes()
    assert not (exported / "03-english-only" / "ru.md").exists()
    assert (tmp_path / "out" / "glossary.yml").exists()
    with imported_app.app_context():
        summary = import_library(tmp_path / "out")
        assert not summary.changed


def test_export_refuses_an_unknown_course_and_a_used_destination(imported_app, runner, tmp_path):
    result = runner.invoke(args=["courses", "export", "no-such-course", str(tmp_path)])
    assert (result.exit_code, result.stderr) == (
        1, "error: no course with the slug no-such-course\n")
    (tmp_path / "sample-course").mkdir()
    (tmp_path / "sample-course" / "notes.txt").write_text("mine")
    result = runner.invoke(args=["courses", "export", "sample-course", str(tmp_path)])
    assert (result.exit_code, result.stderr) == (
        1, f"error: {tmp_path / 'sample-course'} already exists and is not empty: choose another "
           "destination\n")


def test_option_ids_do_not_reveal_the_authored_order(app):
    """Quiz forms carry option ids; ids rising with the authored position would undo the shuffle."""
    from academy.courses.models import Question
    from academy.courses.services import import_library
    from academy.extensions import db

    with app.app_context():
        import_library(SAMPLE_LIBRARY)
        orders = [[o.id for o in q.options] for q in db.session.scalars(db.select(Question))]
        assert len(orders) >= 8
        # All ascending by chance has a probability below one in a million for this library.
        assert any(ids != sorted(ids) for ids in orders)
