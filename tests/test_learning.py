"""Learning: catalogue, course page, enrolment, module page, "mark as done", dashboard."""
import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from academy.courses.models import Course, Module, ModuleContent, ModuleVersion
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment, ModuleProgress
from academy.learning.resume import resume_module
from tests.conftest import csrf_token

SAMPLE = "/courses/sample-course/"


def build_course(app, slug, area="asylum-protection", modules=1, hours=6.5):
    """A small published course of reading-only modules, made through the ORM, for catalogue
    variations the sample library does not have (several areas, module counts)."""
    with app.app_context():
        course = Course(slug=slug, title_en=f"Course {slug}", title_ru=f"Курс {slug}",
                        summary_en=f"Summary of {slug}", summary_ru=f"Описание {slug}",
                        thematic_area=area, pass_mark=70, certificate_policy="auto",
                        estimated_hours=hours, valid_as_of=date(2026, 11, 1), content_hash=slug)
        db.session.add(course)
        db.session.flush()
        for position in range(1, modules + 1):
            module = Module(course_id=course.id, slug=f"m{position}", position=position)
            db.session.add(module)
            db.session.flush()
            version = ModuleVersion(module_id=module.id, number=1, source_hash=module.slug)
            for lang in ("en", "ru"):
                version.contents.append(ModuleContent(
                    lang=lang, title=f"{lang} {slug} {position}", summary="", estimated_minutes=5,
                    objectives=[], sources=["A source"], html="<p>Text</p>",
                    source_hash="0" * 12))
            db.session.add(version)
            db.session.flush()
            module.current_version_id = version.id
        db.session.commit()
    return slug


def page_text(response):
    return response.get_data(as_text=True)


def post_form(client, page_url, action, data=None):
    """Post to `action` with the CSRF token of the page at `page_url`, as a browser would."""
    token = csrf_token(page_text(client.get(page_url)))
    return client.post(action, data={"csrf_token": token, **(data or {})})


def enrol(client, slug="sample-course"):
    return post_form(client, f"/courses/{slug}/", f"/courses/{slug}/enrol")


def set_language(client, lang):
    return post_form(client, "/courses/", "/language", {"lang": lang, "next": "/courses/"})


@pytest.fixture
def course(imported_app):
    """tests/data/courses imported: sample-course with first-steps (3 questions), reading-only,
    english-only (no ru.md, 2 questions) and a final pool of 4 drawing 3."""
    return "sample-course"


@pytest.fixture
def learner(make_user, auth):
    user = make_user()
    auth.login()
    return user


def query(app, statement):
    with app.app_context():
        return db.session.scalars(statement).all()


# --- catalogue ---------------------------------------------------------------------------------

def test_catalogue_groups_courses_by_area_and_hides_empty_areas(app, client):
    build_course(app, "ibm", area="irregular-migration", modules=3)
    build_course(app, "asylum", area="asylum-protection")
    html = page_text(client.get("/courses/"))
    assert ("Preventing and fighting irregular migration and migrant smuggling "
            "(includes Integrated Border Management)") in html
    assert "Strengthening capacities in the area of asylum and international protection" in html
    assert "Promoting readmission" not in html
    assert html.index("Course ibm") < html.rindex("Strengthening capacities") < html.index(
        "Course asylum")
    assert "Summary of ibm" in html and "6.5 h" in html and "3 modules" in html


def test_catalogue_in_russian_uses_official_area_titles_and_babel_numbers(app, client):
    build_course(app, "ibm", area="irregular-migration")
    html = page_text(client.get("/courses/", headers={"Accept-Language": "ru"}))
    assert ("Предотвращение незаконной миграции и незаконного ввоза мигрантов и борьба с ними "
            "(включая интегрированное управление границами)") in html
    assert "Курс ibm" in html and "6,5 ч" in html


def test_russian_module_counts_use_three_plural_forms(app, client):
    for slug, count in (("one", 1), ("two", 2), ("five", 5), ("twenty-one", 21)):
        build_course(app, slug, modules=count)
    html = page_text(client.get("/courses/", headers={"Accept-Language": "ru"}))
    assert ">1 модуль<" in html
    assert ">2 модуля<" in html
    assert ">5 модулей<" in html
    assert ">21 модуль<" in html


def test_catalogue_shows_the_signed_in_learners_progress(client, course, learner):
    html = page_text(client.get("/courses/"))
    assert "Sample course on asylum basics" in html and "3 modules" in html
    assert "modules completed" not in html  # not enrolled yet
    enrol(client)
    html = page_text(client.get("/courses/"))
    assert "0 of 3 modules completed" in html
    assert '<progress id="progress-sample-course" max="3" value="0">' in html


def test_kept_fragments_follow_the_language_and_the_enrolment(client, course, learner):
    """The catalogue cards and course outline rows are kept per process (core/fragments.py): the
    same pages asked in turn in English, Russian and English again, before and after enrolling,
    each show their own language and links."""
    for lang, title, facts in (("en", "Sample course on asylum basics", "Content valid as of"),
                               ("ru", "Учебный курс по основам убежища", "Материал актуален на"),
                               ("en", "Sample course on asylum basics", "Content valid as of")):
        set_language(client, lang)
        assert title in page_text(client.get("/courses/"))
        html = page_text(client.get(SAMPLE))
        assert title in html and facts in html
        assert 'href="/courses/sample-course/first-steps/"' not in outline(html)  # not enrolled
    enrol(client)
    assert 'href="/courses/sample-course/first-steps/"' in outline(page_text(client.get(SAMPLE)))


def outline(html):
    """The course page's outline list."""
    return html[html.index('<ol class="outline">'):html.index("</ol>", html.index('"outline"'))]


# --- course page -------------------------------------------------------------------------------

def test_course_page_for_anonymous_visitor_offers_sign_in(client, course):
    html = page_text(client.get(SAMPLE))
    assert "A small course used by the test suite." in html
    assert "November 1, 2026" in html and "2 h" in html
    assert 'href="/auth/login?next=/courses/sample-course/"' in html
    assert "Enrol in this course" not in html
    assert "First steps in international protection" in html
    assert html.index("First steps") < html.index("Reading the sources") < html.index(
        "An English-only module") < html.index("Final assessment")
    assert "3 questions drawn at random" in html


def test_course_page_in_russian_formats_date_and_hours_with_babel(client, course):
    html = page_text(client.get(SAMPLE, headers={"Accept-Language": "ru"}))
    assert "Учебный курс по основам убежища" in html
    assert "1 ноября 2026" in html and "2 ч" in html
    # The final is listed once, by its own title.
    assert "Материал актуален на" in html and "Итоговая аттестация" in html


def test_unknown_course_is_404(client, course):
    assert client.get("/courses/no-such-course/").status_code == 404


def test_enrolment_is_one_click_and_idempotent(app, client, course, learner):
    assert "Enrol in this course" in page_text(client.get(SAMPLE))
    response = enrol(client)
    assert response.status_code == 302 and response.location == SAMPLE
    html = page_text(client.get(SAMPLE))
    assert "You are enrolled. Start with the first module." in html
    assert '<progress id="course-progress" max="3" value="0">0%</progress>' in html
    assert "0 of 3 modules completed" in html and "Not started" in html
    enrol(client)
    assert "You are already enrolled in this course." in page_text(client.get(SAMPLE))
    assert len(query(app, select(Enrolment))) == 1


def test_enrolment_without_csrf_token_is_refused(app, client, course, learner):
    response = client.post(SAMPLE + "enrol")
    assert response.status_code == 400
    assert "The form expired" in page_text(response)
    assert query(app, select(Enrolment)) == []


# --- module page -------------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_sign_in(client, course):
    for url in ("/dashboard", SAMPLE + "first-steps/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/auth/login")
    response = client.post(SAMPLE + "enrol", data={
        "csrf_token": csrf_token(page_text(client.get("/courses/")))})
    assert response.status_code == 302 and response.location.startswith("/auth/login")


def test_module_page_requires_enrolment(app, client, course, learner):
    response = client.get(SAMPLE + "first-steps/", follow_redirects=True)
    assert response.request.path == SAMPLE
    assert "Enrol in the course to study its modules." in page_text(response)
    assert query(app, select(ModuleProgress)) == []


def test_module_page_shows_content_and_records_where_the_learner_is(app, client, course, learner):
    enrol(client)
    html = page_text(client.get(SAMPLE + "first-steps/"))
    assert '<h2 id="sec-non-refoulement">Non-refoulement</h2>' in html
    assert "Recognise a request for international protection." in html
    assert "1951 Convention relating to the Status of Refugees, Art. 1A(2) and 33(1)" in html
    assert "Start the quiz" in html and "Mark as done" not in html
    assert 'href="/courses/sample-course/reading-only/"' in html
    assert "This module is not yet available" not in html
    with app.app_context():
        progress = db.session.scalar(select(ModuleProgress))
        module = db.session.get(Module, progress.module_id)
        assert module.slug == "first-steps"
        assert progress.opened_at is not None and progress.completed_at is None
        assert progress.version_id == module.current_version_id
        assert db.session.scalar(select(Enrolment)).last_module_id == module.id
    html = page_text(client.get(SAMPLE + "reading-only/"))
    assert 'rel="prev" href="/courses/sample-course/first-steps/"' in html
    assert 'rel="next" href="/courses/sample-course/english-only/"' in html
    html = page_text(client.get(SAMPLE + "english-only/"))
    assert 'rel="next" href="/courses/sample-course/final/"' in html
    assert "In progress" in page_text(client.get(SAMPLE))


def test_unknown_module_is_404(client, course, learner):
    enrol(client)
    assert client.get(SAMPLE + "no-such-module/").status_code == 404


def test_russian_reader_sees_english_text_with_a_notice(client, course, learner):
    enrol(client)
    set_language(client, "ru")
    html = page_text(client.get(SAMPLE + "english-only/"))
    assert "Этот модуль пока не переведён на ваш язык. Показан оригинальный текст" in html
    assert "Penalties for irregular entry" in html
    assert '<div lang="en">' in html
    translated = page_text(client.get(SAMPLE + "first-steps/"))
    assert "Кто является беженцем" in translated
    assert "не переведён" not in translated
    assert "Цели обучения" in translated and "Начать тест" in translated


def test_reading_only_module_is_completed_by_mark_as_done(client, course, learner):
    enrol(client)
    url = SAMPLE + "reading-only/"
    response = post_form(client, url, url + "done")
    assert response.status_code == 302
    html = page_text(client.get(url))
    assert "Module completed." in html and "Mark as done" not in html
    course_page = page_text(client.get(SAMPLE))
    assert '<progress id="course-progress" max="3" value="1">' in course_page
    assert "1 of 3 modules completed" in course_page


def test_mark_as_done_is_refused_for_a_module_with_a_quiz(app, client, course, learner):
    enrol(client)
    url = SAMPLE + "first-steps/"
    response = post_form(client, url, url + "done")
    assert "This module is completed by passing its quiz." in page_text(
        client.get(response.location))
    assert query(app, select(ModuleProgress.completed_at)) == [None]


def test_mark_as_done_requires_enrolment(app, client, course, learner):
    response = post_form(client, SAMPLE, SAMPLE + "reading-only/done")
    assert "Enrol in the course to study its modules." in page_text(
        client.get(response.location))
    assert query(app, select(ModuleProgress)) == []


def test_lesson_page_is_small_and_has_no_inline_script_or_style(client, course, learner):
    enrol(client)
    response = client.get(SAMPLE + "first-steps/")
    html = page_text(response)
    assert len(response.data) < 100_000
    # One script, from our own static files (it remembers the section reached), none inline.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == [re.search(r'<script src="/static/player\.js\?v=\w+" defer>', html).group(0)]
    assert "<style" not in html and " style=" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- dashboard ---------------------------------------------------------------------------------

def test_dashboard_shows_progress_and_resume_link(app, client, course, learner):
    build_course(app, "other-course")
    assert "You are not enrolled in any course yet." in page_text(client.get("/dashboard"))
    enrol(client)
    client.get(SAMPLE + "english-only/")
    html = page_text(client.get("/dashboard"))
    assert "Sample course on asylum basics" in html and "Course other-course" not in html
    assert "0 of 3 modules completed" in html
    assert '<progress id="progress-sample-course" max="3" value="0">' in html
    resume = re.search(r'href="([^"]+)">Resume where you stopped', html)
    assert resume and resume.group(1) == SAMPLE + "english-only/"
    post_form(client, SAMPLE + "reading-only/", SAMPLE + "reading-only/done")
    html = page_text(client.get("/dashboard"))
    assert '<progress id="progress-sample-course" max="3" value="1">' in html
    # The last module opened is done: resuming leads on to the next unfinished one.
    assert re.search(r'href="/courses/sample-course/english-only/">Resume where you stopped', html)


def test_course_page_starts_then_resumes_at_the_next_unfinished_module(client, course, learner):
    enrol(client)
    html = page_text(client.get(SAMPLE))
    assert "Resume where you stopped" not in html
    assert re.search(r'href="/courses/sample-course/first-steps/">Start the course', html)
    client.get(SAMPLE + "first-steps/")  # opened, not completed: resume there
    assert re.search(r'href="/courses/sample-course/first-steps/">Resume where you stopped',
                     page_text(client.get(SAMPLE)))
    post_form(client, SAMPLE + "reading-only/", SAMPLE + "reading-only/done")
    assert re.search(r'href="/courses/sample-course/english-only/">Resume where you stopped',
                     page_text(client.get(SAMPLE)))


def test_resume_wraps_round_to_the_first_unfinished_module():
    first, second, third = (SimpleNamespace(id=i) for i in (1, 2, 3))
    modules = [first, second, third]
    assert resume_module(None, modules, set()) is first
    assert resume_module(2, modules, {1}) is second
    assert resume_module(2, modules, {2}) is third
    assert resume_module(3, modules, {2, 3}) is first
    assert resume_module(9, modules, {1}) is second  # retired last module
    assert resume_module(3, modules, {1, 2, 3}) is None


def test_dashboard_lists_completed_courses_with_their_date(app, client, learner):
    build_course(app, "short")
    enrol(client, "short")
    post_form(client, "/courses/short/m1/", "/courses/short/m1/done")
    html = page_text(client.get("/dashboard"))
    assert "Completed courses" in html and "In progress" not in html
    assert re.search(r"completed on \w+ \d+, \d{4}", html)
    assert "You completed this course on" in page_text(client.get("/courses/short/"))
    with app.app_context():
        completion = db.session.scalar(select(CourseCompletion))
        assert completion.content_version == 1


def test_dashboard_counts_in_russian(app, client, learner):
    for slug, count in (("one", 1), ("two", 2), ("five", 5)):
        build_course(app, slug, modules=count)
        enrol(client, slug)
    set_language(client, "ru")
    html = page_text(client.get("/dashboard"))
    assert "3 курса в процессе изучения" in html
    assert "Пройдено модулей: 0 из 5" in html
    post_form(client, "/courses/one/m1/", "/courses/one/m1/done")
    html = page_text(client.get("/dashboard"))
    assert "2 курса в процессе изучения" in html
    assert "1 курс пройден" in html and "1 модуль" in html
    assert re.search(r"пройден \d+ \w+ \d{4}", html)


def test_course_completed_signal_is_sent_once_inside_the_transaction(app, client, learner):
    from academy.learning.services import course_completed

    received = []

    def receiver(course, completion):
        # Still inside the request's transaction: the row is flushed, not yet committed.
        received.append((course.slug, completion.id, completion.content_version))

    build_course(app, "short")
    enrol(client, "short")
    with course_completed.connected_to(receiver):
        post_form(client, "/courses/short/m1/", "/courses/short/m1/done")
        post_form(client, "/courses/short/m1/", "/courses/short/m1/done")
    assert len(received) == 1
    slug, completion_id, content_version = received[0]
    assert slug == "short" and completion_id is not None and content_version == 1
