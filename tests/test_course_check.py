"""`academy courses check`: every bad input gets its own message, at the right line."""
import shutil

import pytest

from academy.courses.parser import parse_library


@pytest.fixture
def library(course_library):
    return course_library


@pytest.fixture
def course(course_library):
    return course_library / "sample-course"


def problems(path):
    """Every problem found in the library at `path`, as printed."""
    return [str(problem) for problem in parse_library(path)[1]]


def errors(path):
    return [text for text in problems(path) if ": error: " in text]


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, text):
    """The 1-based line of the first line of `path` containing `text`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def only_error(path, expected):
    found = errors(path)
    assert found == [expected], found


# -- the valid sample and the command --------------------------------------------------------------

def test_sample_library_is_valid_with_one_warning(course):
    english_only = course / "03-english-only" / "en.md"
    assert problems(course.parent) == [
        f"{english_only}:1: warning: no Russian translation (ru.md): Russian readers will see "
        "the English text with a notice"]


def test_check_command_prints_problems_on_stderr_and_a_summary(runner, library):
    result = runner.invoke(args=["courses", "check", str(library)])
    assert result.exit_code == 0
    # The sample pool of 4 drawing 3 also gets the statistics check's pool warning.
    assert result.stdout == "1 course, 3 modules, 0 errors, 2 warnings\n"
    assert ("warning: no Russian translation (ru.md): Russian readers will see the English text "
            "with a notice\n") in result.stderr
    assert result.stderr.endswith("course.yml:1: warning: the final pool has 4 questions for a "
                                  "draw of 3: hold at least 6 so that a new attempt sees new "
                                  "questions\n")


def test_check_command_exits_1_on_error_without_traceback(runner, course):
    (course / "course.yml").write_text("title: [unclosed\n", encoding="utf-8")
    result = runner.invoke(args=["courses", "check", str(course)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    assert any(line.startswith(f"{course / 'course.yml'}:") and ": error: YAML syntax error: "
               in line for line in result.stderr.splitlines())
    assert result.stdout == "1 course, 3 modules, 1 error, 1 warning\n"


def test_check_command_on_a_missing_folder(runner, tmp_path):
    result = runner.invoke(args=["courses", "check", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.stderr == (f"{tmp_path / 'nowhere'}:1: error: no such folder: give a course "
                             "folder or a folder of courses\n")


def test_paths_are_shown_as_given(monkeypatch, library):
    monkeypatch.chdir(library.parent)
    assert problems("library")[0].startswith(
        "library/sample-course/03-english-only/en.md:1: warning:")


# -- files: encoding, YAML, size, course.yml -------------------------------------------------------

def test_invalid_utf8_reports_the_byte_offset(course):
    path = course / "01-first-steps" / "en.md"
    data = path.read_bytes()
    offset = data.index(b"Who is a refugee")
    path.write_bytes(data[:offset] + b"\xff" + data[offset:])
    line = data[:offset].count(b"\n") + 1
    only_error(course, f"{path}:{line}: error: invalid UTF-8 at byte offset {offset} (the file "
                       "must be saved as UTF-8)")


def test_yaml_syntax_error_gives_the_line_of_the_error(course):
    edit(course / "course.yml", "pass_mark: 70", "pass_mark: [70")
    found = errors(course)
    assert len(found) == 1
    assert found[0].startswith(f"{course / 'course.yml'}:")
    assert ": error: YAML syntax error: " in found[0]
    assert int(found[0].split(":")[1]) >= line_of(course / "course.yml", "pass_mark")


def test_yaml_syntax_error_in_front_matter_counts_lines_of_the_file(course):
    path = course / "01-first-steps" / "en.md"
    edit(path, "estimated_minutes: 30", "estimated_minutes: : 30")
    found = errors(course)
    # libyaml says "in this context", pure-Python PyYAML "here".
    assert len(found) == 1 and found[0].startswith(
        f"{path}:{line_of(path, 'estimated_minutes')}: error: YAML syntax error: mapping values "
        "are not allowed "), found


def test_yaml_tags_that_construct_objects_are_refused_and_never_run(course, tmp_path):
    marker = tmp_path / "pwned"
    edit(course / "course.yml", "pass_mark: 70",
         f'pass_mark: !!python/object/apply:os.system ["touch {marker}"]')
    only_error(course, f"{course / 'course.yml'}:{line_of(course / 'course.yml', 'pass_mark')}: "
                       "error: YAML tag !!python/object/apply:os.system is not allowed: course "
                       "files hold plain data only")
    assert not marker.exists()


def test_yaml_aliases_are_refused(course):
    edit(course / "course.yml", "summary:\n", "summary: &s\n")
    edit(course / "course.yml", "thematic_area:", "other: *s\nthematic_area:")
    only_error(course, f"{course / 'course.yml'}:1: error: YAML anchors and aliases are not "
                       "allowed")


def test_missing_required_key(course):
    edit(course / "course.yml", "pass_mark: 70\n", "")
    only_error(course, f"{course / 'course.yml'}:1: error: missing required key pass_mark")


def test_missing_nested_key_points_at_its_parent(course):
    edit(course / "course.yml", "  ru: Учебный курс по основам убежища\n", "")
    only_error(course, f"{course / 'course.yml'}:1: error: missing required key title.ru")


def test_unknown_key(course):
    edit(course / "course.yml", "pass_mark: 70", "pass_mark: 70\ncolour: blue")
    only_error(course, f"{course / 'course.yml'}:{line_of(course / 'course.yml', 'colour')}: "
                       "error: unknown key colour (allowed here: title, summary, thematic_area, "
                       "pass_mark, certificate, estimated_hours, valid_as_of, shuffle_options, "
                       "max_attempts, quiz_review, final_assessment)")


@pytest.mark.parametrize("line, message", [
    ("pass_mark: 150", "pass_mark must be a whole number from 1 to 100 (found 150)"),
    ("pass_mark: seventy", "pass_mark must be a whole number from 1 to 100 (found 'seventy')"),
    ("pass_mark: 70.5", "pass_mark must be a whole number from 1 to 100 (found 70.5)"),
    ("pass_mark: true", "pass_mark must be a whole number from 1 to 100 (found True)"),
    ("estimated_hours: 0", "estimated_hours must be a number greater than 0 (found 0)"),
    ("estimated_hours: -1.5", "estimated_hours must be a number greater than 0 (found -1.5)"),
    ("valid_as_of: soon", "valid_as_of must be a date written as YYYY-MM-DD (found 'soon')"),
    ("certificate: always", "certificate must be one of: auto, manual (found 'always')"),
    ("shuffle_options: maybe", "shuffle_options must be true or false (found 'maybe')"),
    ("max_attempts: 0", "max_attempts must be a whole number of at least 1 (found 0)"),
    ("thematic_area: border-management", "thematic_area must be one of: irregular-migration, "
     "asylum-protection, return-reintegration, legal-migration, integration, "
     "migration-development (found 'border-management')"),
])
def test_wrong_types_in_course_yml(course, line, message):
    key = line.split(":")[0]
    path = course / "course.yml"
    kept = [text for text in path.read_text(encoding="utf-8").split("\n")
            if not text.startswith(key + ":")]
    path.write_text("\n".join([line] + kept), encoding="utf-8")
    only_error(course, f"{path}:1: error: {message}")


def test_missing_course_yml(course):
    (course / "course.yml").unlink()
    only_error(course.parent, f"{course / 'course.yml'}:1: error: missing course.yml: every "
                              "course folder needs one")


def test_missing_course_yml_when_the_course_folder_is_given(course):
    (course / "course.yml").unlink()
    only_error(course, f"{course / 'course.yml'}:1: error: missing course.yml: every course "
                       "folder needs one")


def test_module_over_512_kb(course):
    path = course / "02-reading-only" / "en.md"
    edit(path, "## The Convention", "x" * (513 * 1024) + "\n\n## The Convention")
    only_error(course, f"{path}:1: error: the file is 514 KB; the limit is 512 KB")


def test_module_without_front_matter(course):
    path = course / "02-reading-only" / "en.md"
    path.write_text("# Just text\n", encoding="utf-8")
    only_error(course, f"{path}:1: error: the file must start with YAML front matter between "
                       "'---' lines")


def test_unknown_front_matter_key_and_bad_minutes(course):
    path = course / "02-reading-only" / "en.md"
    edit(path, "estimated_minutes: 15", "estimated_minutes: 0\nauthor: Someone")
    assert errors(course) == [
        f"{path}:{line_of(path, 'estimated_minutes')}: error: estimated_minutes must be a whole "
        "number from 1 to 10000 (found 0)",
        f"{path}:{line_of(path, 'author')}: error: unknown key author (allowed here: title, "
        "summary, estimated_minutes, objectives, sources)"]


def test_sources_must_not_be_empty(course):
    path = course / "02-reading-only" / "en.md"
    edit(path, '  - "1951 Convention relating to the Status of Refugees"\n', "")
    edit(path, "sources:", "sources: []")
    only_error(course, f"{path}:{line_of(path, 'sources:')}: error: sources must list at least "
                       "one item (found [])")


def test_russian_module_needs_source_hash(course):
    path = course / "02-reading-only" / "ru.md"
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(line for line in text.split("\n")
                              if not line.startswith("source_hash")), encoding="utf-8")
    only_error(course, f"{path}:1: error: missing required key source_hash")


# -- folders and slugs -----------------------------------------------------------------------------

def test_duplicate_module_numbers(course):
    shutil.copytree(course / "02-reading-only", course / "02-more-reading")
    only_error(course, f"{course / '02-reading-only'}:1: error: module number 02 is used twice "
                       "(also by 02-more-reading)")


def test_duplicate_module_slugs(course):
    shutil.copytree(course / "02-reading-only", course / "04-reading-only")
    only_error(course, f"{course / '04-reading-only'}:1: error: module slug reading-only is used "
                       "twice (also by 02-reading-only)")


@pytest.mark.parametrize("name", ["01-..", "04-Upper-Case", "04-with space", "04-беженцы",
                                  "04-double--hyphen"])
def test_unsafe_module_slugs(course, name):
    shutil.copytree(course / "02-reading-only", course / name)
    slug = name[3:]
    only_error(course, f"{course / name}:1: error: module folder name: {slug!r} is not a safe "
                       "slug: use lower-case ASCII letters, digits and single hyphens (like "
                       "non-refoulement-basics)")


def test_unsafe_course_slug(library):
    (library / "sample-course").rename(library / "Sample Course")
    only_error(library, f"{library / 'Sample Course'}:1: error: course folder name: 'Sample "
                        "Course' is not a safe slug: use lower-case ASCII letters, digits and "
                        "single hyphens (like non-refoulement-basics)")


@pytest.mark.parametrize("key", ["../etc", "a/b", "Non-Refoulement", "non refoulement"])
def test_unsafe_glossary_keys(library, key):
    path = library / "glossary.yml"
    edit(path, "key: refugee", f"key: {key!r}")
    found = errors(library)
    assert found[0] == (f"{path}:{line_of(path, key)}: error: terms.key must be lower-case ASCII "
                        f"letters, digits and single hyphens (found {key!r})")


@pytest.mark.parametrize("name", ["1-intro", "intro", "01_intro"])
def test_module_folder_not_named_nn_slug(course, name):
    shutil.copytree(course / "02-reading-only", course / name)
    only_error(course, f"{course / name}:1: error: module folder {name!r} must be named NN-slug, "
                       "a two-digit number and a slug (like 01-sources-and-scope)")


def test_module_without_english(course):
    (course / "02-reading-only" / "en.md").unlink()
    only_error(course, f"{course / '02-reading-only' / 'en.md'}:1: error: missing en.md: every "
                       "module needs its English text")


def test_duplicate_yaml_keys_are_refused(course):
    edit(course / "course.yml", "pass_mark: 70", "pass_mark: 70\npass_mark: 80")
    path = course / "course.yml"
    first = line_of(path, "pass_mark")
    only_error(course, f"{path}:{first + 1}: error: the key pass_mark appears twice (also on "
                       f"line {first})")


def test_a_file_instead_of_a_folder(course):
    path = course / "course.yml"
    only_error(path, f"{path}:1: error: {path} is not a folder: give a course folder or a folder "
                     "of courses")


def test_objectives_item_read_as_a_mapping_points_at_the_item(course):
    path = course / "01-first-steps" / "en.md"
    edit(path, "  - Recognise a request for international protection.",
         "  - Recognise: a request.")
    only_error(course, f"{path}:{line_of(path, 'Recognise:')}: error: objectives item 1 is not "
                       "a text: YAML reads 'words: more words' as a key and a value, so put the "
                       "item in quotes (found {'Recognise': 'a request.'})")


def test_unreadable_file(course):
    import os

    path = course / "02-reading-only" / "en.md"
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path.chmod(0)
    only_error(course, f"{path}:1: error: cannot read the file: Permission denied")


@pytest.mark.parametrize("make", ["directory", "fifo"])
@pytest.mark.parametrize("name", ["en.md", "ru.md"])
def test_a_module_file_that_is_not_a_regular_file_is_an_error(course, make, name):
    """Security review (issue 13, finding 6): a directory or FIFO passed the check and crashed
    the import (or hung the reader)."""
    import os

    path = course / "02-reading-only" / name
    path.unlink()
    os.mkdir(path) if make == "directory" else os.mkfifo(path)
    found = errors(course)
    assert f"{path}:1: error: not a regular file: the course library holds plain files only" \
        in found


def test_a_fifo_glossary_is_an_error_not_a_hang(library):
    import os
    import threading

    path = library / "glossary.yml"
    path.unlink()
    os.mkfifo(path)
    result = []
    worker = threading.Thread(target=lambda: result.append(errors(library)), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # release the reader so the test run can go on, then fail
        with open(path, "w"):
            pass
        worker.join(5)
        pytest.fail("the checker hangs on a FIFO glossary.yml")
    assert f"{path}:1: error: not a regular file: the course library holds plain files only" \
        in result[0]


def test_import_refuses_a_directory_module_file(imported_app, course):
    import os

    from academy.courses.services import CourseLibraryError, import_library

    path = course / "02-reading-only" / "en.md"
    path.unlink()
    os.mkdir(path)
    with imported_app.app_context(), pytest.raises(CourseLibraryError):
        import_library(course)
