"""`academy certificates …` commands (DESIGN §10)."""
import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from academy.auth.services import find_user_by_email, normalise_email
from academy.certificates import keys, services, verification
from academy.certificates.models import STATUSES, Certificate
from academy.core.audit import _actor
from academy.extensions import db
from academy.learning.services import get_course

certificates_cli = click.Group("certificates", help="Issue, render, revoke and verify certificates.")


def _certificate(serial):
    certificate = services.latest_revision(serial.strip())
    if certificate is None:
        raise click.ClickException(f"no certificate with serial {serial!r}")
    return certificate


@certificates_cli.command("issue")
@click.option("--course", "slug", required=True, help="The course's slug.")
@click.option("--email", required=True, help="The learner's e-mail address.")
@click.option("--reason", default=None,
              help="Required (and audited) when the learner has not completed the course.")
@with_appcontext
def issue_command(slug, email, reason):
    """Issue a learner's certificate; issuing again creates nothing new."""
    course = get_course(slug)
    if course is None:
        raise click.ClickException(f"no course {slug!r}")
    user = find_user_by_email(normalise_email(email))
    if user is None:
        raise click.ClickException(f"no account with e-mail {email!r}")
    try:
        certificate, created = services.issue_certificate(user, course, _actor(), reason=reason)
    except services.CertificateError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if created:
        click.echo(f"issued {certificate.serial} to {user.email} for {course.slug} "
                   f"(verify code {certificate.code})")
    else:
        click.echo(f"{user.email} already has {certificate.serial} ({certificate.status}) "
                   f"for {course.slug}; nothing new was issued")


@certificates_cli.command("list")
@click.option("--course", "slug", default=None, help="Only this course.")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@with_appcontext
def list_command(slug, status):
    """One line per certificate revision: serial, revision, status, date, learner, course."""
    query = select(Certificate).order_by(Certificate.serial, Certificate.revision)
    if slug:
        query = query.where(Certificate.course_slug == slug)
    if status:
        query = query.where(Certificate.status == status)
    for c in db.session.scalars(query):
        click.echo(f"{c.serial}\trev {c.revision}\t{c.status}\t{c.completed_on.isoformat()}\t"
                   f"{c.user.email}\t{c.course_slug}")


@certificates_cli.command("render")
@click.argument("serial")
@click.option("--lang", type=click.Choice(["en", "ru", "bilingual"]), default="en",
              show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def render_command(serial, lang, out):
    """Write the newest revision of a certificate as a PDF."""
    from academy.certificates.credentials import ensure_credential
    from academy.certificates.pdf import render_certificate

    certificate = _certificate(serial)
    ensure_credential(certificate)
    db.session.commit()
    try:
        Path(out).write_bytes(render_certificate(certificate, lang))
    except OSError as error:
        raise click.ClickException(f"could not write {out}: {error.strerror}") from None
    click.echo(f"wrote {out}")


@certificates_cli.command("revoke")
@click.argument("serial")
@click.option("--reason", required=True, help="Why; shown on the verification page.")
@with_appcontext
def revoke_command(serial, reason):
    """Revoke a certificate (the record and the reason are kept)."""
    try:
        certificate = services.revoke(_certificate(serial), reason)
    except services.CertificateError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"revoked {certificate.serial} revision {certificate.revision}")


@certificates_cli.command("reissue")
@click.argument("serial")
@with_appcontext
def reissue_command(serial):
    """A new revision with the learner's current name; the old one is superseded."""
    try:
        certificate = services.reissue(_certificate(serial), _actor())
    except services.CertificateError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"re-issued {certificate.serial} as revision {certificate.revision} "
               f"(verify code {certificate.code})")


def _verify_code(code):
    certificate = services.by_code(code)
    if certificate is None:
        raise click.ClickException("no certificate with this verification code")
    click.echo(f"certificate {certificate.serial} revision {certificate.revision}")
    click.echo(f"name: {' / '.join(n for n in (certificate.name_latin, certificate.name_cyrillic) if n)}")
    click.echo(f"course: {certificate.course_title_en}")
    click.echo(f"completed on: {certificate.completed_on.isoformat()}")
    if certificate.status == "revoked":
        raise click.ClickException(f"REVOKED on {certificate.revoked_at:%Y-%m-%d}: "
                                   f"{certificate.revoke_reason}")
    if certificate.status == "superseded":
        raise click.ClickException(f"SUPERSEDED by revision {certificate.superseded_by.revision} "
                                   f"(code {certificate.superseded_by.code})")
    click.echo("VALID according to the Academy's database")


@certificates_cli.command("verify")
@click.argument("code_or_file")
@click.option("--jwks", default=None, help="JWKS file or URL (default: this instance's keys).")
@click.option("--status-list", default=None, help="Status list (VC-JWT) file or URL.")
@with_appcontext
def verify_command(code_or_file, jwks, status_list):
    """Check a verification code (online) or a certificate PDF / .jwt (offline)."""
    if not Path(code_or_file).exists() and "/" not in code_or_file:
        return _verify_code(code_or_file)
    try:
        token = verification.credential_from_file(code_or_file)
        if jwks:
            key_set = verification.load_jwks(verification.read_source(jwks))
        else:
            key_set = verification.load_jwks(json.dumps(keys.public_jwks()).encode())
        status = verification.read_source(status_list) if status_list else None
        report = verification.verify_credential(token, key_set, status)
    except (verification.VerificationError, keys.KeyFileError) as error:
        raise click.ClickException(f"INVALID: {error}") from None
    for label, value in report.facts:
        click.echo(f"{label}: {value}")
    for note in report.notes:
        click.echo(note)
    if not report.valid:
        raise click.ClickException("INVALID: " + "; ".join(report.problems))
    click.echo("VALID")


keys_cli = click.Group("keys", help="The issuer's Ed25519 signing keys.")
certificates_cli.add_command(keys_cli)


@keys_cli.command("generate")
@click.option("--force", is_flag=True, help="Replace an existing key file (old credentials stop verifying).")
@with_appcontext
def keys_generate(force):
    """Create the signing key file (instance folder or ACADEMY_CERT_KEY_FILE)."""
    try:
        kid = keys.generate(force=force)
    except keys.KeyFileError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"generated key {kid} in {keys.key_file()}")


@keys_cli.command("rotate")
@with_appcontext
def keys_rotate():
    """Add a new signing key; older public keys stay published."""
    try:
        kid = keys.rotate()
    except keys.KeyFileError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"new signing key {kid}; older keys stay in the JWKS")


@keys_cli.command("export")
@click.option("--out", default=None, type=click.Path(dir_okay=False, writable=True),
              help="Write the JWKS here instead of standard output.")
@with_appcontext
def keys_export(out):
    """Print the public keys as a JWKS (what /.well-known/jwks.json serves)."""
    try:
        text = json.dumps(keys.public_jwks(), indent=1)
    except keys.KeyFileError as error:
        raise click.ClickException(str(error)) from None
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {out}")
    else:
        click.echo(text)
