"""Trainer Network: invitations (one, CSV, reminders, expiry, reuse), profiles, directory, teams."""
import io
import re
from datetime import timedelta

import pytest

from academy.auth.models import User
from academy.core.audit import AuditEvent
from academy.courses.assignments import CourseAssignment
from academy.extensions import db
from academy.network.models import TrainerInvitation, TrainerProfile
from tests.conftest import csrf_token

NEW_PASSWORD = "Chisinau river bank 42"


def _post(client, path, page=None, **data):
    token = csrf_token(client.get(page or "/courses/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _mails(folder):
    return [m.read_bytes().decode("utf-8") for m in sorted((folder / "mail").glob("*.eml"))]


def _link(mail):
    return re.search(r"https?://\S+(/network/invite/\S+)", mail.replace("=\n", "")).group(1)


def _invite(client, email="ion@example.md", country="MD", language="ru", name="Ион Чебан"):
    return _post(client, "/network/invitations/", page="/network/invitations/", name=name,
                 email=email, country=country, organisation="Border Police", language=language)


def test_invitation_to_a_new_address_creates_a_trainer(signed_in, imported_app, tmp_path):
    admin = signed_in("admin")
    assert _invite(admin).status_code == 302
    [mail] = _mails(tmp_path)
    assert "Content-Language: ru" in mail
    body = mail.split("\n\n", 1)[1]
    assert "Сеть тренеров" in body and "Trainer Network" not in body  # in the invitee's language
    link = _link(mail)

    invitee = imported_app.test_client()
    page = invitee.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="ru"' in html and "Ион Чебан" in html
    response = invitee.post(link, data={"csrf_token": csrf_token(html), "name_cyrillic": "Ион Чебан",
                                        "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/network/profile"
    assert invitee.get("/network/profile").status_code == 200  # signed in as a trainer
    with imported_app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="ion@example.md"))
        assert (user.role, user.country, user.locale, user.organisation) == (
            "trainer", "MD", "ru", "Border Police")
        assert user.email_confirmed_at is not None
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="network.accept"))
    # The link is single-use.
    again = imported_app.test_client().get(link)
    assert again.status_code == 410


def test_an_existing_learner_accepts_and_becomes_a_trainer(signed_in, imported_app, tmp_path,
                                                           people):
    admin = signed_in("admin")
    _invite(admin, email="anna@example.am", country="AM", language="en", name="Anna Petrosyan")
    link = _link(_mails(tmp_path)[0])
    stranger = imported_app.test_client()
    html = stranger.get(link).get_data(as_text=True)
    assert "Sign in to accept" in html and "password_confirm" not in html
    other = signed_in("learner_ge")
    other_page = other.get(link).get_data(as_text=True)
    assert "signed in with another account" in other_page
    assert other.post(link, data={"csrf_token": csrf_token(other_page)}).status_code == 200
    learner = signed_in("learner_am")
    page = learner.get(link).get_data(as_text=True)
    response = learner.post(link, data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with imported_app.app_context():
        assert db.session.get(User, people["learner_am"][0]).role == "trainer"
        assert db.session.get(User, people["learner_ge"][0]).role == "learner"
    assert learner.get(link).status_code == 410


def test_expired_forged_and_replaced_links_are_refused(signed_in, imported_app, tmp_path):
    admin = signed_in("admin")
    _invite(admin, email="a@example.md")
    _invite(admin, email="b@example.md")
    first, second = (_link(m) for m in _mails(tmp_path))
    client = imported_app.test_client()
    assert client.get(first[:-3] + "xyz").status_code == 410  # forged signature
    with imported_app.app_context():
        invitation = db.session.scalar(db.select(TrainerInvitation).filter_by(email="a@example.md"))
        invitation.expires_at = invitation.expires_at - timedelta(days=15)
        db.session.commit()
    page = client.get(first)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    # A reminder replaces the link: the old one dies, the new one works and names the new date.
    with imported_app.app_context():
        invitation_id = db.session.scalar(db.select(TrainerInvitation.id).filter_by(
            email="b@example.md"))
    assert _post(admin, f"/network/invitations/{invitation_id}/remind").status_code == 302
    reminder = _mails(tmp_path)[-1]
    assert "напоминаем" in reminder.lower() and "reminder" not in reminder.split("\n\n", 1)[1]
    assert client.get(second).status_code == 410
    assert client.get(_link(reminder)).status_code == 200


def test_coordinator_invites_only_into_their_states(signed_in, imported_app, tmp_path):
    coordinator = signed_in("coord_ge")
    refused = _invite(coordinator, country="AM")
    assert refused.status_code == 400
    assert "not among the states you manage" in refused.get_data(as_text=True)
    assert _invite(coordinator, country="GE").status_code == 302
    duplicate = _invite(coordinator, country="GE")
    assert duplicate.status_code == 400 and "open invitation" in duplicate.get_data(as_text=True)
    with imported_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(TrainerInvitation)) == 1
    assert signed_in("learner_ge").post("/network/invitations/").status_code == 400  # no CSRF
    assert _post(signed_in("trainer_ge"), "/network/invitations/").status_code == 403
    html = signed_in("coord_am").get("/network/invitations/").get_data(as_text=True)
    assert "ion@example.md" not in html  # other states' invitations stay out of sight


def _upload(client, body):
    page = client.get("/network/invitations/").get_data(as_text=True)
    return client.post("/network/invitations/csv", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(body), "trainers.csv")})


GOOD_CSV = ("name,email,country,organisation,language\n"
            "Ион Чебан,ion@example.md,MD,Border Police,ru\n"
            "Nino Gelashvili,nino.g@example.ge,ge,Public Service Hall,en\n")


def test_csv_with_bad_rows_invites_nobody_and_reports_each_line(signed_in, imported_app,
                                                                 tmp_path):
    admin = signed_in("admin")
    body = GOOD_CSV + ("No Email,,GE,x,en\n"
                       "Dup,ion@example.md,MD,x,ru\n"
                       "Far Away,far@example.org,ZZ,x,de\n")
    response = _upload(admin, body.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "3 lines have problems; no invitation was sent." in html
    assert "The e-mail address is not valid." in html
    assert "This e-mail address appears more than once." in html
    assert "Unknown country" in html and "The language must be en or ru." in html
    assert "OK — not sent, because of the other lines" in html
    with imported_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(TrainerInvitation)) == 0
    assert _mails(tmp_path) == []


@pytest.mark.parametrize("body, message", [
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (b"mail,name\nx,y\n", "The first line must be the header"),
    (b"name,email,country,organisation,language\n", "no invitations"),
    (b"", "no invitations"),
])
def test_csv_file_problems_are_explained(signed_in, body, message):
    response = _upload(signed_in("admin"), body)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_good_csv_invites_everyone_in_their_language(signed_in, imported_app, tmp_path):
    response = _upload(signed_in("admin"), ("\ufeff" + GOOD_CSV).encode())
    assert response.status_code == 200
    assert "2 invitations have been sent." in response.get_data(as_text=True)
    languages = sorted(re.search(r"Content-Language: (\w+)", m).group(1) for m in _mails(tmp_path))
    assert languages == ["en", "ru"]
    with imported_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).filter(
            AuditEvent.action == "network.invite")) == 2


def test_profile_directory_and_filters(signed_in, imported_app, people):
    trainer = signed_in("trainer_ge")
    bad = _post(trainer, "/network/profile", page="/network/profile", country="GE",
                organisation="Ministry")
    assert bad.status_code == 400 and "at least one working language" in bad.get_data(as_text=True)
    saved = _post(trainer, "/network/profile", page="/network/profile",
                  areas=["asylum-protection", "irregular-migration"], languages=["ka", "en"],
                  country="GE", organisation="Border Police of Georgia",
                  bio="**Expert** in <script>alert(1)</script> [asylum](javascript:alert(1))",
                  trainings_delivered="12")
    assert saved.status_code == 302
    page = trainer.get(saved.headers["Location"]).get_data(as_text=True)
    assert "<strong>Expert</strong>" in page and "<script>" not in page
    assert 'href="javascript:' not in page and "Border Police of Georgia" in page
    with imported_app.app_context():
        profile = db.session.get(TrainerProfile, people["trainer_ge"][0])
        assert (profile.areas, profile.languages) == ("irregular-migration,asylum-protection",
                                                      "en,ka")
    coordinator = signed_in("coord_am")
    for query, found in (("", True), ("?area=asylum-protection", True),
                         ("?area=integration", False), ("?language=ka", True),
                         ("?language=ru", False), ("?country=GE", True), ("?country=AM", False)):
        html = coordinator.get("/network/" + query).get_data(as_text=True)
        assert ("Giorgi Kapanadze" in html) is found, query
    assert signed_in("learner_ge").get(f"/network/trainers/{people['trainer_ge'][0]}").status_code == 403
    assert coordinator.get(f"/network/trainers/{people['learner_ge'][0]}").status_code == 404


def test_coordinator_assigns_and_removes_trainers(signed_in, imported_app, people):
    trainer_id = people["trainer_ge"][0]
    outsider = signed_in("coord_am")
    html = outsider.get("/network/courses/sample-course/").get_data(as_text=True)
    assert "Giorgi" not in html
    response = _post(outsider, "/network/courses/sample-course/",
                     page="/network/courses/sample-course/", trainer=str(trainer_id), role="author")
    assert response.status_code == 404  # a trainer outside this coordinator's states
    coordinator = signed_in("coord_ge")
    response = _post(coordinator, "/network/courses/sample-course/",
                     page="/network/courses/sample-course/", trainer=str(trainer_id), role="author")
    assert response.status_code == 302
    assert "Giorgi Kapanadze" in coordinator.get("/network/courses/").get_data(as_text=True)
    assert _post(outsider, "/network/courses/sample-course/unassign", trainer=str(trainer_id),
                 role="author").status_code == 404
    assert coordinator.get("/network/courses/nope/").status_code == 404
    with imported_app.app_context():
        assert db.session.scalar(db.select(CourseAssignment).filter_by(user_id=trainer_id)).role \
            == "author"
    _post(coordinator, "/network/courses/sample-course/unassign", trainer=str(trainer_id),
          role="author")
    with imported_app.app_context():
        assert db.session.scalar(db.select(CourseAssignment)) is None
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
        assert {"courses.assign", "courses.unassign"} <= actions


def test_cli_reminds_each_unanswered_invitation_once_in_its_language(signed_in, imported_app,
                                                                      tmp_path):
    admin = signed_in("admin")
    _invite(admin, email="ru@example.md", language="ru")
    _invite(admin, email="en@example.md", language="en", name="Ion Ceban")
    runner = imported_app.test_cli_runner()
    assert "0 reminder(s) sent" in runner.invoke(args=["trainers", "remind"]).output
    with imported_app.app_context():
        for invitation in db.session.scalars(db.select(TrainerInvitation)):
            invitation.created_at = invitation.created_at - timedelta(days=8)
        db.session.commit()
    result = runner.invoke(args=["trainers", "remind"])
    assert result.exit_code == 0 and "2 reminder(s) sent" in result.output
    reminders = _mails(tmp_path)[2:]
    assert sorted(re.search(r"Content-Language: (\w+)", m).group(1) for m in reminders) == [
        "en", "ru"]
    assert "1 reminder(s) sent" not in runner.invoke(args=["trainers", "remind"]).output
    for mail in reminders:
        assert imported_app.test_client().get(_link(mail)).status_code == 200
