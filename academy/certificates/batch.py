"""Set-based issue of many certificates for one course: a few queries, one insert, one update.

The records, credentials, audit events and mails are the same as issuing one by one with
`services.issue_certificate`; only the number of statements differs (issue #8, performance).
"""
from dataclasses import dataclass
from types import SimpleNamespace

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from academy.certificates import credentials, keys, mails, services
from academy.certificates.models import VALID, Certificate
from academy.core.audit import AuditEvent, _actor
from academy.courses.models import Module, ModuleVersion
from academy.extensions import db
from academy.learning.models import CourseCompletion, ModuleProgress

CHUNK = 500  # ids per IN (...): well below every database's parameter limit
ATTEMPTS = 5


@dataclass
class Issued:
    """What issuing did for one learner: the serial, and whether it is new."""

    user_id: int
    serial: str
    created: bool


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing(course_id, user_ids):
    """{user_id: serial of the newest revision} of learners who already have a certificate."""
    found = {}
    for chunk in _chunks(user_ids):
        for user_id, serial in db.session.execute(
                select(Certificate.user_id, Certificate.serial)
                .where(Certificate.course_id == course_id, Certificate.user_id.in_(chunk))
                .order_by(Certificate.revision)):
            found[user_id] = serial
    return found


def _completions(course_id, user_ids):
    """{user_id: (completed_at, content_version)}."""
    found = {}
    for chunk in _chunks(user_ids):
        for user_id, completed_at, version in db.session.execute(
                select(CourseCompletion.user_id, CourseCompletion.completed_at,
                       CourseCompletion.content_version)
                .where(CourseCompletion.course_id == course_id,
                       CourseCompletion.user_id.in_(chunk))):
            found[user_id] = (completed_at, version)
    return found


def _module_versions(course_id, user_ids):
    """{user_id: [{'module': slug, 'version': number}]}, as services.module_versions for each."""
    found = {}
    for chunk in _chunks(user_ids):
        for user_id, slug, number in db.session.execute(
                select(ModuleProgress.user_id, Module.slug, ModuleVersion.number)
                .join(ModuleProgress, ModuleProgress.module_id == Module.id)
                .join(ModuleVersion, ModuleVersion.id == ModuleProgress.version_id)
                .where(Module.course_id == course_id, ModuleProgress.user_id.in_(chunk),
                       ModuleProgress.completed_at.is_not(None))
                .order_by(ModuleProgress.user_id, Module.position)):
            found.setdefault(user_id, []).append({"module": slug, "version": number})
    return found


def _first_serial_number(year):
    """The number of the next free serial of `year`."""
    highest = services.next_serial(year)
    return int(highest.rsplit("-", 1)[1])


def _rows(course, users, issuer, reason, now):
    """The certificate rows to insert, in the order of `users`."""
    ids = [user.id for user in users]
    completions = _completions(course.id, ids)
    missing = [user for user in users if user.id not in completions]
    if missing and not reason:
        raise services.CertificateError(_(
            "%(email)s has not completed this course: give a reason to issue a certificate "
            "without completion.", email=missing[0].email))
    studied = _module_versions(course.id, ids)
    rows = []
    for user in users:
        completion = completions.get(user.id)
        rows.append(dict(
            user_id=user.id, course_id=course.id, name_latin=user.name_latin,
            name_cyrillic=user.name_cyrillic, course_slug=course.slug,
            course_title_en=course.title_en, course_title_ru=course.title_ru,
            hours=course.estimated_hours,
            completed_on=(completion[0] if completion else now).date(),
            content_version=completion[1] if completion else course.content_version,
            module_versions=studied.get(user.id, []), revision=1, code=services.new_code(),
            issued_at=now, issuer=issuer, status=VALID,
            issued_without_completion=None if completion else reason))
    return rows


def _insert(course, users, issuer, reason, now):
    """Insert the certificates of `users` who have none (savepoint, retried on a serial race).

    Returns ({user_id: serial} of those who had one, [inserted rows with their ids]).
    """
    for _attempt in range(ATTEMPTS):
        existing = _existing(course.id, [user.id for user in users])
        todo = [user for user in users if user.id not in existing]
        if not todo:
            return existing, []
        rows = _rows(course, todo, issuer, reason, now)
        first = _first_serial_number(now.year)
        prefix = f"{services.SERIAL_PREFIX}-{now.year}-"
        for number, row in enumerate(rows, start=first):
            row["serial"] = f"{prefix}{number:06d}"
        try:
            # A savepoint: a parallel issue taking the same serials loses only this insert.
            with db.session.begin_nested():
                ids = db.session.scalars(
                    insert(Certificate).returning(Certificate.id, sort_by_parameter_order=True),
                    rows).all()
        except IntegrityError:
            continue
        for row, certificate_id in zip(rows, ids):
            row["id"] = certificate_id
        return existing, rows
    raise services.CertificateError(_("Could not allocate a serial number; please try again."))


def _sign(rows):
    """Sign each new certificate's credential; returns [{'id', 'credential_jwt'}]."""
    if not rows or not keys.ensure_key():
        return []
    signer = credentials.Signer()
    updates = []
    for row in rows:
        certificate = SimpleNamespace(status_index=row["id"], **row)
        token = signer.sign(credentials.build_credential(certificate, signer.constants),
                            row["issued_at"])
        row["credential_jwt"] = token
        updates.append({"id": row["id"], "credential_jwt": token})
    return updates


def _audit(course, users, rows, issuer, reason):
    """One `certificates.issue` event per new certificate, as record_event would add it."""
    emails = {user.id: user.email for user in users}
    actor = _actor()
    ip = request.remote_addr if has_request_context() else None
    events = []
    for row in rows:
        details = dict(learner=emails[row["user_id"]], course=course.slug, issuer=issuer)
        if row["issued_without_completion"] is not None:
            details["without_completion"] = reason
        events.append(dict(actor=actor, action="certificates.issue", target=row["serial"],
                           details=details, ip=ip))
    return events


def issue_many(course, users, issuer, reason=None):
    """Issue `course`'s certificate to each of `users` who has none; returns [Issued] in order.

    Learners without a completion need `reason` (kept on the record and in the audit log).
    Flushes only: the caller commits, and the mails leave after that commit.
    """
    unique = list({user.id: user for user in users}.values())
    reason = (reason or "").strip() or None
    now = services.utcnow()
    existing, rows = _insert(course, unique, issuer, reason, now)
    updates = _sign(rows)
    if updates:
        db.session.execute(update(Certificate), updates)
    if rows:
        db.session.execute(insert(AuditEvent), _audit(course, unique, rows, issuer, reason))
        services.certificates_issued.send(course, user_ids=[row["user_id"] for row in rows])
    by_user = {user.id: user for user in unique}
    mail_links = mails.Links()
    for row in rows:
        mails.queue_issued_row(row, by_user[row["user_id"]], mail_links)
    new = {row["user_id"]: row["serial"] for row in rows}
    return [Issued(user.id, new[user.id], True) if user.id in new
            else Issued(user.id, existing[user.id], False) for user in unique]
