"""Trainer invitations: signed, expiring, single-use links, one by one or from a CSV file."""
import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta, timezone

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update

from academy.auth import services as accounts
from academy.auth.models import User
from academy.auth.scopes import in_scope, scope_clause
from academy.auth.tokens import utcnow
from academy.core.audit import record_event
from academy.core.countries import OTHER, is_known_country
from academy.core.i18n import LOCALES
from academy.core.roles import Role
from academy.extensions import db
from academy.network.models import TrainerInvitation

INVITATION_LIFETIME = timedelta(days=14)
CSV_COLUMNS = ("name", "email", "country", "organisation", "language")
CSV_MAX_ROWS = 500
_SALT = "academy.network.invitation"


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _digest(nonce):
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def _new_link_token(invitation):
    # The link carries the invitation id and a fresh nonce, signed; only the nonce's hash is kept.
    nonce = secrets.token_urlsafe(24)
    invitation.nonce_hash = _digest(nonce)
    invitation.expires_at = utcnow() + INVITATION_LIFETIME
    return _serializer().dumps({"i": invitation.id, "n": nonce})


def _as_utc(moment):
    # SQLite hands timestamps back without a zone; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class InvitationRow:
    """One invitee as read from the form or a CSV line, with the problems found in it."""

    line: int
    name: str
    email: str
    country: str
    organisation: str
    language: str
    problems: list = field(default_factory=list)


def _name_fields(name):
    # A name written in Cyrillic belongs in the Cyrillic field; anything else is taken as Latin.
    if any("\u0400" <= ch <= "\u04ff" for ch in name):
        return {"name_cyrillic": name}
    return {"name_latin": name}


def check_row(inviter, row, seen_emails):
    """Fill `row.problems` with problem codes (the views translate them)."""
    row.email = accounts.normalise_email(row.email)
    row.name, row.organisation = row.name.strip(), row.organisation.strip()
    row.country = row.country.strip()
    row.country = row.country.lower() if row.country.lower() == OTHER else row.country.upper()
    row.language = row.language.strip().lower()
    if not row.name:
        row.problems.append("name-missing")
    elif len(row.name) > 200:
        row.problems.append("name-long")
    if not accounts.is_valid_email(row.email) or len(row.email) > 254:
        row.problems.append("email-invalid")
    elif row.email in seen_emails:
        row.problems.append("email-repeated")
    elif pending_invitation(row.email) is not None:
        row.problems.append("email-pending")
    if not is_known_country(row.country):
        row.problems.append("country-unknown")
    elif not in_scope(inviter, _Someone(row.country)):
        row.problems.append("country-out-of-scope")
    if len(row.organisation) > 200:
        row.problems.append("organisation-long")
    if row.language not in LOCALES:
        row.problems.append("language-unknown")
    seen_emails.add(row.email)
    return row


@dataclass
class _Someone:
    country: str


def pending_invitation(email):
    """The unaccepted, unexpired invitation for `email`, or None."""
    for invitation in db.session.scalars(select(TrainerInvitation).where(
            TrainerInvitation.email == email, TrainerInvitation.accepted_at.is_(None))):
        if _as_utc(invitation.expires_at) > utcnow():
            return invitation
    return None


def create_invitations(inviter, rows):
    """Invite every row, or none when any row has a problem; returns [(invitation, link token)]."""
    if any(row.problems for row in rows):
        return None
    created = []
    for row in rows:
        invitation = TrainerInvitation(email=row.email, name=row.name, country=row.country,
                                       organisation=row.organisation, locale=row.language,
                                       invited_by_id=inviter.id, nonce_hash=secrets.token_hex(32),
                                       expires_at=utcnow())
        db.session.add(invitation)
        db.session.flush()  # the id goes into the signed link
        token = _new_link_token(invitation)
        record_event("network.invite", target=row.email, country=row.country,
                     language=row.language)
        created.append((invitation, token))
    db.session.flush()
    return created


def read_csv(data):
    """(rows, None) from the bytes of an invitation CSV, or (None, problem code)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "csv-encoding"
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        lines = [line for line in reader]
    except csv.Error:
        return None, "csv-malformed"
    lines = [(number, line) for number, line in enumerate(lines, start=1)
             if any(cell.strip() for cell in line)]
    if not lines:
        return None, "csv-empty"
    header = [cell.strip().lower() for cell in lines[0][1]]
    if sorted(header) != sorted(CSV_COLUMNS):
        return None, "csv-header"
    if len(lines) - 1 > CSV_MAX_ROWS:
        return None, "csv-too-many"
    if len(lines) == 1:
        return None, "csv-empty"
    rows = []
    for number, line in lines[1:]:
        values = dict(zip(header, (cell for cell in line)))
        row = InvitationRow(number, *(values.get(column, "") for column in CSV_COLUMNS))
        if len(line) != len(header):
            row.problems.append("columns")
        rows.append(row)
    return rows, None


def load_invitation(token):
    """The invitation a link token names, whatever its state, or None for a forged link."""
    try:
        payload = _serializer().loads(token, max_age=int(INVITATION_LIFETIME.total_seconds()))
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        return None
    invitation = db.session.get(TrainerInvitation, payload.get("i")) if isinstance(
        payload.get("i"), int) else None
    if invitation is None or invitation.nonce_hash != _digest(payload["n"]):
        return None
    return invitation


def invitation_state(invitation):
    """"open", "accepted" or "expired"."""
    if invitation.accepted_at is not None:
        return "accepted"
    if _as_utc(invitation.expires_at) <= utcnow():
        return "expired"
    return "open"


def usable_invitation(token):
    """The invitation for `token` when it can still be accepted, else None."""
    invitation = load_invitation(token)
    return invitation if invitation is not None and invitation_state(invitation) == "open" else None


def _consume(invitation, user):
    # The conditional UPDATE makes two simultaneous acceptances use the link only once.
    result = db.session.execute(
        update(TrainerInvitation)
        .where(TrainerInvitation.id == invitation.id, TrainerInvitation.accepted_at.is_(None))
        .values(accepted_at=utcnow(), accepted_user_id=user.id))
    return result.rowcount == 1


def accept_with_new_account(invitation, password, name_latin, name_cyrillic):
    """Create the trainer's account (address proved by the link); None if the link was used."""
    user = accounts.create_user(
        invitation.email, password, role=Role.TRAINER.value, confirmed=True,
        name_latin=name_latin, name_cyrillic=name_cyrillic, country=invitation.country,
        organisation=invitation.organisation, locale=invitation.locale)
    db.session.flush()
    if not _consume(invitation, user):
        return None
    record_event("network.accept", target=user.email, new_account=True, old="", new=user.role)
    db.session.flush()
    return user


def accept_with_existing_account(invitation, user):
    """Make the signed-in invitee a trainer (staff keep their role); False if the link was used."""
    if not _consume(invitation, user):
        return False
    old_role = user.role
    if user.role == Role.LEARNER.value:  # staff keep their wider role
        accounts.set_role(user.email, Role.TRAINER.value)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    record_event("network.accept", target=user.email, new_account=False, old=old_role,
                 new=user.role)
    db.session.flush()
    return True


def due_for_reminder(waited):
    """Open invitations never reminded whose invitee has not answered for `waited`."""
    query = select(TrainerInvitation).where(
        TrainerInvitation.accepted_at.is_(None), TrainerInvitation.reminded_at.is_(None),
        TrainerInvitation.created_at <= utcnow() - waited)
    return [i for i in db.session.scalars(query) if invitation_state(i) == "open"]


def remind(invitation):
    """A new link for a pending invitation (the old one stops working), expiry renewed; audited."""
    token = _new_link_token(invitation)
    invitation.reminded_at = utcnow()
    record_event("network.remind", target=invitation.email)
    db.session.flush()
    return token


def invitations_in_scope(inviter):
    """The latest invitations to trainers of `inviter`'s states."""
    query = select(TrainerInvitation).order_by(TrainerInvitation.created_at.desc(),
                                               TrainerInvitation.id.desc())
    return db.session.scalars(query.where(scope_clause(inviter, TrainerInvitation.country))
                              .limit(200)).all()


def account_exists(email):
    """True when an account already uses `email`."""
    return db.session.scalar(select(User.id).where(User.email == email)) is not None
