"""`academy trainers …` commands."""
from datetime import timedelta

import click
from flask.cli import with_appcontext

from academy.auth.models import User
from academy.extensions import db
from academy.network import emails, invitations

trainers_cli = click.Group("trainers", help="The Trainer Network.")


@trainers_cli.command("remind")
@click.option("--after-days", default=7, show_default=True, type=click.IntRange(min=0),
              help="Remind invitees who have not answered for this many days.")
@with_appcontext
def remind_command(after_days):
    """Send one reminder, in the invitee's language, for each unanswered invitation."""
    due = invitations.due_for_reminder(timedelta(days=after_days))
    for invitation in due:
        token = invitations.remind(invitation)
        db.session.commit()  # the new link is saved before it is mailed
        inviter = invitation.invited_by_id and db.session.get(User, invitation.invited_by_id)
        emails.send_reminder(invitation, token, inviter or None)
    click.echo(f"{len(due)} reminder(s) sent")
