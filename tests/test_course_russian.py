"""One Russian across the shipped courses: the act and case names of the glossary, and no «ё»."""
from pathlib import Path

import pytest

from academy.courses.parser import parse_library

LIBRARY = Path(__file__).resolve().parent.parent / "courses"
RU_FILES = sorted(LIBRARY.glob("*/*/ru.md"))
ACT_AND_CASE_KEYS = ("apr", "ammr", "screening-regulation", "eurodac-regulation",
                     "qualification-regulation", "echr", "frontex-management-board",
                     "case-mk-v-poland", "case-jk-v-sweden", "case-nd-nt-v-spain")


@pytest.mark.parametrize("path", RU_FILES, ids=lambda p: p.relative_to(LIBRARY).as_posix())
def test_russian_modules_write_e_not_yo(path):
    """The library follows the practice of official Russian texts: «е» throughout, never «ё»."""
    lines = [number for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
             if "ё" in line or "Ё" in line]
    assert not lines, f"{path}: «ё» on line(s) {lines[:10]}"


def test_glossary_names_the_acts_and_cases_and_avoids_their_variants():
    library, _problems = parse_library(LIBRARY)
    entries = {entry.key: entry for entry in library.glossary}
    for key in ACT_AND_CASE_KEYS:
        assert key in entries, key
        assert entries[key].avoid_ru, f"{key} needs an avoid list"
    assert entries["case-mk-v-poland"].term_ru.startswith("М.К.")  # Cyrillic initials
    assert "M.K. и другие против Польши" in entries["case-mk-v-poland"].avoid_ru  # Latin ones
    assert "ё" not in LIBRARY.joinpath("glossary.yml").read_text(encoding="utf-8")
