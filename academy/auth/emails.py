"""The account e-mails, each in its recipient's language."""
from flask_babel import lazy_gettext as _l

from academy.auth import services
from academy.core.mail import external_url, send_mail

CONFIRM_SUBJECT = _l("Confirm your e-mail address")
ALREADY_REGISTERED_SUBJECT = _l("You already have an account")
RESET_SUBJECT = _l("Reset your password")
PASSWORD_CHANGED_SUBJECT = _l("Your password was changed")


def _name_for(user):
    # Address a Russian reader by the Cyrillic name when they gave one.
    if user.locale == "ru" and user.name_cyrillic:
        return user.name_cyrillic
    return user.display_name


def send_confirmation(user, token):
    """Mail `user` the link that confirms their address."""
    return send_mail(user.email, CONFIRM_SUBJECT, "confirm_email", user.locale,
                     name=_name_for(user), link=external_url("auth.confirm_email", token=token))


def send_already_registered(user):
    """Tell the owner of an address that someone tried to register it again."""
    return send_mail(user.email, ALREADY_REGISTERED_SUBJECT, "already_registered", user.locale,
                     name=_name_for(user), login_link=external_url("auth.login"),
                     reset_link=external_url("auth.forgot_password"))


def send_password_reset(user, token):
    """Mail `user` the link that lets them choose a new password."""
    return send_mail(user.email, RESET_SUBJECT, "reset_password", user.locale,
                     name=_name_for(user), link=external_url("auth.reset_password", token=token))


def send_password_changed(user):
    """Warn `user` that their password changed, in case it was not them."""
    return send_mail(user.email, PASSWORD_CHANGED_SUBJECT, "password_changed", user.locale,
                     name=_name_for(user), reset_link=external_url("auth.forgot_password"))


def resend_confirmation(email):
    """A new confirmation link for an unconfirmed account with `email`; nothing otherwise."""
    user, token = services.resend_confirmation(email)
    if user is not None:
        send_confirmation(user, token)


def mail_password_reset(email):
    """A reset link for the active account with `email`; nothing for an unknown address."""
    user, token = services.request_password_reset(email)
    if user is not None:
        send_password_reset(user, token)
