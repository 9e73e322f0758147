"""The Trainer Network journey in a real browser, with the coordinator's pages in English and in
Russian: a coordinator invites a trainer in Russian, the trainer accepts, fills the profile,
appears in the directory and is assigned to a course; axe-core finds no WCAG violation on the
pages of the journey, and the admin pages reflow at 320 px."""
import re

import pytest
from playwright.sync_api import expect

from academy.auth.models import User
from academy.courses.assignments import CourseAssignment
from academy.extensions import db
from tests.conftest import PASSWORD
from tests.test_accessibility import axe_violations, horizontal_overflow, report

pytestmark = pytest.mark.browser

TRAINER_EMAIL = "ion.ceban@example.md"
TRAINER_PASSWORD = "Chisinau river bank 42"
TEXT = {
    "en": {"invite": "Send the invitation", "assign": "Assign", "users": "Users",
           "sent": "An invitation has been sent"},
    "ru": {"invite": "Отправить приглашение", "assign": "Назначить", "users": "Пользователи",
           "sent": "Приглашение отправлено"},
}


def _link(outbox):
    [mail] = list(outbox.glob("*.eml"))
    text = mail.read_bytes().decode("utf-8")
    assert "Content-Language: ru" in text
    return re.search(r"https?://\S+/network/invite/\S+", text.replace("=\n", "")).group(0)


def _clean(page, seen):
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{report(violations)}"
    seen.append(page.url)


def _sign_in(page, url, email, password):
    page.goto(url + "/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form[action='/auth/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/(dashboard|courses/)"))


@pytest.mark.parametrize("ui_lang", ["en", "ru"])
def test_coordinator_invites_and_assigns_a_trainer(imported_app, live_server, browser, tmp_path,
                                                   ui_lang):
    app = imported_app
    outbox = tmp_path / "mail"
    app.config["ACADEMY_MAIL_OUTBOX"] = str(outbox)
    from academy.auth.services import create_user

    with app.app_context():
        coordinator = create_user("ncp@example.md", PASSWORD, role="coordinator", confirmed=True,
                                  country="MD", locale=ui_lang, name_latin="Maria Rusu")
        coordinator.country_scope = "MD"
        db.session.commit()
    seen = []
    with live_server(app) as server:
        app.config["ACADEMY_BASE_URL"] = server.url
        staff = browser.new_context(locale="en-GB")
        invitee = browser.new_context(locale="en-GB")  # the link, not the browser, sets Russian
        try:
            page = staff.new_page()
            _sign_in(page, server.url, "ncp@example.md", PASSWORD)
            page.locator("header .user > summary").click()  # the work pages are in the account menu
            page.get_by_role("link", name=TEXT[ui_lang]["users"], exact=True).click()
            page.wait_for_url("**/admin/users/")
            _clean(page, seen)
            page.goto(server.url + "/network/invitations/")
            assert page.locator("html").get_attribute("lang") == ui_lang
            page.locator("#name").fill("Ион Чебан")
            page.locator("#email").fill(TRAINER_EMAIL)
            page.locator("#country").select_option("MD")
            page.locator("#organisation").fill("Пограничная полиция")
            page.locator("#language").select_option("ru")
            page.get_by_role("button", name=TEXT[ui_lang]["invite"], exact=True).click()
            expect(page.locator(".flash")).to_contain_text(TEXT[ui_lang]["sent"])
            _clean(page, seen)

            trainer = invitee.new_page()
            trainer.goto(_link(outbox))
            assert trainer.locator("html").get_attribute("lang") == "ru"
            assert trainer.locator("#name_cyrillic").input_value() == "Ион Чебан"
            _clean(trainer, seen)
            trainer.get_by_label("Полное имя латиницей").fill("Ion Ceban")
            trainer.get_by_label("Пароль", exact=True).fill(TRAINER_PASSWORD)
            trainer.get_by_label("Повторите пароль").fill(TRAINER_PASSWORD)
            trainer.get_by_role("button", name="Принять приглашение").click()
            trainer.wait_for_url("**/network/profile")
            _clean(trainer, seen)
            trainer.locator("input[name=areas][value=irregular-migration]").check()
            trainer.locator("input[name=languages][value=ru]").check()
            trainer.locator("input[name=languages][value=ro]").check()
            trainer.get_by_label("Краткая биография").fill(
                "Инструктор по **интегрированному управлению границами**.")
            trainer.get_by_label("Проведено тренингов").fill("7")
            trainer.get_by_role("button", name="Сохранить профиль").click()
            trainer.wait_for_url(re.compile(r".*/network/trainers/\d+"))
            assert trainer.locator("strong", has_text="интегрированному").count() == 1
            _clean(trainer, seen)

            page.goto(server.url + "/network/?area=irregular-migration&language=ro&country=MD")
            page.get_by_role("link", name="Ion Ceban").wait_for()
            _clean(page, seen)
            page.goto(server.url + "/network/courses/sample-course/")
            page.locator("#trainer").select_option(label=f"Ion Ceban ({TRAINER_EMAIL})")
            page.locator("#role").select_option("author")
            page.get_by_role("button", name=TEXT[ui_lang]["assign"], exact=True).click()
            expect(page.locator("main ul").first).to_contain_text("Ion Ceban")
            _clean(page, seen)
            assert horizontal_overflow(page) <= 0
            page.goto(server.url + "/admin/users/?q=ceban")
            page.get_by_role("link", name="Ion Ceban").click()
            page.wait_for_url(re.compile(r".*/admin/users/\d+/$"))
            _clean(page, seen)
            assert horizontal_overflow(page) <= 0
        finally:
            staff.close()
            invitee.close()
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=TRAINER_EMAIL))
        assert (user.role, user.locale) == ("trainer", "ru")
        assert db.session.scalar(db.select(CourseAssignment).filter_by(user_id=user.id)).role \
            == "author"
    assert len(seen) == 8


@pytest.mark.parametrize("ui_lang", ["en", "ru"])
def test_audit_log_and_csv_report_are_accessible(imported_app, live_server, browser, tmp_path,
                                                 ui_lang):
    """The pages the journey does not reach: an admin's audit log, a CSV refused line by line."""
    app = imported_app
    from academy.auth.services import create_user

    with app.app_context():
        create_user("root@example.org", PASSWORD, role="admin", confirmed=True, locale=ui_lang)
        db.session.commit()
    csv_file = tmp_path / "trainers.csv"
    csv_file.write_text("name,email,country,organisation,language\n"
                        "Ион Чебан,ion@example.md,MD,Police,ru\n,bad,ZZ,,xx\n", encoding="utf-8")
    with live_server(app) as server:
        context = browser.new_context(locale="en-GB")
        try:
            page = context.new_page()
            _sign_in(page, server.url, "root@example.org", PASSWORD)
            page.goto(server.url + "/network/invitations/")
            page.locator("#file").set_input_files(str(csv_file))
            page.locator("form[action$='/csv'] button[type=submit]").click()
            expect(page.locator("table[aria-labelledby=report-heading] tbody tr")).to_have_count(2)
            seen = []
            _clean(page, seen)
            assert horizontal_overflow(page) <= 0
            page.goto(server.url + "/admin/audit/")
            assert page.locator("tbody tr").count() >= 1  # the course import at least
            _clean(page, seen)
            assert horizontal_overflow(page) <= 0
        finally:
            context.close()
    with app.app_context():
        from academy.network.models import TrainerInvitation

        assert db.session.scalar(db.select(db.func.count()).select_from(TrainerInvitation)) == 0
