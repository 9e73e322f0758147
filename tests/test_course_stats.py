"""The answer-cue statistics (academy/courses/stats.py) on synthetic courses and the shipped library."""
from pathlib import Path

import pytest

from academy.courses.parser import parse_library
from academy.courses.stats import (check_stats, course_stats, cue_word, pool_warning,
                                   stats_warnings)

DATA = Path(__file__).resolve().parent / "data" / "stats"
LIBRARY = Path(__file__).resolve().parent.parent / "courses"


def _course(slug):
    library, problems = parse_library(DATA / slug)
    assert not [p for p in problems if p.severity == "error"], problems
    return library.courses[0]


def test_cue_words_are_found_as_words_in_both_languages():
    assert cue_word("Always refuse entry.", "en") == "always"
    assert cue_word("Refuse entry only at night.", "en") == "only"
    assert cue_word("Alwaysness is not a word here.", "en") is None
    assert cue_word("Лишь в исключительных случаях.", "ru") == "лишь"
    assert cue_word("Это нельзя делать.", "ru") == "нельзя"
    assert cue_word("Толькович — фамилия, а не слово-сигнал.", "ru") is None


def test_a_cued_course_gets_every_warning():
    course = _course("cued-course")
    for lang, stats in course_stats(course).items():
        assert (stats.truefalse, stats.true_keys) == (7, 0)
        assert stats.distractor_cue_rate == 1.0 and stats.key_cue_rate == 0.0
        assert (stats.single, stats.longest_is_key) == (4, 4)
        assert stats.score("test-wise") == 1.0
        assert stats.score("always-false") == pytest.approx((7 + 4 / 3) / 11)
        messages = stats_warnings(stats)
        assert any("0 of 7 true/false items are keyed True" in m for m in messages), messages
        assert any("cue words" in m and "100%" in m for m in messages), messages
        assert any("longest option in 4 of 4" in m for m in messages), messages
        assert any("'test-wise' scores 100%" in m for m in messages), messages
        assert all(m.startswith(f"{lang}: ") for m in messages)
    assert "3 questions for a draw of 2" in pool_warning(course)


def test_a_fair_course_gets_no_warning():
    course = _course("fair-course")
    stats = course_stats(course)
    assert set(stats) == {"en", "ru"}
    for figures in stats.values():
        assert figures.true_share == 0.5
        assert figures.longest_is_key == 0
        assert stats_warnings(figures) == []
    assert pool_warning(course) is None


def test_courses_check_prints_the_statistics_warnings(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "check", str(DATA / "cued-course")])
    assert result.exit_code == 0  # warnings do not fail the check
    assert "course.yml:1: warning: en: 0 of 7 true/false items are keyed True" in result.output
    assert "the final pool has 3 questions" in result.output
    clean = runner.invoke(args=["courses", "check", str(DATA / "fair-course")])
    assert "0 warnings" in clean.output, clean.output


def test_courses_stats_reports_and_exits_non_zero_past_the_limits(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "stats", str(DATA)])
    assert result.exit_code == 1
    assert "cued-course" in result.output and "fair-course" in result.output
    assert "expected score: blind 44%" in result.output
    fair = runner.invoke(args=["courses", "stats", str(DATA / "fair-course")])
    assert fair.exit_code == 0 and "warning" not in fair.output


def test_the_shipped_library_passes_the_statistics_check_without_a_warning():
    library, problems = parse_library(LIBRARY)
    assert not problems, "\n".join(map(str, problems))
    found = []
    check_stats(library, found_problems := __import__(
        "academy.courses.specs", fromlist=["Problems"]).Problems())
    found = [str(problem) for problem in found_problems]
    assert not found, "\n".join(found)
    assert len(library.courses) == 3
    for course in library.courses:
        for figures in course_stats(course).values():
            assert 0.4 <= figures.true_share <= 0.6, course.slug
            assert figures.distractor_cue_rate <= figures.key_cue_rate, course.slug
            assert figures.longest_rate <= figures.longest_chance, course.slug
