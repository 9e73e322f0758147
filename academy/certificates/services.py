"""Issuing, revoking and re-issuing certificates. Services flush; the caller commits once."""
import secrets
from datetime import UTC, datetime

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from academy.auth.models import User
from academy.certificates import mails
from academy.certificates.credentials import ensure_credential
from academy.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from academy.core.audit import record_event
from academy.courses.models import Module, ModuleVersion
from academy.extensions import db
from academy.learning.models import CourseCompletion, ModuleProgress
from academy.learning.services import course_completed, get_completion

SERIAL_PREFIX = "PPTA"
CODE_BYTES = 24  # 192 bits, 32 URL-safe characters
AUTOMATIC = "automatic"

# Sent with the certificate inside the issuing / revoking transaction, after the flush; receivers
# (e.g. the reports' summary) only flush. A re-issue changes neither: one valid revision stays.
certificate_issued = Namespace().signal("certificate-issued")
certificate_revoked = Namespace().signal("certificate-revoked")
# The bulk issue's one signal for all it issued: sent with the course and `user_ids`.
certificates_issued = Namespace().signal("certificates-issued")


class CertificateError(Exception):
    """An action the rules do not allow; the message is shown to the user."""


def utcnow():
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def new_code():
    """An unguessable, URL-safe verification code that does not start with "-" (typed after
    `academy certificates verify`, it would read as an option)."""
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if not code.startswith("-"):
            return code


def next_serial(year):
    """The next free serial of `year`, e.g. PPTA-2026-000124."""
    prefix = f"{SERIAL_PREFIX}-{year}-"
    highest = db.session.scalar(select(db.func.max(Certificate.serial))
                                .where(Certificate.serial.like(prefix + "%")))
    number = int(highest.rsplit("-", 1)[1]) + 1 if highest else 1
    return f"{prefix}{number:06d}"


def current_certificate(user_id, course_id):
    """The newest revision of the learner's certificate for the course, or None."""
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.course_id == course_id)
        .order_by(Certificate.revision.desc()).limit(1))


def latest_revision(serial):
    """The newest revision of the certificate `serial`, or None."""
    return db.session.scalar(select(Certificate).where(Certificate.serial == serial)
                             .order_by(Certificate.revision.desc()).limit(1))


def by_code(code):
    """The certificate revision with verification code `code`, or None."""
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def module_versions(user_id, course_id):
    """The module versions the learner studied: [{'module': slug, 'version': number}]."""
    rows = db.session.execute(
        select(Module.slug, ModuleVersion.number)
        .join(ModuleProgress, ModuleProgress.module_id == Module.id)
        .join(ModuleVersion, ModuleVersion.id == ModuleProgress.version_id)
        .where(Module.course_id == course_id, ModuleProgress.user_id == user_id,
               ModuleProgress.completed_at.is_not(None))
        .order_by(Module.position)).all()
    return [{"module": slug, "version": number} for slug, number in rows]


def _facts(user, course, completion, now):
    return dict(
        user_id=user.id, course_id=course.id, name_latin=user.name_latin,
        name_cyrillic=user.name_cyrillic, course_slug=course.slug,
        course_title_en=course.title_en, course_title_ru=course.title_ru,
        hours=course.estimated_hours,
        completed_on=(completion.completed_at if completion else now).date(),
        content_version=completion.content_version if completion else course.content_version,
        module_versions=module_versions(user.id, course.id))


def issue_certificate(user, course, issuer, reason=None, completion=None):
    """Issue the learner's certificate for `course`; returns (certificate, created).

    Issuing again returns the existing certificate. Without a completion, `reason` is required.
    """
    existing = current_certificate(user.id, course.id)
    if existing is not None:
        return existing, False
    completion = completion or get_completion(user.id, course.id)
    reason = (reason or "").strip() or None
    if completion is None and reason is None:
        raise CertificateError(_("%(email)s has not completed this course: give a reason to "
                                 "issue a certificate without completion.", email=user.email))
    now = utcnow()
    facts = _facts(user, course, completion, now)
    for _attempt in range(5):
        try:
            # A savepoint: a parallel issue of the same serial loses only this insert.
            with db.session.begin_nested():
                certificate = Certificate(
                    serial=next_serial(now.year), revision=1, code=new_code(), issued_at=now,
                    issuer=issuer, status=VALID,
                    issued_without_completion=reason if completion is None else None, **facts)
                db.session.add(certificate)
        except IntegrityError:
            existing = current_certificate(user.id, course.id)
            if existing is not None:
                return existing, False
            continue
        break
    else:
        raise CertificateError(_("Could not allocate a serial number; please try again."))
    ensure_credential(certificate)
    record_event("certificates.issue", target=certificate.serial, learner=user.email,
                 course=course.slug, issuer=issuer,
                 **({"without_completion": reason} if completion is None else {}))
    db.session.flush()
    certificate_issued.send(certificate)
    mails.queue_issued(certificate, user)
    return certificate, True


def issue_on_completion(course, completion, **_extra):
    """`course_completed` receiver: issue automatically when the course says `certificate: auto`."""
    if course.certificate_policy != "auto":
        return
    user = db.session.get(User, completion.user_id)
    issue_certificate(user, course, AUTOMATIC, completion=completion)


course_completed.connect(issue_on_completion)


def revoke(certificate, reason, actor_label=""):
    """Revoke the newest revision of a certificate, keeping the record and the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give the reason for revoking the certificate."))
    if certificate.status != VALID:
        raise CertificateError(_("Only a valid certificate can be revoked."))
    certificate.status = REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoke_reason = reason
    record_event("certificates.revoke", target=certificate.serial, revision=certificate.revision,
                 reason=reason)
    db.session.flush()
    certificate_revoked.send(certificate)
    return certificate


def reissue(certificate, issuer):
    """A new revision with the same serial and the learner's current profile name."""
    if certificate.status != VALID:
        raise CertificateError(_("Only a valid certificate can be re-issued."))
    user, course = certificate.user, certificate.course
    completion = db.session.scalar(select(CourseCompletion).where(
        CourseCompletion.user_id == user.id, CourseCompletion.course_id == course.id))
    now = utcnow()
    facts = _facts(user, course, completion, now)
    if completion is None:
        facts["completed_on"] = certificate.completed_on
        facts["content_version"] = certificate.content_version
    successor = Certificate(serial=certificate.serial, revision=certificate.revision + 1,
                            code=new_code(), issued_at=now, issuer=issuer, status=VALID,
                            issued_without_completion=certificate.issued_without_completion,
                            **facts)
    db.session.add(successor)
    db.session.flush()
    certificate.status = SUPERSEDED
    certificate.superseded_by_id = successor.id
    ensure_credential(successor)
    record_event("certificates.reissue", target=successor.serial, revision=successor.revision,
                 previous_code_revision=certificate.revision)
    db.session.flush()
    mails.queue_issued(successor, user)
    return successor


def certificates_of(user_id):
    """The learner's certificates, newest revision of each, newest first."""
    rows = db.session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                              .order_by(Certificate.issued_at.desc(), Certificate.revision.desc()))
    seen, result = set(), []
    for certificate in rows:
        if certificate.serial not in seen:
            seen.add(certificate.serial)
            result.append(certificate)
    return result


@event.listens_for(Session, "after_commit")
def _send_after_commit(session):
    if session.get_nested_transaction() is not None:  # a savepoint released; the commit is to come
        return
    mails.send_queued(session)


@event.listens_for(Session, "after_transaction_end")
def _drop_after_rollback(session, transaction):
    if transaction.parent is None:
        mails.drop_queued(session)
