"""Bulk issue from a pasted list or a CSV of e-mail addresses: a preview, then exact per-row results."""
import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy import select

from academy.auth.models import User
from academy.auth.scopes import scope_clause
from academy.auth.services import is_valid_email, normalise_email
from academy.certificates import batch
from academy.certificates.models import Certificate
from academy.core.audit import record_event
from academy.extensions import db
from academy.learning.models import CourseCompletion

MAX_ROWS = 5000
HEADER_WORDS = ("mail", "почт", "адрес")
# Preview outcomes, then what an issue run did.
WILL_ISSUE, HAS, UNKNOWN, NOT_COMPLETED, DUPLICATE, INVALID = (
    "will-issue", "has", "unknown", "not-completed", "duplicate", "invalid")
ISSUED, ISSUED_WITHOUT_COMPLETION, SKIPPED = "issued", "issued-without-completion", "skipped"


class BulkError(ValueError):
    """The list as a whole cannot be used; the message is shown to the user."""


@dataclass
class Row:
    """One line of the list and what happens (or happened) to it."""

    line: int
    text: str
    email: str | None
    outcome: str = INVALID
    serial: str | None = None
    user_id: int | None = None


def parse_list(text):
    """Rows from pasted lines or CSV: the first cell with an '@' on each line is the address."""
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        raw = ",".join(cells).strip()
        if not raw:
            continue
        # Semicolon CSV (Excel in Russian), tab-separated spreadsheet lines, "Name <address>".
        tokens = [t.strip("<>\"' ") for c in cells for t in re.split(r"[;\t ]", c)]
        candidates = [t for t in tokens if "@" in t]
        if number == 1 and not candidates and any(w in raw.lower() for w in HEADER_WORDS):
            continue  # a CSV header such as "email,name" or "ФИО;эл. почта"
        email = normalise_email(candidates[0]) if candidates else None
        rows.append(Row(number, raw[:300], email if email and is_valid_email(email) else None))
        if len(rows) > MAX_ROWS:
            raise BulkError(f"{MAX_ROWS}")
    return rows


def decode_upload(data):
    """The text of an uploaded CSV file (UTF-8, with or without BOM, or Windows-1251)."""
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BulkError("encoding")


def preview(course, rows, viewer):
    """Classify every row for `course` as seen by `viewer` (out-of-scope learners are unknown)."""
    emails = {row.email for row in rows if row.email}
    users = {}
    for chunk in _chunks(sorted(emails), 500):
        users.update({u.email: u for u in db.session.scalars(
            select(User).where(User.email.in_(chunk), scope_clause(viewer)))})
    ids = [u.id for u in users.values()]
    completed, certified = set(), {}
    for chunk in _chunks(ids, 500):
        completed.update(db.session.scalars(select(CourseCompletion.user_id).where(
            CourseCompletion.course_id == course.id, CourseCompletion.user_id.in_(chunk))))
        for certificate in db.session.scalars(select(Certificate).where(
                Certificate.course_id == course.id, Certificate.user_id.in_(chunk))
                .order_by(Certificate.revision)):
            certified[certificate.user_id] = certificate.serial
    seen = set()
    for row in rows:
        user = users.get(row.email)
        if row.email is None:
            row.outcome = INVALID
        elif row.email in seen:
            row.outcome = DUPLICATE
        elif user is None:
            row.outcome = UNKNOWN
        elif user.id in certified:
            row.outcome, row.serial = HAS, certified[user.id]
        else:
            row.outcome = WILL_ISSUE if user.id in completed else NOT_COMPLETED
        if row.email:
            seen.add(row.email)
        row.user_id = user.id if user else None
    return rows


def issue_all(course, rows, viewer, issuer, reason=None):
    """Issue to every row the preview cleared (and the not-completed ones when `reason` is given)."""
    preview(course, rows, viewer)
    for row in rows:
        if row.outcome == NOT_COMPLETED and not reason:
            row.outcome = SKIPPED
    chosen = [row for row in rows if row.outcome in (WILL_ISSUE, NOT_COMPLETED)]
    if chosen:
        # One set-based run (issue #8); the reason only reaches learners without a completion.
        loaded = {}
        for chunk in _chunks([row.user_id for row in chosen], 500):
            loaded.update((user.id, user) for user in db.session.scalars(
                select(User).where(User.id.in_(chunk))))
        users = [loaded[row.user_id] for row in chosen]
        results = {issued.user_id: issued
                   for issued in batch.issue_many(course, users, issuer, reason=reason)}
        for row in chosen:
            issued = results[row.user_id]
            row.serial = issued.serial
            if not issued.created:
                row.outcome = HAS
            else:
                row.outcome = ISSUED_WITHOUT_COMPLETION if row.outcome == NOT_COMPLETED else ISSUED
    counts = {}
    for row in rows:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
    record_event("certificates.bulk_issue", target=course.slug, rows=len(rows), **counts)
    db.session.flush()
    return rows


def _chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]
