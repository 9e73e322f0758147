"""The legal-source index: identifiers, citations, `courses sources` and the /sources/ page."""
import shutil
from datetime import date
from pathlib import Path

import pytest

from academy.sources.identifiers import articles_in, find_citations, parse_source, valid_celex
from academy.sources.index import ModuleRef, SourceIndex, months_before

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "courses"


def test_celex_numbers_are_validated_and_linked_to_eur_lex():
    parsed = parse_source("Regulation (EU) 2024/1348 (APR), Arts 10, 42–45 and 68, CELEX 32024R1348")
    (act,) = parsed.acts
    assert (act.kind, act.id) == ("eu", "32024R1348")
    assert act.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024R1348"
    assert parsed.articles == ["10", "42", "43", "44", "45", "68"]
    assert valid_celex("12016P/TXT") and not valid_celex("3202R1348")
    assert parse_source("An act, CELEX 3202R1348").problems == [
        "malformed CELEX number '3202R1348' (like 32024R1348)"]
    # Without the keyword, the number is derived from the act's own citation.
    assert [a.id for a in parse_source("Directive 2013/32/EU (recast APD)").acts] == ["32013L0032"]
    assert [a.id for a in parse_source("Regulation (EU) No 604/2013 (Dublin III)").acts] == [
        "32013R0604"]


def test_ecthr_application_numbers_link_to_hudoc_and_treaties_to_their_registry():
    (case,) = parse_source("ECtHR, Hirsi Jamaa and Others v. Italy [GC], no. 27765/09, "
                           "23 February 2012").acts
    assert (case.kind, case.id, case.label) == ("echr-case", "27765/09",
                                                "Hirsi Jamaa and Others v. Italy [GC]")
    assert case.url.startswith("https://hudoc.echr.coe.int/eng#") and "27765%2F09" in case.url
    (treaty,) = parse_source("1951 Convention relating to the Status of Refugees, Art. 33 "
                             "(UNTS vol. 189, p. 137)").acts
    assert (treaty.kind, treaty.id) == ("treaty", "UNTS 189/137")
    (ecli,) = parse_source("CJEU, CV, C-406/22, 4 October 2024, ECLI:EU:C:2024:841").acts
    assert ecli.url.endswith("uri=ecli:ECLI:EU:C:2024:841")


def test_article_citations_are_tied_to_the_act_named_next_to_them():
    found = [(c.act, c.article) for c in find_citations(
        "SBC Arts 3(b), 4, 14; APR Art. 27). Article 1F requires serious reasons. "
        "Article 3 ECHR is absolute; Art. 14(3) of the Schengen Borders Code differs.")]
    assert found == [("32016R0399", "3"), ("32016R0399", "4"), ("32016R0399", "14"),
                     ("32024R1348", "27"), ("ECHR", "3"), ("32016R0399", "14")]
    assert articles_in("Arts 67–68") == ["67", "68"]


def test_modules_older_than_the_limit_are_flagged():
    index = SourceIndex()
    old = ModuleRef("c", "C", "m1", "M1", "lesson", date(2025, 10, 1))
    new = ModuleRef("c", "C", "m2", "M2", "lesson", date(2026, 11, 1))
    index.modules += [old, new]
    assert index.stale(today=date(2026, 11, 30)) == [old]
    assert index.stale(today=date(2026, 11, 30), max_age_months=24) == []
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


def test_cli_answers_which_modules_cite_apr_article_68(runner):
    result = runner.invoke(args=["courses", "sources", str(LIBRARY), "--act", "APR",
                                 "--article", "68"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Asylum Procedure Regulation (EU) 2024/1348 (APR) [32024R1348] "
                               "https://eur-lex.europa.eu/")
    assert lines[1].startswith("  Art. 68: ")
    assert "asylum-procedures/special-procedures-and-the-pact (sources, text)" in lines[1]
    assert "non-refoulement/transfers-and-safe-third-countries (text, question 5)" in lines[1]
    assert len(lines) == 2  # one act, one article: nothing else is listed
    none = runner.invoke(args=["courses", "sources", str(LIBRARY), "--act", "APR",
                               "--article", "999"])
    assert none.output.strip() == "No module cites APR Art. 999."


def test_cli_flags_old_modules(runner, tmp_path):
    course = tmp_path / "library" / "fair-course"
    shutil.copytree(ROOT / "tests" / "data" / "stats" / "fair-course", course)
    yml = course / "course.yml"
    yml.write_text(yml.read_text().replace("valid_as_of: 2026-11-01", "valid_as_of: 2020-01-01"))
    result = runner.invoke(args=["courses", "sources", str(course.parent)])
    assert "2 modules are older than 12 months (valid_as_of): review them" in result.output
    assert "fair-course/questions (2020-01-01)" in result.output


def test_check_warns_about_a_malformed_identifier(runner, tmp_path):
    course = tmp_path / "library" / "fair-course"
    shutil.copytree(ROOT / "tests" / "data" / "stats" / "fair-course", course)
    module = course / "01-questions" / "en.md"
    module.write_text(module.read_text().replace("CELEX 32016R0399", "CELEX 3201R0399"))
    result = runner.invoke(args=["courses", "check", str(course)])
    assert (f"{module}:7: warning: sources: malformed CELEX number '3201R0399' "
            "(like 32024R1348)") in result.stderr


@pytest.fixture
def library_app(app):
    from academy.courses.services import import_library

    with app.app_context():
        import_library(LIBRARY)
    return app


def test_page_lists_the_modules_and_questions_citing_an_article(library_app, client, auth,
                                                                make_user):
    make_user("author@example.org", role="trainer")
    auth.login("author@example.org")
    page = client.get("/sources/?act=32024R1348&article=68")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024R1348"' in html
    assert "Art. 68" in html and "Transfers" in html and "question 5" in html
    assert "/courses/asylum-procedures/special-procedures-and-the-pact/" in html
    assert "<small>27765/09</small>" not in html  # only the act asked for is listed
    bad = client.get("/sources/?article=68%3Cscript%3E")
    assert bad.status_code == 200 and "Enter an article as a number" in bad.get_data(as_text=True)
    ru = client.get("/sources/?act=APR&article=68", headers={"Accept-Language": "ru"})
    assert ru.status_code == 200


def test_page_is_for_authors_and_coordinators_only(library_app, client, auth, make_user):
    assert client.get("/sources/").status_code == 302  # to the sign-in page
    make_user("learner@example.org")
    auth.login("learner@example.org")
    assert client.get("/sources/").status_code == 403
