"""Invitation e-mails, in the invitee's language."""
from flask_babel import lazy_gettext as _l

from academy.core.mail import external_url, send_mail

INVITATION_SUBJECT = _l("Invitation to the Prague Process Trainer Network")
REMINDER_SUBJECT = _l("Reminder: your invitation to the Prague Process Trainer Network")


def _send(invitation, token, subject, template, inviter):
    return send_mail(invitation.email, subject, template, invitation.locale,
                     name=invitation.name, inviter=inviter.display_name if inviter else "",
                     link=external_url("network.accept", token=token),
                     expires_at=invitation.expires_at)


def send_invitation(invitation, token, inviter):
    """Mail the invitee the signed link that lets them join."""
    return _send(invitation, token, INVITATION_SUBJECT, "trainer_invitation", inviter)


def send_reminder(invitation, token, inviter):
    """Mail the invitee a fresh link, reminding them of the invitation."""
    return _send(invitation, token, REMINDER_SUBJECT, "trainer_invitation_reminder", inviter)
