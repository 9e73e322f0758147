"""The set-based bulk issue makes exactly what issuing one by one makes (issue #8, performance)."""
import email

import pytest
from sqlalchemy import func, select

from academy.certificates.models import Certificate
from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.certificate_fixtures import NAME_CYRILLIC, NAME_LATIN, complete_course
from tests.test_certificates_credentials import verified_payload

SAME_FACTS = ("course_id", "name_latin", "name_cyrillic", "course_slug", "course_title_en",
              "course_title_ru", "hours", "completed_on", "content_version", "module_versions",
              "issuer", "status", "revision", "issued_without_completion", "revoked_at",
              "revoke_reason", "superseded_by_id")
EMAILS = ("one@example.org", "batch@example.org", "late@example.org")


@pytest.fixture
def learners(app, client, make_user, auth):
    """Three learners of a two-module course without automatic certificates; two completed it."""
    from tests.test_learning import build_course

    build_course(app, "pair", modules=2)
    with app.app_context():
        from academy.courses.models import Course
        db.session.scalar(select(Course)).certificate_policy = "manual"
        db.session.commit()
    for number, address in enumerate(EMAILS):
        make_user(email=address, name_latin=NAME_LATIN, name_cyrillic=NAME_CYRILLIC,
                  locale="ru" if number < 2 else "en")
        if number < 2:
            auth.login(address)
            complete_course(app, client, "pair")
            auth.logout()
    return EMAILS


def users(*addresses):
    from academy.auth.models import User

    found = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(addresses)))}
    return [found[address] for address in addresses]


def test_batch_issue_equals_one_by_one_issue_record_credential_audit_and_mail(
        app, client, learners, tmp_path):
    from academy.certificates import batch, credentials, services
    from academy.courses.models import Course

    with app.app_context():
        course = db.session.scalar(select(Course))
        one, in_batch, late = users(*EMAILS)
        single, created = services.issue_certificate(one, course, "cli:test")
        assert created
        results = batch.issue_many(course, [in_batch, late, in_batch], "cli:test",
                                   reason=" Paper exam ")
        db.session.commit()
        assert [(r.user_id, r.created) for r in results] == [(in_batch.id, True), (late.id, True)]
        assert [r.serial[-6:] for r in results] == ["000002", "000003"]
        made = {c.user_id: c for c in db.session.scalars(select(Certificate))}
        first, second, third = made[one.id], made[in_batch.id], made[late.id]
        assert {f: getattr(second, f) for f in SAME_FACTS} == {f: getattr(first, f) for f in SAME_FACTS}
        assert second.module_versions == [{"module": "m1", "version": 1}, {"module": "m2", "version": 1}]
        assert third.issued_without_completion == "Paper exam" and third.module_versions == []
        assert len({first.code, second.code, third.code}) == 3
        # Ed25519 is deterministic: the one-by-one signing path gives the very same token.
        for certificate in (second, third):
            assert certificate.credential_jwt == credentials.sign_vc(
                credentials.build_credential(certificate), certificate.issued_at)
        events = {e.target: e for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "certificates.issue"))}
        assert events[second.serial].details == {"learner": "batch@example.org", "course": "pair",
                                                 "issuer": "cli:test"}
        assert events[third.serial].details["without_completion"] == "Paper exam"
        assert events[second.serial].actor == events[first.serial].actor
        tokens = {c.user_id: c.credential_jwt for c in (first, second, third)}
    payload = verified_payload(client, tokens[in_batch.id])
    assert payload["credentialStatus"]["statusListIndex"] == str(second.id)
    assert payload["id"].endswith(f"/verify/{second.code}")
    mails = {m["To"]: m for m in (email.message_from_bytes(p.read_bytes())
                                  for p in (tmp_path / "mail").glob("*.eml"))}
    body = mails["batch@example.org"].get_payload(decode=True).decode()
    assert mails["batch@example.org"]["Content-Language"] == "ru"
    assert NAME_CYRILLIC in body and second.serial in body and f"/verify/{second.code}" in body
    assert NAME_LATIN in mails["late@example.org"].get_payload(decode=True).decode()


def test_batch_issue_again_creates_nothing_and_refuses_a_missing_reason(app, learners):
    from academy.certificates import batch, services
    from academy.courses.models import Course

    with app.app_context():
        course = db.session.scalar(select(Course))
        with pytest.raises(services.CertificateError, match="late@example.org"):
            batch.issue_many(course, users(*EMAILS), "cli:test")
        assert db.session.scalar(select(func.count(Certificate.id))) == 0
        first = batch.issue_many(course, users(*EMAILS[:2]), "cli:test")
        db.session.commit()
        again = batch.issue_many(course, users(*EMAILS), "cli:test", reason="Paper")
        db.session.commit()
        assert [(r.serial, r.created) for r in again[:2]] == [(r.serial, False) for r in first]
        assert again[2].created
        assert db.session.scalar(select(func.count(Certificate.id))) == 3
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "certificates.issue")) == 3


def test_a_serial_taken_meanwhile_is_retried_in_a_savepoint(app, learners, monkeypatch):
    from academy.certificates import batch, services
    from academy.courses.models import Course

    with app.app_context():
        course = db.session.scalar(select(Course))
        one, in_batch, _late = users(*EMAILS)
        taken, _created = services.issue_certificate(one, course, "cli:test")
        real, calls = services.next_serial, []

        def stale(year):  # another worker's serial, as if read before its insert committed
            calls.append(year)
            return taken.serial if len(calls) == 1 else real(year)

        monkeypatch.setattr(services, "next_serial", stale)
        result = batch.issue_many(course, [in_batch], "cli:test")
        db.session.commit()
        assert len(calls) == 2 and result[0].created and result[0].serial != taken.serial
        assert db.session.scalar(select(func.count(Certificate.id))) == 2
