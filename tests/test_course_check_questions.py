"""`academy courses check`: questions, the two languages, links, glossary and final assessment."""
import shutil

import pytest

from academy.courses.parser import parse_library
from tests.images import png
from tests.test_course_check import (course, edit, errors, library, line_of,  # noqa: F401
                                     only_error, problems)

QUESTION = """::: question
Which article of the 1951 Convention sets out the principle of non-refoulement?

- [ ] Article 1A(2)
- [x] Article 33(1)
- [ ] Article 31(1)

> Article 33(1) prohibits returning a refugee "in any manner whatsoever" to a territory where
> their life or freedom would be threatened.
:::"""


@pytest.fixture
def module(course):
    """The English file of the first module, which holds three questions."""
    return course / "01-first-steps" / "en.md"


def replace_first_question(module, text):
    edit(module, QUESTION, text)
    return line_of(module, text.split("\n")[0])


def test_sample_questions_are_parsed(course):
    library, _problems = parse_library(course)
    first = library.courses[0].modules[0]
    english, russian = first.files["en"], first.files["ru"]
    assert [q.kind for q in english.questions] == ["single", "multiple", "truefalse"]
    assert [q.scenario for q in english.questions] == [False, True, False]
    assert [q.kind for q in russian.questions] == ["single", "multiple", "truefalse"]
    assert english.questions[0].options == [("Article 1A(2)", False), ("Article 33(1)", True),
                                            ("Article 31(1)", False)]
    assert english.questions[0].stem.startswith("Which article")
    assert english.questions[0].feedback.startswith("Article 33(1) prohibits")
    assert "\n> " not in english.questions[0].feedback
    assert "::: question" not in english.body and "## Non-refoulement" in english.body
    assert english.source_hash == russian.front["source_hash"] + english.source_hash[12:]


def test_question_with_no_correct_option(module):
    line = replace_first_question(module, QUESTION.replace("- [x]", "- [ ]"))
    assert f"{module}:{line}: error: no option is marked correct: mark the right answers with " \
           "'[x]'" in errors(module.parent.parent)


def test_question_with_only_one_option(module):
    line = replace_first_question(module, QUESTION.replace("- [ ] Article 1A(2)\n", "")
                                  .replace("- [ ] Article 31(1)\n", ""))
    assert f"{module}:{line}: error: the question has only one option: at least two are " \
           "needed" in errors(module.parent.parent)


def test_question_with_empty_stem(module):
    line = replace_first_question(module, QUESTION.replace(
        "Which article of the 1951 Convention sets out the principle of non-refoulement?\n", ""))
    assert f"{module}:{line}: error: the question has no stem: write the question before its " \
           "options" in errors(module.parent.parent)


def test_question_with_no_feedback(module):
    text = QUESTION.split("\n\n> ")[0] + "\n:::"
    line = replace_first_question(module, text)
    assert f"{module}:{line}: error: the question has no feedback: add a '>' block quote after " \
           "the options that explains the answer" in errors(module.parent.parent)


def test_question_with_no_options(module):
    line = replace_first_question(module, "::: question\nWhat?\n\n> Because.\n:::")
    assert f"{module}:{line}: error: the question has no options: add a task list with " \
           "'- [ ]' and '- [x]'" in errors(module.parent.parent)


def test_option_without_checkbox(module):
    replace_first_question(module, QUESTION.replace("- [ ] Article 31(1)", "- Article 31(1)"))
    assert f"{module}:{line_of(module, '- Article 31(1)')}: error: an option must be a task " \
           "list item: '- [ ] text' or '- [x] text'" in errors(module.parent.parent)


def test_unclosed_container_at_the_end(module):
    text = module.read_text(encoding="utf-8").rstrip("\n")
    assert text.endswith(":::")
    module.write_text(text[:-3], encoding="utf-8")
    last = text.rindex("::: question")
    line = text[:last].count("\n") + 1
    assert f"{module}:{line}: error: this question is not closed: add a line ':::' after its " \
           "feedback" in errors(module.parent.parent)


def test_unclosed_container_before_the_next_question(module):
    line = replace_first_question(module, QUESTION[:-4])
    assert f"{module}:{line}: error: this question is not closed with ':::' before the next " \
           "'::: question'" in errors(module.parent.parent)


def test_misspelt_container(module):
    line = replace_first_question(module, QUESTION.replace("::: question", "::: qestion"))
    found = errors(module.parent.parent)
    assert f"{module}:{line}: error: '::: qestion' is not a question container: write '::: " \
           "question' (or '::: question scenario') to open one and ':::' alone to close it" \
           in found


def test_unknown_question_option(module):
    line = replace_first_question(module, QUESTION.replace("::: question", "::: question hard"))
    assert f"{module}:{line}: error: unknown question option 'hard': write '::: question' or " \
           "'::: question scenario'" in errors(module.parent.parent)


def test_true_false_with_both_correct(module):
    edit(module, "- [ ] True", "- [x] True")
    line = line_of(module, "An asylum seeker may be returned") - 1
    assert f"{module}:{line}: error: a true/false question has exactly one correct option" \
           in errors(module.parent.parent)


# -- English and Russian ---------------------------------------------------------------------------

def test_russian_module_with_a_missing_question(course):
    russian = course / "01-first-steps" / "ru.md"
    text = russian.read_text(encoding="utf-8")
    start = text.rindex("::: question")
    russian.write_text(text[:start], encoding="utf-8")
    line = line_of(russian, "::: question scenario")
    only_error(course, f"{russian}:{line}: error: ru.md has 2 questions but en.md has 3: both "
                       "languages must ask the same questions in the same order")


def test_russian_module_with_a_different_answer_key(course):
    russian = course / "01-first-steps" / "ru.md"
    edit(russian, "- [ ] Статья 1A(2)\n- [x] Статья 33(1)", "- [x] Статья 1A(2)\n- [ ] Статья 33(1)")
    english = course / "01-first-steps" / "en.md"
    only_error(course, f"{russian}:{line_of(russian, '::: question')}: error: question 1: ru.md "
                       "marks option(s) 1 correct but en.md marks 2 (line "
                       f"{line_of(english, '::: question')}): the answer key must be the same")


def test_russian_module_with_a_different_number_of_options(course):
    russian = course / "01-first-steps" / "ru.md"
    edit(russian, "- [ ] Статья 31(1)\n", "")
    english = course / "01-first-steps" / "en.md"
    only_error(course, f"{russian}:{line_of(russian, '::: question')}: error: question 1 has 2 "
                       f"options in ru.md but 3 in en.md (line {line_of(english, '::: question')})")


def test_true_false_in_one_language_only(course):
    russian = course / "01-first-steps" / "ru.md"
    edit(russian, "- [ ] Верно\n- [x] Неверно", "- [ ] Да\n- [x] Нет")
    line = line_of(russian, "Лицо, ищущее убежища, можно вернуть") - 1
    only_error(course, f"{russian}:{line}: error: question 3 is true/false in one language only: "
                       "write True/False in en.md and Верно/Неверно in ru.md")


def test_english_module_without_russian_is_a_warning(course):
    (course / "02-reading-only" / "ru.md").unlink()
    english = course / "02-reading-only" / "en.md"
    assert f"{english}:1: warning: no Russian translation (ru.md): Russian readers will see the " \
           "English text with a notice" in problems(course)
    assert errors(course) == []


def test_source_hash_mismatch_is_a_warning(course):
    english = course / "02-reading-only" / "en.md"
    russian = course / "02-reading-only" / "ru.md"
    edit(english, "core of international", "cornerstone of international")
    expected = parse_library(course)[0].courses[0].modules[1].files["en"].source_hash[:12]
    found = next(line.split('"')[1] for line in russian.read_text().split("\n")
                 if line.startswith("source_hash"))
    assert f"{russian}:{line_of(russian, 'source_hash')}: warning: source_hash {found} does not " \
           f"match en.md ({expected}): the translation may be out of date" in problems(course)
    assert errors(course) == []


# -- links, images, glossary -----------------------------------------------------------------------

def test_glossary_link_to_an_unknown_key(course, module):
    edit(module, "(glossary:refugee)", "(glossary:refugees)")
    only_error(course.parent, f"{module}:{line_of(module, 'glossary:refugees')}: error: glossary "
                              "link to the unknown key refugees (not in glossary.yml)")


def test_single_course_is_checked_against_the_parent_glossary(course, module):
    edit(module, "(glossary:refugee)", "(glossary:refugees)")
    assert len(errors(course)) == 1


@pytest.mark.parametrize("url, scheme", [
    ("javascript:alert(1)", "javascript:"), ("JavaScript:alert(1)", "javascript:"),
    ("data:text/html;base64,PHNjcmlwdD4=", "data:"), ("vbscript:msgbox(1)", "vbscript:"),
    ("file:///etc/passwd", "file:"), ("ftp://example.org/", "ftp:"),
])
def test_links_with_forbidden_schemes(course, module, url, scheme):
    edit(module, "(https://www.unhcr.org/)", f"({url})")
    only_error(course.parent, f"{module}:{line_of(module, url)}: error: link {url!r} uses a "
                              f"forbidden scheme ({scheme}); only http, https, mailto, "
                              "relative and glossary: links are allowed")


@pytest.mark.parametrize("markdown", [
    "[x][evil]\n\n[evil]: javascript:alert(1)", "<javascript:alert(1)>",
    "[x](jav&#x61;script:alert(1))", "[x](<java\tscript:alert(1)>)",
])
def test_forbidden_links_in_every_syntax(course, module, markdown):
    edit(module, "## Non-refoulement", markdown + "\n\n## Non-refoulement")
    found = errors(course.parent)
    assert len(found) == 1 and "uses a forbidden scheme (javascript:)" in found[0], found


def test_image_must_exist_and_be_a_local_file(course, module):
    edit(module, "## Non-refoulement", "![map](map.png) ![remote](http://example.org/a.png)\n\n"
         "## Non-refoulement")
    line = line_of(module, "![map]")
    assert errors(course) == [
        f"{module}:{line}: error: image map.png not found: put the image file in the module's "
        "folder",
        f"{module}:{line}: error: image address 'http://example.org/a.png' is not allowed: an image "
        "must be a file in the module's folder, linked relatively"]
    (module.parent / "map.png").write_bytes(png())
    assert len(errors(course)) == 1


def test_raw_html_is_a_warning(course, module):
    edit(module, "## Non-refoulement", "Press <b>here</b>.\n\n## Non-refoulement")
    assert f"{module}:{line_of(module, '<b>')}: warning: raw HTML is not rendered: it will show " \
           "as text" in problems(course)


def test_avoided_glossary_translation_is_a_warning(course):
    russian = course / "01-first-steps" / "ru.md"
    edit(russian, "## Невысылка", "## Невысылка\n\nПринцип недопустимости принудительного "
         "возвращения важен.")
    assert f"{russian}:{line_of(russian, 'Принцип недопустимости')}: warning: «принцип " \
           "недопустимости принудительного возвращения» is a translation the glossary avoids: " \
           "use «принцип невысылки» (glossary key non-refoulement)" in problems(course)


def test_glossary_duplicate_key_and_missing_definition(library):
    path = library / "glossary.yml"
    edit(path, "key: refugee", "key: asylum-seeker")
    edit(path, "      definition: The prohibition", "      meaning: The prohibition")
    assert [text for text in errors(library) if text.startswith(str(path))] == [
        f"{path}:{line_of(path, 'en:')}: error: missing required key "
        "terms.en.definition",
        f"{path}:{line_of(path, 'meaning')}: error: unknown key terms.en.meaning (allowed here: "
        "term, definition)",
        f"{path}:{line_of(path, 'term: refugee') - 2}: error: glossary key asylum-seeker is "
        f"defined twice (also on line {line_of(path, 'key: asylum-seeker')})"]


# -- final assessment ------------------------------------------------------------------------------

def test_final_draw_larger_than_the_pool(course):
    edit(course / "course.yml", "draw: 3", "draw: 5")
    only_error(course, f"{course / 'course.yml'}:{line_of(course / 'course.yml', 'draw')}: "
                       "error: final_assessment.draw is 5 but the pool in final/en.md has only "
                       "4 questions")


def test_final_assessment_without_a_pool(course):
    shutil.rmtree(course / "final")
    only_error(course, f"{course / 'course.yml'}:{line_of(course / 'course.yml', 'final_')}: "
                       "error: final_assessment is set but there is no final/ folder with the "
                       "question pool")


def test_final_pool_without_final_assessment(course):
    edit(course / "course.yml", "final_assessment:\n  draw: 3\n", "")
    only_error(course, f"{course / 'final' / 'en.md'}:1: error: final/ holds a question pool but "
                       "course.yml has no final_assessment: add 'final_assessment: {draw: N}'")


def test_final_pool_is_a_final_module(course):
    library, _problems = parse_library(course)
    final = library.courses[0].modules[-1]
    assert (final.kind, final.slug, final.position) == ("final", "final", 99)
    assert len(final.files["en"].questions) == 4
