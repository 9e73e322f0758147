"""`academy tokens create|revoke`."""
import click
from flask.cli import with_appcontext

from academy.extensions import db

tokens_cli = click.Group("tokens", help="Personal access tokens for the read-only API.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="reports:read or certificates:read (repeat for both).")
@click.option("--days", type=int, default=90, show_default=True, help="Days until it expires.")
@click.option("--name", default="", help="A note telling what the token is for.")
@with_appcontext
def create_command(email, scopes, days, name):
    """Create a token for the account EMAIL and print it (it is shown only once)."""
    from academy.api.tokens import TokenError, create_token
    from academy.auth.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with e-mail {email}")
    try:
        token, record = create_token(user, scopes, days, name or "cli")
    except TokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(token)
    click.echo(f"expires {record.expires_at:%Y-%m-%d}; store it now, it is not shown again",
               err=True)


@tokens_cli.command("revoke")
@click.argument("token_or_prefix")
@with_appcontext
def revoke_command(token_or_prefix):
    """Revoke a token, given whole or by the prefix shown on the account page."""
    from sqlalchemy import select

    from academy.api.models import ApiToken
    from academy.api.tokens import _hash, revoke_token

    text = token_or_prefix.strip()
    records = db.session.scalars(select(ApiToken).where(
        (ApiToken.token_hash == _hash(text)) | (ApiToken.prefix == text[:12]))).all()
    if len(records) != 1:
        raise click.ClickException("no such token" if not records else "ambiguous prefix; give the whole token")
    revoke_token(records[0])
    db.session.commit()
    click.echo(f"revoked {records[0].prefix}…")
