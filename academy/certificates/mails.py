"""The e-mail a learner gets when a certificate is issued, in the learner's language.

The message is prepared inside the issuing transaction and sent only once it commits.
"""
from flask_babel import lazy_gettext as _l

from academy.core.mail import external_url, send_mail

ISSUED_SUBJECT = _l("Your certificate of the Prague Process Training Academy")
QUEUE = "certificate_mails"


def queue_issued(certificate, user):
    """Prepare the 'certificate issued' mail; it goes out after the commit."""
    queue_issued_row(_facts(certificate), user, Links())


class Links:
    """The links every 'certificate issued' mail carries, built once per batch."""

    def __init__(self):
        from academy.certificates.credentials import url_maker

        self.verify = url_maker("certificates.verify", "code")
        self.mine = external_url("certificates.mine")


def _facts(certificate):
    return {key: getattr(certificate, key) for key in
            ("name_latin", "name_cyrillic", "course_title_en", "course_title_ru", "serial", "code")}


def queue_issued_row(facts, user, links):
    """Prepare the mail of one certificate given as a dict of its columns."""
    lang = user.locale if user.locale in ("en", "ru") else "en"
    latin, cyrillic = facts["name_latin"], facts["name_cyrillic"]
    message = dict(to=user.email, lang=lang,
                   name=(cyrillic or latin) if lang == "ru" else (latin or cyrillic),
                   course=facts["course_title_ru"] if lang == "ru" else facts["course_title_en"],
                   serial=facts["serial"], verify_link=links.verify(facts["code"]),
                   mine_link=links.mine)
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
