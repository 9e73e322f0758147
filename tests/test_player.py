"""The course player: the module page's bar, contents and Resume; EN/RU side by side; the offline
copy; tables and glossary terms as rendered at import; the course outline."""
import re

from sqlalchemy import select

from academy.courses.models import ModuleContent
from academy.extensions import db
from academy.learning.models import ModuleProgress
from academy.learning.player import blocks, parallel_rows, sections
from tests.conftest import csrf_token
from tests.course_fixtures import SAMPLE_LIBRARY
from tests.test_learning import SAMPLE, course, enrol, learner, page_text  # noqa: F401 (fixtures)

MODULE = SAMPLE + "first-steps/"


def save_position(client, section, module=MODULE, token=None):
    token = token or csrf_token(page_text(client.get(module)))
    return client.post(module + "position", data={"csrf_token": token, "section": section})


def test_module_page_has_the_bar_the_contents_and_the_quiz_as_primary_action(client, course,
                                                                            learner):
    enrol(client)
    html = page_text(client.get(MODULE))
    bar = re.search(r'<div class="player-bar">(.*?)</div>\s*<div class="module-layout[^"]*">', html,
                    re.S).group(1)
    assert "Sample course on asylum basics" in bar and "Module 1 of 3" in bar
    assert '<progress max="3" value="0"' in bar and "Resume" not in bar
    # "On this page": every section of the text, in order, in the inline list and the sidebar.
    toc = re.findall(r'<li class="level-2"><a href="#([^"]+)">([^<]+)</a>', html)
    assert toc[:3] == [("sec-who-is-a-refugee", "Who is a refugee"),
                       ("sec-non-refoulement", "Non-refoulement"),
                       ("sec-who-sees-your-progress", "Who sees your progress")]
    assert len(toc) == 6  # details on phones, sidebar on wide screens
    # The quiz is the one primary button; the next module is secondary.
    primary = re.findall(r'class="btn"[^>]*>([^<]+)<', html)
    assert [label.strip() for label in primary] == ["Start the quiz"]
    assert re.search(r'<a class="btn secondary" rel="next" href="/courses/sample-course/'
                     r'reading-only/">', html)


def test_the_section_reached_is_kept_and_resume_returns_there(app, client, course, learner):
    enrol(client)
    assert save_position(client, "sec-non-refoulement").status_code == 204
    with app.app_context():
        assert db.session.scalar(select(ModuleProgress.last_section)) == "sec-non-refoulement"
    html = page_text(client.get(MODULE))
    assert re.search(r'<a class="resume" href="#sec-non-refoulement">Resume'
                     r'<span class="vh">: Non-refoulement</span>', html)
    assert 'data-section="sec-non-refoulement"' in html
    # The course page's one next action opens the module at that section.
    course_page = page_text(client.get(SAMPLE))
    assert re.search(r'href="/courses/sample-course/first-steps/#sec-non-refoulement">'
                     r'Resume where you stopped', course_page)
    # A Russian reader's section anchors are accepted too (the same module, either language).
    with app.app_context():
        russian = db.session.scalars(select(ModuleContent).where(
            ModuleContent.lang == "ru", ModuleContent.html.contains("Таблица 1"))).first()
        anchor = sections(russian.html)[0].anchor
    assert save_position(client, anchor).status_code == 204


def test_positions_are_checked(app, client, course, learner):
    assert save_position(client, "sec-non-refoulement", token=csrf_token(
        page_text(client.get("/courses/")))).status_code == 404  # not enrolled
    enrol(client)
    assert save_position(client, "sec-nowhere").status_code == 400
    assert save_position(client, "x" * 300).status_code == 400
    response = client.post(MODULE + "position", data={"section": "sec-non-refoulement"})
    assert response.status_code == 400  # no CSRF token
    with app.app_context():
        assert db.session.scalar(select(ModuleProgress.last_section)) is None


def test_side_by_side_pairs_the_two_languages_paragraph_by_paragraph(client, course, learner):
    enrol(client)
    html = page_text(client.get(MODULE + "side-by-side"))
    pairs = re.findall(r'<div class="pair">\s*<div lang="en" class="module-text">(.*?)</div>\s*'
                       r'<div lang="ru" class="module-text">(.*?)</div>\s*</div>', html, re.S)
    assert len(pairs) >= 6
    first_en, first_ru = pairs[0]
    assert "Who is a refugee" in first_en and "Кто является беженцем" in first_ru
    # Ids are prefixed per language, so that both texts can share the page.
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert 'id="en-sec-who-is-a-refugee"' in html
    assert client.get(SAMPLE + "english-only/side-by-side").status_code == 404
    assert client.get(SAMPLE + "nowhere/side-by-side").status_code == 404


def test_pairing_falls_back_to_sections_then_to_whole_texts():
    assert blocks("<h2 id=a>A</h2>\n<p>x<br>y</p>\n<hr>\n<ul><li>1</li></ul>") == [
        "<h2 id=a>A</h2>", "<p>x<br>y</p>", "<hr>", "<ul><li>1</li></ul>"]
    same = parallel_rows("<h2>A</h2><p>1</p><p>2</p>", "<h2>А</h2><p>1</p><p>2</p>")
    assert len(same) == 3
    # The Russian text has an extra paragraph in the second section: that section is one row.
    uneven = parallel_rows("<p>0</p><h2>A</h2><p>1</p>", "<p>0</p><h2>А</h2><p>1</p><p>1b</p>")
    assert [str(row[1]) for row in uneven] == ["<p>0</p>", "<h2>А</h2>\n<p>1</p>\n<p>1b</p>"]
    whole = parallel_rows("<h2>A</h2><p>1</p>", "<p>only</p>")
    assert len(whole) == 1
    assert [s.anchor for s in sections('<h2 id="a">A <em>b</em></h2><h3 id="c">C</h3>')] == [
        "a", "c"]


def test_offline_copy_is_one_self_contained_file(client, course, learner):
    enrol(client)
    response = client.get(MODULE + "download/en")
    html = page_text(response)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="sample-course-first-steps-en.html"')
    # Its own policy (inline styles, no script at all), not the site's on top of it.
    assert response.headers.getlist("Content-Security-Policy") == [
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"]
    assert "<style>" in html and "<link" not in html and "<script" not in html
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)
    assert "/media/" not in html
    # Links to the site work from the file: absolute.
    assert 'href="http://localhost/glossary#refugee"' in html
    assert '<html lang="en">' in html and "Who is a refugee" in html
    russian = page_text(client.get(MODULE + "download/ru"))
    assert '<html lang="ru">' in russian and "Кто является беженцем" in russian
    both = page_text(client.get(MODULE + "download/both"))
    assert "Who is a refugee" in both and "Кто является беженцем" in both and 'class="pair"' in both
    assert client.get(MODULE + "download/de").status_code == 404
    assert client.get(SAMPLE + "english-only/download/ru").status_code == 404
    assert client.get(SAMPLE + "english-only/download/en").status_code == 200


def test_tables_scroll_and_glossary_terms_explain_themselves(app, course):
    with app.app_context():
        english = db.session.scalars(select(ModuleContent).where(
            ModuleContent.lang == "en", ModuleContent.html.contains("Instrument"))).first()
        html = english.html
    assert re.search(r'<div class="table-scroll" role="region" tabindex="0" aria-label="Table 1">'
                     r'<table>.*?</table>\s*</div>', html, re.S)
    term = re.search(r'class="term" rel="noopener noreferrer">refugee</a><button type="button" '
                     r'class="gloss-btn" popovertarget="([\w-]+)"><span class="vh">Definition: '
                     r'refugee</span></button><span class="gloss-pop" id="\1" popover=""><strong>'
                     r'refugee</strong> A person who meets the definition in Article 1A\(2\)', html)
    assert term
    with app.app_context():
        russian = db.session.scalars(select(ModuleContent).where(
            ModuleContent.lang == "ru", ModuleContent.html.contains("Таблица 1"))).first()
        assert russian is not None and "Открыть в глоссарии" in russian.html


def test_reimport_refreshes_the_reading_html_without_a_new_version(app, course):
    from academy.courses.services import import_library

    with app.app_context():
        content = db.session.scalars(select(ModuleContent)).first()
        rendered = content.html
        content.html = "<p>rendered by an older renderer</p>"
        db.session.commit()
        summary = import_library(SAMPLE_LIBRARY)
        assert summary.versions_created == 0
        assert db.session.get(ModuleContent, content.id).html == rendered


def test_course_page_outline_has_status_chips_and_one_next_action(client, course, learner):
    html = page_text(client.get(SAMPLE))
    assert "Join this course" in html and "Course outline" in html
    enrol(client)
    client.get(MODULE)
    html = page_text(client.get(SAMPLE))
    outline = re.search(r'<ol class="outline">(.*?)</ol>', html, re.S).group(1)
    assert outline.count('<li class=') == 4  # three modules and the final
    assert '<span class="chip chip-progress">In progress</span>' in outline
    assert outline.count('<span class="chip">Not started</span>') == 2
    assert "Opens when every module is complete" in outline
    assert re.search(r'<li class="opened current">', outline)
    next_action = re.search(r'<section class="next-action".*?</section>', html, re.S).group(0)
    assert next_action.count('class="btn"') == 1 and "Module 1 of 3" in next_action
    assert "About 1 h 15 min left" in html  # 30 + 15 + 10 minutes and the final's 20


def test_catalogue_cards_are_led_by_the_title_with_chips(client, course, learner):
    html = page_text(client.get("/courses/"))
    card = re.search(r'<article class="course-card">(.*?)</article>', html, re.S).group(1)
    assert card.strip().startswith('<h3 class="card-title"><a href="/courses/sample-course/">')
    assert '<li class="chip">3 modules</li>' in card
    assert '<span lang="en">EN</span>' in card


def test_form_errors_are_summarised_at_the_top_with_links_to_the_fields(client):
    token = csrf_token(page_text(client.get("/auth/register")))
    html = page_text(client.post("/auth/register", data={"csrf_token": token, "email": "nope"}))
    summary = re.search(r'<div class="error-summary" role="alert" aria-labelledby='
                        r'"error-summary-title" tabindex="-1" autofocus>(.*?)</div>', html, re.S)
    assert summary and html.index("error-summary") < html.index('<form method="post" action="/auth/register"')
    links = re.findall(r'<a href="#([\w-]+)">', summary.group(1))
    assert {"name_latin", "email", "country", "organisation", "password"} <= set(links)
    for field in ("email", "country", "organisation"):
        assert re.search(rf'<(input|select)[^>]*aria-invalid="true"[^>]*id="{field}"|'
                         rf'<(input|select)[^>]*id="{field}"[^>]*aria-invalid="true"', html), field
    # The Kosovo footnote is said once, under the form, and the country list points to it.
    assert html.count("UNSCR 1244/1999") == 1
    assert re.search(r'</form>\s*<p class="footnote" id="country-help">\* Kosovo', html)
    assert 'aria-describedby="country-help country-error"' in html


def test_a_term_is_explained_at_its_first_use_only(app):
    from academy.courses.markdown import GlossaryNote, render_module

    with app.app_context():
        html = render_module("[A](glossary:a) and [a again](glossary:a), [b](glossary:b).\n",
                             "ru", None, {"a": GlossaryNote("Термин", "Определение")})
    assert html.count('class="gloss-pop"') == 1 and html.count("gloss-btn") == 1
    assert "Определение: Термин" in html and "Открыть в глоссарии" in html
    assert html.count('href="/glossary#a"') == 3  # both links and the popover's own
    assert '<a href="/glossary#b" rel="noopener noreferrer">b</a>' in html  # unknown term: link
