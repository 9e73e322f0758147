"""The /glossary page and the glossary's own data (courses/glossary.yml)."""
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
import yaml

from academy.courses.models import GlossaryTerm
from academy.extensions import db
from academy.glossary.text import (find_variants, fold, index_letter, sort_key,
                                   variant_pattern, variant_patterns)

GLOSSARY_YML = Path(__file__).resolve().parent.parent / "courses" / "glossary.yml"

TERMS = [
    ("non-refoulement", "principle of non-refoulement", "принцип невысылки",
     "No return to a territory where life or freedom would be threatened.",
     "Запрет возвращать лицо туда, где его жизни или свободе угрожает опасность."),
    ("refugee", "refugee", "беженец",
     "A person outside their country owing to a well-founded fear of persecution.",
     "Лицо, находящееся вне своей страны из-за вполне обоснованных опасений."),
    ("expulsion", "expulsion", "высылка",
     "Any measure compelling a non-national to leave the territory.",
     "Любая мера, вынуждающая иностранца покинуть территорию."),
    ("four-tier-model", "four-tier access control model", "четырехуровневая модель контроля доступа",
     "Four tiers: third countries, neighbours, the border, inside the area.",
     "Четыре уровня контроля: третьи страны, соседи, граница, внутреннее пространство."),
    ("unaccompanied-minor", "unaccompanied minor", "несопровождаемый несовершеннолетний",
     "A child under 18 arriving without a responsible adult.",
     "Ребенок младше 18 лет без сопровождения взрослого."),
    ("elka", "spruce", "ёлка", "A tree.", "Дерево."),
    ("eskort", "escort", "эскорт", "A guard.", "Сопровождение."),
    ("bcp", "border crossing point (BCP)", "пункт пропуска",
     "An authorised crossing point.", "Место пересечения границы."),
    ("protocol-1967", "1967 Protocol", "Протокол 1967 года",
     "The Protocol relating to the Status of Refugees.", "Протокол, касающийся статуса беженцев."),
]


@pytest.fixture
def terms(app):
    with app.app_context():
        for key, en, ru, def_en, def_ru in TERMS:
            db.session.add(GlossaryTerm(key=key, term_en=en, term_ru=ru,
                                        definition_en=def_en, definition_ru=def_ru))
        db.session.commit()
    return app


def page(client, lang="en", **params):
    response = client.get("/glossary", query_string=params, headers={"Accept-Language": lang})
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def listed_keys(html):
    return re.findall(r'<dt id="([^"]+)">', html)


def test_english_page_lists_terms_alphabetically_with_anchors(client, terms):
    html = page(client, "en")
    assert '<html lang="en">' in html
    assert "<h1 id=\"top\">Glossary</h1>" in html
    keys = listed_keys(html)
    assert sorted(keys) == sorted(key for key, *_ in TERMS)
    english = [dict((k, en) for k, en, *_ in TERMS)[key] for key in keys]
    assert english == sorted(english, key=str.casefold)
    assert keys[0] == "protocol-1967"  # digits come first, under "#"
    # Each entry: the definition and the Russian term, marked as Russian.
    assert re.search(r'<dt id="non-refoulement">principle of non-refoulement</dt>\s*<dd>\s*'
                     r"<p>No return to a territory", html)
    assert '<span lang="ru">принцип невысылки</span>' in html


def test_russian_page_sorts_in_russian_and_files_yo_under_ye(client, terms):
    html = page(client, "ru")
    assert '<html lang="ru">' in html
    assert "<h1 id=\"top\">Глоссарий</h1>" in html
    keys = listed_keys(html)
    russian = [dict((k, ru) for k, _en, ru, *_ in TERMS)[key] for key in keys]
    assert russian == ["беженец", "высылка", "ёлка", "несопровождаемый несовершеннолетний",
                       "принцип невысылки", "Протокол 1967 года", "пункт пропуска",
                       "четырехуровневая модель контроля доступа", "эскорт"]
    assert '<span lang="en">principle of non-refoulement</span>' in html
    assert "Запрет возвращать лицо" in html
    # The letter index: ё is filed under Е, and every letter links to its section.
    index = re.search(r'<nav class="letters"[^>]*>(.*?)</nav>', html, re.S).group(1)
    letters = re.findall(r'<a href="#(letter-\d+)">([^<]+)</a>', index)
    assert [letter for _anchor, letter in letters] == ["Б", "В", "Е", "Н", "П", "Ч", "Э"]
    for anchor, _letter in letters:
        assert f'<h2 id="{anchor}">' in html
    assert 'aria-label="Алфавитный указатель"' in html


def test_letter_index_in_english(client, terms):
    html = page(client, "en")
    index = re.search(r'<nav class="letters"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r">([^<]+)</a>", index) == ["#", "B", "E", "F", "P", "R", "S", "U"]


@pytest.mark.parametrize("lang, query, expected", [
    ("en", "REFOULEMENT", {"non-refoulement"}),           # English term, any case
    ("en", "невысылки", {"non-refoulement"}),             # Russian term on the English page
    ("ru", "leave the territory", {"expulsion"}),         # English definition on the Russian page
    ("ru", "покинуть", {"expulsion"}),                    # Russian definition
    ("ru", "елка", {"elka"}),                             # е finds ё
    ("en", "  unaccompanied   minor ", {"unaccompanied-minor"}),  # spaces normalised
])
def test_search_filters_by_term_or_definition_in_either_language(client, terms, lang, query,
                                                                  expected):
    html = page(client, lang, q=query)
    assert set(listed_keys(html)) == expected
    assert f'value="{" ".join(query.split())}"' in html


def test_search_result_count_and_reset_link(client, terms):
    html = page(client, "en", q="crossing")
    assert "1 term matches “crossing”." in html
    assert 'href="/glossary">Show all terms</a>' in html
    html = page(client, "ru", q="границ")
    assert "Найдено терминов по запросу «границ»: 2." in html
    assert "Показать все термины" in html


def test_empty_search_result_says_so(client, terms):
    html = page(client, "en", q="xylophone")
    assert listed_keys(html) == []
    assert "No term matches “xylophone”." in html
    assert '<nav class="letters"' not in html
    html = page(client, "ru", q="ксилофон")
    assert "Ни один термин не соответствует запросу «ксилофон»." in html


def test_search_text_is_escaped(client, terms):
    response = client.get("/glossary", query_string={"q": "<script>x</script>"})
    body = response.get_data(as_text=True)
    assert "<script>x</script>" not in body
    assert "&lt;script&gt;" in body


def test_search_works_without_javascript(client, terms):
    html = page(client, "en")
    form = re.search(r'<form method="get" action="/glossary" role="search"[^>]*>(.*?)</form>',
                     html, re.S)
    assert form and 'name="q"' in form.group(1) and 'type="submit"' in form.group(1)
    assert "<script" not in html


def test_empty_glossary(client):
    html = page(client, "en")
    assert "no terms have been imported yet" in html
    assert listed_keys(html) == []


def test_stylesheet_is_served_locally(client):
    html = page(client, "en")
    href = re.search(r'href="(/glossary/static/glossary\.css(?:\?v=\w+)?)"', html).group(1)
    response = client.get(href)
    assert response.status_code == 200
    response.close()


# --- the text helpers ------------------------------------------------------------------------

def test_fold_and_sort_key_handle_case_and_yo():
    assert fold("Ёлка") == "елка"
    words = ["ель", "ёлка", "Еда", "ёж", "яма", "аист"]
    assert sorted(words, key=lambda w: sort_key(w, "ru")) == ["аист", "Еда", "ёж", "ёлка", "ель",
                                                              "яма"]
    assert sort_key("«кавычки»", "ru") < sort_key("лодка", "ru")
    assert index_letter("ёлка") == "Е" and index_letter("1967 Protocol") == "#"


@pytest.mark.parametrize("variant, text", [
    ("субсидиарная защита", "предоставить СУБСИДИАРНУЮ защиту"),
    ("субсидиарная защита", "статус субсидиарной защиты"),
    ("повторное собеседование", "провести повторное собеседование"),
    ("повторное собеседование", "после повторного собеседования"),
    ("принцип недопустимости принудительного возвращения",
     "нарушение принципа недопустимости принудительного возвращения"),
    ("контрабанда мигрантов", "борьба с контрабандой мигрантов"),
    ("модель четырех фильтров", "модели четырёх фильтров"),
])
def test_variants_are_found_in_inflected_forms(variant, text):
    assert variant_pattern(variant).search(fold(text))


@pytest.mark.parametrize("variant, text", [
    ("поиск и спасение", "поиск и спасание"),
    ("повторное ходатайство", "вправе повторно ходатайствовать"),
    ("обоснованный страх преследования", "обоснованные опасения в стране преследования"),
    ("трафикинг", "трафик"),
])
def test_variants_do_not_match_other_words(variant, text):
    assert not variant_pattern(variant).search(fold(text))


def test_a_variant_close_to_the_term_itself_is_matched_exactly():
    pattern = variant_pattern("лицо, ищущее убежище", protected=["лицо, ищущее убежища"])
    assert not pattern.search(fold("лицо, ищущее убежища"))
    assert pattern.search(fold("Лицо, ищущее убежище, вправе"))


# --- courses/glossary.yml itself --------------------------------------------------------------

class Entry:
    def __init__(self, item):
        self.key = item["key"]
        self.term_en = item["en"]["term"]
        self.term_ru = item["ru"]["term"]
        self.definition_en = item["en"]["definition"]
        self.definition_ru = item["ru"]["definition"]
        self.avoid_ru = item["ru"].get("avoid", [])


@pytest.fixture(scope="module")
def shipped():
    data = yaml.safe_load(GLOSSARY_YML.read_text(encoding="utf-8"))
    return [Entry(item) for item in data["terms"]]


def test_shipped_glossary_is_complete(shipped):
    assert len(shipped) >= 50
    keys = [entry.key for entry in shipped]
    assert len(keys) == len(set(keys))
    for entry in shipped:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.key)
        for text in (entry.term_en, entry.term_ru, entry.definition_en, entry.definition_ru):
            assert text.strip(), entry.key
        assert re.search(r"[а-яё]", entry.term_ru, re.I), entry.key
        assert re.search(r"[а-яё]", entry.definition_ru, re.I), entry.key


def test_avoided_variants_never_match_a_glossary_term_or_definition(shipped):
    """A variant to avoid must not also be a correct use of another term, nor of its own."""
    patterns = variant_patterns(shipped)
    for entry in shipped:
        assert find_variants(entry.term_ru, patterns) == [], entry.key
        assert find_variants(entry.definition_ru, patterns) == [], entry.key
        for phrase in entry.avoid_ru:
            assert fold(phrase) != fold(entry.term_ru), entry.key


# --- the page on imported glossaries ----------------------------------------------------------

def test_page_shows_the_sample_library_after_import(client, imported_app):
    html = page(client, "ru")
    assert {"non-refoulement", "asylum-seeker", "refugee"} <= set(listed_keys(html))
    assert '<span lang="en">principle of non-refoulement</span>' in html


def test_every_shipped_term_has_an_anchor_in_both_languages(app, client, tmp_path, shipped):
    """Modules link to /glossary#<key>: every key of courses/glossary.yml must be there."""
    from academy.courses.services import import_library

    (tmp_path / "library").mkdir()
    shutil.copy(GLOSSARY_YML, tmp_path / "library" / "glossary.yml")
    with app.app_context():
        import_library(tmp_path / "library")
    keys = {entry.key for entry in shipped}
    for lang in ("en", "ru"):
        listed = listed_keys(page(client, lang))
        assert len(listed) == len(keys) and set(listed) == keys
