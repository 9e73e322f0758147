"""Certificates: the record and its automatic issue inside the completing transaction."""
import email
import re

import pytest
from sqlalchemy import select

from sqlalchemy.exc import DBAPIError

from academy.certificates.models import Certificate
from academy.certificates.services import CertificateError
from academy.core.audit import AuditEvent
from academy.extensions import db
from academy.learning.models import CourseCompletion
from tests.certificate_fixtures import NAME_CYRILLIC, NAME_LATIN, complete_course
from tests.test_course_import import refuse_inserts


def rows(app, model):
    with app.app_context():
        return db.session.scalars(select(model)).all()


def test_completing_a_course_issues_the_certificate_with_every_fact(app, client, issued):
    c = issued
    assert re.fullmatch(r"PPTA-\d{4}-000001", c.serial) and c.revision == 1
    assert c.serial[5:9] == str(c.issued_at.year)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", c.code)  # 24 random bytes = 192 bits
    assert (c.name_latin, c.name_cyrillic) == (NAME_LATIN, NAME_CYRILLIC)
    assert (c.course_title_en, c.course_title_ru) == ("Course short", "Курс short")
    assert c.hours == 6.5 and c.content_version == 1 and c.status == "valid"
    assert c.module_versions == [{"module": "m1", "version": 1}]
    assert c.issuer == "automatic" and c.issued_without_completion is None
    completion = rows(app, CourseCompletion)[0]
    assert c.completed_on == completion.completed_at.date()
    events = [e for e in rows(app, AuditEvent) if e.action == "certificates.issue"]
    assert [(e.target, e.details["course"]) for e in events] == [(c.serial, "short")]
    assert c.credential_jwt and c.credential_jwt.count(".") == 2


def test_issue_mail_is_in_the_learners_language_with_the_links(app, issued, tmp_path):
    mails = sorted((tmp_path / "mail").glob("*.eml"))
    message = email.message_from_bytes(mails[-1].read_bytes())
    body = message.get_payload(decode=True).decode()
    assert message["To"] == "learner@example.org" and message["Content-Language"] == "ru"
    assert "Здравствуйте" in body or NAME_CYRILLIC in body
    assert NAME_CYRILLIC in body and "Курс short" in body and issued.serial in body
    assert f"/verify/{issued.code}" in body and "/certificates/" in body


def test_a_failed_certificate_insert_leaves_neither_completion_nor_certificate(
        app, client, short_course, named_learner, tmp_path):
    refuse_inserts(app, "certificate")
    with pytest.raises((CertificateError, DBAPIError)):
        complete_course(app, client, short_course)
    assert rows(app, CourseCompletion) == [] and rows(app, Certificate) == []
    assert not list((tmp_path / "mail").glob("*.eml")) or all(
        "certificate" not in p.read_text(errors="ignore").lower()
        for p in (tmp_path / "mail").glob("*.eml"))


def test_a_course_without_automatic_certificates_issues_none(app, client, named_learner):
    from tests.test_learning import build_course

    build_course(app, "manual")
    with app.app_context():
        from academy.courses.models import Course
        db.session.scalar(select(Course)).certificate_policy = "manual"
        db.session.commit()
    complete_course(app, client, "manual")
    assert len(rows(app, CourseCompletion)) == 1 and rows(app, Certificate) == []


def test_issuing_twice_creates_nothing_new_and_serials_count_up(app, issued, make_user):
    from academy.auth.models import User
    from academy.certificates.services import issue_certificate
    from academy.courses.models import Course

    other = make_user(email="other@example.org", name_latin="Ivan Petrov")
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.email == "learner@example.org"))
        course = db.session.scalar(select(Course))
        again, created = issue_certificate(learner, course, "cli:test")
        assert not created and again.serial == issued.serial
        other = db.session.get(User, other.id)
        with pytest.raises(Exception, match="has not completed"):
            issue_certificate(other, course, "cli:test")
        second, created = issue_certificate(other, course, "cli:test", reason="Paper exam passed")
        db.session.commit()
        assert created and second.serial.endswith("000002")
        assert second.issued_without_completion == "Paper exam passed"
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.target == second.serial)).one()
        assert event.details["without_completion"] == "Paper exam passed"


def test_mails_leave_only_when_the_outer_transaction_commits(app, make_user, short_course, tmp_path):
    from academy.auth.models import User
    from academy.certificates.services import issue_certificate
    from academy.courses.models import Course

    ids = [make_user(email=f"p{n}@example.org").id for n in range(2)]
    outbox = tmp_path / "mail"
    with app.app_context():
        course = db.session.scalar(select(Course))
        for user_id in ids:
            issue_certificate(db.session.get(User, user_id), course, "cli:test", reason="Paper")
        assert not list(outbox.glob("*.eml"))  # savepoints released, nothing committed yet
        db.session.rollback()
        assert not list(outbox.glob("*.eml")) and rows(app, Certificate) == []
        for user_id in ids:
            issue_certificate(db.session.get(User, user_id), course, "cli:test", reason="Paper")
        db.session.commit()
    assert len(list(outbox.glob("*.eml"))) == 2
