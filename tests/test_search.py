"""Search in English and Russian: morphology, ranking, safe snippets, index kept by imports."""
import re

import pytest

from academy.extensions import db
from academy.search.models import SearchDocument
from academy.search.text import Highlighter, html_to_text, stem

# (query, a title that must be among the results, the word form that must be marked in it)
MORPHOLOGY = [
    ("невысылка", "принцип невысылки", "невысылки"),
    ("беженцы", "Конвенция о статусе беженцев 1951 года", "беженцев"),
    ("refouled", "principle of non-refoulement", "refoulement"),
    ("refugees", "1951 Refugee Convention", "Refugee"),
    ("пограничный контроль", "пограничный контроль", "контроль"),
]
HOSTILE = ['"', '""', "*", "refoul*", 'NEAR(border asylum)', "border NEAR(", "AND", "OR NOT",
           "a:b", "'; DROP TABLE search_document; --", "(((", "^border", "title_stems:border",
           "<script>alert(1)</script>", "&amp; <b>x</b>", "-", "\\", "{}", "\u0000", "ё" * 300]


def results(client, query, lang="en"):
    """(status, titles as text, the HTML of the results list) of /search?q=query."""
    response = client.get("/search", query_string={"q": query},
                          headers={"Accept-Language": lang})
    page = response.get_data(as_text=True)
    listing = page.split('<ol class="search-results">', 1)[1].split("</ol>", 1)[0] \
        if '<ol class="search-results">' in page else ""
    titles = [re.sub(r"<[^>]+>", "", title)
              for title in re.findall(r"<h2><a href=\"[^\"]+\">(.*?)</a></h2>", listing)]
    return response.status_code, titles, listing


def test_snowball_stems_join_the_forms_of_a_word():
    assert stem("невысылка") == stem("невысылки") == stem("Невысылкой")
    assert stem("беженцы") == stem("беженцев") == stem("беженцам")
    assert stem("refouled") == stem("refoulement") == stem("Refoulement")
    assert stem("ёлка") == stem("елка")  # ё and е are one letter to a searcher


@pytest.mark.parametrize("query, title, marked", MORPHOLOGY)
def test_any_form_finds_the_others_on_sqlite(library_app, query, title, marked):
    status, titles, listing = results(library_app.test_client(), query)
    assert status == 200
    assert title in titles, titles
    assert f"<mark>{marked}</mark>" in listing


def test_results_are_ranked_title_first_and_one_per_page(library_app):
    _status, titles, listing = results(library_app.test_client(), "refoulement")
    # The course and the term named after the word come before pages that only mention it.
    assert titles.index("Non-refoulement in practice") < 5
    assert len(titles) == len(set(titles)) > 5
    links = re.findall(r'<h2><a href="([^"]+)"', listing)
    assert len(links) == len(set(links)), "a page appears once, whatever the languages it matched"
    assert "/courses/non-refoulement/" in links and "/glossary#non-refoulement" in links
    assert any(re.fullmatch(r"/courses/non-refoulement/[a-z0-9-]+/", link) for link in links)


def test_a_page_found_in_both_languages_shows_in_the_readers_language(library_app):
    client = library_app.test_client()
    _status, titles_en, _listing = results(client, "Frontex", "en")
    _status, titles_ru, listing_ru = results(client, "Frontex", "ru")
    assert titles_en and titles_ru and len(titles_en) == len(titles_ru)
    assert any(re.search("[а-я]", title) for title in titles_ru)
    assert not any(re.search("[а-я]", title) for title in titles_en)


def test_russian_words_on_the_english_site_find_russian_pages_marked_as_such(library_app):
    _status, titles, listing = results(library_app.test_client(), "невысылки", "en")
    assert titles and all(re.search("[а-яА-Я]", title) for title in titles)
    assert '<li lang="ru">' in listing and "in Russian" in listing


def test_quiz_questions_are_not_searchable(library_app):
    with library_app.app_context():
        kinds = set(db.session.scalars(db.select(SearchDocument.kind).distinct()))
        assert kinds == {"course", "module", "term"}
        from academy.courses.models import Option

        correct = db.session.scalars(db.select(Option.text_en).where(Option.is_correct)).first()
    # A whole correct option typed as a query finds no quiz (it may find a module that says it).
    _status, _titles, listing = results(library_app.test_client(), correct[:150])
    assert "/final/" not in listing


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail_and_are_escaped(library_app, query):
    response = library_app.test_client().get("/search", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "<b>x</b>" not in page


def test_markup_in_a_query_is_shown_as_text(library_app):
    response = library_app.test_client().get("/search", query_string={"q": "<i>border</i>"})
    page = response.get_data(as_text=True)
    assert "<i>border</i>" not in page and "&lt;i&gt;border&lt;/i&gt;" in page


def test_the_empty_query_explains_and_lists_nothing(library_app):
    client = library_app.test_client()
    for query in ("", "   ", None):
        response = client.get("/search", query_string={"q": query} if query is not None else None)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'class="search-results"' not in page and "any form of a word" in page
    page = client.get("/search?q=%22*%28").get_data(as_text=True)
    assert "Type at least one word" in page


def test_nothing_found_says_so(library_app):
    status, titles, _listing = results(library_app.test_client(), "zyxxyzzy")
    page = library_app.test_client().get("/search?q=zyxxyzzy").get_data(as_text=True)
    assert status == 200 and titles == [] and "Nothing matches" in page


def test_snippets_escape_the_text_they_quote():
    highlighter = Highlighter(["border"])
    snippet = highlighter.snippet('A <script> at the "border" & the borders of <b>states</b>')
    assert str(snippet) == ('A &lt;script&gt; at the &#34;<mark>border</mark>&#34; &amp; the '
                            '<mark>borders</mark> of &lt;b&gt;states&lt;/b&gt;')
    assert html_to_text("<p>One&amp;two</p><p>three<br>four</p>") == "One&two three four"


def test_long_texts_give_a_window_around_the_matches():
    text = " ".join(["filler"] * 100 + ["asylum", "procedure"] + ["filler"] * 100)
    snippet = str(Highlighter(["asylum"]).snippet(text))
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>asylum</mark>" in snippet and len(snippet.split()) < 40


def test_the_index_follows_imports(app, course_library):
    from academy.courses.services import import_library

    client = app.test_client()
    with app.app_context():
        import_library(course_library)
    assert results(client, "quokka")[1] == []
    summary = course_library / "sample-course" / "course.yml"
    summary.write_text(summary.read_text().replace(
        "A small course used by the test suite.", "A small course about quokkas."))
    with app.app_context():
        import_library(course_library)
    assert results(client, "quokka")[1] == ["Sample course on asylum basics"]


def test_searching_writes_nothing(library_app):
    from sqlalchemy import event

    statements = []
    with library_app.app_context():
        engine = db.engine

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert library_app.test_client().get("/search?q=asylum").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert "SELECT" in statements
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements), statements


def test_the_header_has_the_search_box(library_app):
    page = library_app.test_client().get("/courses/").get_data(as_text=True)
    assert re.search(r'<form method="get" action="/search" role="search"', page)


@pytest.mark.postgres
def test_search_on_postgresql_with_russian_and_english_configurations(postgres_url):
    from flask_migrate import upgrade

    from academy import create_app
    from tests.search_fixtures import import_both

    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url})
    with app.app_context():
        upgrade()
        column = db.session.execute(db.text(
            "SELECT data_type FROM information_schema.columns WHERE table_name = "
            "'search_document' AND column_name = 'search_vector'")).scalar()
        assert column == "tsvector"
        db.session.remove()
    import_both(app)
    client = app.test_client()
    for query, title, marked in MORPHOLOGY:
        status, titles, listing = results(client, query)
        assert status == 200 and title in titles, (query, titles)
        assert f"<mark>{marked}</mark>" in listing
    assert results(client, "refoulement")[1].index("Non-refoulement in practice") < 5
    for query in HOSTILE + ["the", "и", "refoul:*", "a & b | !c"]:
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200, query
        assert "<script>alert" not in response.get_data(as_text=True)
    with app.app_context():
        # Every document has its vector, built with the configuration of its language.
        assert db.session.execute(db.text(
            "SELECT count(*) FROM search_document WHERE search_vector IS NULL")).scalar() == 0
        plan = "\n".join(db.session.execute(db.text(
            "EXPLAIN SELECT id FROM search_document WHERE search_vector @@ "
            "to_tsquery('russian', 'беженцы')")).scalars())
        assert "search_document" in plan
        db.session.remove()
        db.engine.dispose()



def catalogue_titles(client, **filters):
    page = client.get("/courses/", query_string=filters).get_data(as_text=True)
    return sorted(re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<h3[^>]*>(.*?)</h3>", page)), page


def test_the_catalogue_filters_by_area_language_and_duration(library_app):
    client = library_app.test_client()
    everything, page = catalogue_titles(client)
    assert len(everything) == 4 and '<select id="filter-area" name="area">' in page
    assert catalogue_titles(client, area="irregular-migration")[0] == [
        "Integrated border management"]
    asylum = catalogue_titles(client, area="asylum-protection")[0]
    assert len(asylum) == 3 and "Sample course on asylum basics" in asylum
    # The sample course has a module written only in English.
    in_russian = catalogue_titles(client, lang="ru")[0]
    assert len(in_russian) == 3 and "Sample course on asylum basics" not in in_russian
    assert catalogue_titles(client, lang="en")[0] == everything
    assert catalogue_titles(client, duration="short")[0] == [
        "Integrated border management", "Sample course on asylum basics"]
    assert len(catalogue_titles(client, duration="medium")[0]) == 2
    titles, page = catalogue_titles(client, duration="long")
    assert titles == [] and "No course matches these filters." in page
    assert catalogue_titles(client, area="asylum-protection", lang="ru", duration="medium")[0] \
        == sorted(set(asylum) - {"Sample course on asylum basics"})
    titles, page = catalogue_titles(client, area="asylum-protection", duration="medium")
    assert 'value="asylum-protection" selected' in page and 'value="medium" selected' in page


def test_unknown_catalogue_filter_values_are_ignored(library_app):
    client = library_app.test_client()
    everything = catalogue_titles(client)[0]
    for bad in ({"area": "<script>"}, {"lang": "de"}, {"duration": "forever"}, {"area": ""}):
        titles, page = catalogue_titles(client, **bad)
        assert titles == everything and "<script>" not in page


def test_a_huge_query_is_cut_to_a_bounded_size(library_app):
    response = library_app.test_client().get("/search", query_string={"q": "border " * 5000})
    assert response.status_code == 200
    # The language switch sends the whole URL back as it came; the search itself is bounded.
    page = re.sub(r'<input type="hidden" name="next" value="[^"]*">', "",
                  response.get_data(as_text=True))
    assert 0 < page.count("border ") < 200


def test_the_rebuild_command_restores_a_lost_index(library_app):
    with library_app.app_context():
        count = db.session.scalar(db.select(db.func.count(SearchDocument.id)))
        db.session.execute(db.delete(SearchDocument))
        if db.engine.dialect.name == "sqlite":  # the FTS5 table follows its content table
            db.session.execute(db.text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
        db.session.commit()
    assert results(library_app.test_client(), "refoulement")[1] == []
    result = library_app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 0 and result.output.strip() == f"search index: {count} documents"
    assert "Non-refoulement in practice" in results(library_app.test_client(), "refoulement")[1]
