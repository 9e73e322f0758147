"""The e-mail a learner gets when a certificate is issued, in the learner's language.

The message is prepared inside the issuing transaction and sent only once it commits.
"""
from flask_babel import lazy_gettext as _l

from academy.core.mail import external_url, send_mail

ISSUED_SUBJECT = _l("Your certificate of the Prague Process Training Academy")
QUEUE = "certificate_mails"


def queue_issued(certificate, user):
    """Prepare the 'certificate issued' mail; it goes out after the commit."""
    lang = user.locale if user.locale in ("en", "ru") else "en"
    message = dict(to=user.email, lang=lang, name=certificate.name(lang),
                   course=certificate.course_title(lang), serial=certificate.serial,
                   verify_link=external_url("certificates.verify", code=certificate.code),
                   mine_link=external_url("certificates.mine"))
    from academy.extensions import db

    db.session.info.setdefault(QUEUE, []).append(message)


def send_queued(session):
    """Send the mails of a transaction that has just committed."""
    for message in session.info.pop(QUEUE, []):
        to, lang = message.pop("to"), message.pop("lang")
        send_mail(to, ISSUED_SUBJECT, "certificate_issued", lang, **message)


def drop_queued(session):
    """Forget the mails of a transaction that ended without committing."""
    session.info.pop(QUEUE, None)
