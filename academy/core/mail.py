"""Outgoing e-mail in the recipient's language, delivered by the background queue over SMTP
or written as .eml files."""
import smtplib
import ssl
import time
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from secrets import token_hex
from urllib.parse import urlsplit

from flask import current_app, g, render_template
from flask_babel import force_locale

_MISSING = object()
SMTP_TIMEOUT_SECONDS = 20
SENT = "academy:sent:"  # SMTP done-markers in the queue's storage, one per delivery key


class MailNotSent(RuntimeError):
    """A message could not be delivered; the queue retries it with back-off."""


def external_url(endpoint, **values):
    """An absolute URL for `endpoint` under ACADEMY_BASE_URL (works without a request)."""
    base = urlsplit(current_app.config["ACADEMY_BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def render_mail(subject, template, lang, **context):
    """Return (subject, body) rendered from templates/mail/<template>.txt in `lang`."""
    # The request's cached language must not leak into the mail, nor the mail's into the page.
    saved_lang = g.pop("lang", _MISSING)
    try:
        with force_locale(lang):
            g.lang = lang
            return str(subject), render_template(f"mail/{template}.txt", **context)
    finally:
        g.pop("lang", None)
        if saved_lang is not _MISSING:
            g.lang = saved_lang


def build_message(to, subject, body, lang, transfer_encoding, key=None, created=None):
    """An EmailMessage with the Academy's sender and the usual headers.

    With a delivery `key` the Message-ID is derived from it, so that a retried delivery is
    recognisably the same message.
    """
    sender = current_app.config["ACADEMY_MAIL_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=to)
    message["Subject"] = subject
    message["Date"] = format_datetime(created or datetime.now(timezone.utc))
    message["Message-ID"] = f"<{key}@{domain}>" if key else make_msgid(domain=domain)
    # Tells vacation responders and mailing lists not to answer this automatic message.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, cte=transfer_encoding)
    message["Content-Language"] = lang  # after set_content, which drops Content-* headers
    return message


def send_mail(to, subject, template, lang, **context):
    """Render one message in `lang` and hand it to the queue (SMTP, or an .eml file).

    Inside a background task the message is kept with the task's done-marker and delivered
    after its commit; elsewhere it is enqueued when the request or command ends well.
    """
    from academy.core.queue import enqueue, in_task

    subject_text, body = render_mail(subject, template, lang, **context)
    message = {"to": to, "subject": subject_text, "body": body, "lang": lang,
               "created": datetime.now(timezone.utc).strftime(STAMP_FORMAT)}
    if in_task():
        g.queue_outgoing.append(message)
    else:
        enqueue(deliver_composed_mail, message)
    return True


def deliver_composed_mail(message):
    """Background task: deliver a message composed in a request or command."""
    g.queue_outgoing.append(message)


STAMP_FORMAT = "%Y%m%dT%H%M%S%f"


def deliver(message, key):
    """Send or write `message` once per `key`: a retried delivery never sends twice.

    The .eml file named after the key is its own done-marker (written whole by a rename); for
    SMTP a marker is stored after the server accepted the message.
    """
    from academy.core.queue import queue_of

    config = current_app.config
    created = datetime.strptime(message["created"], STAMP_FORMAT).replace(tzinfo=timezone.utc)
    if config.get("ACADEMY_MAIL_SERVER"):
        storage = queue_of().huey.storage
        if storage.has_data_for_key(SENT + key):
            return
        mime = build_message(message["to"], message["subject"], message["body"],
                             message["lang"], "quoted-printable", key, created)
        if not _send_smtp(mime, config):
            raise MailNotSent(f"SMTP delivery {key} failed")
        storage.put_data(SENT + key, str(time.time()).encode())  # the time, for pruning
        return
    # 8bit keeps Cyrillic text readable when a newcomer opens the file in an editor.
    mime = build_message(message["to"], message["subject"], message["body"], message["lang"],
                         "8bit", key, created)
    if not _write_eml(mime, f"{message['created']}-{key}"):
        raise MailNotSent(f"could not write mail {key}")


def outbox_dir():
    """The folder .eml files are written to when no SMTP server is configured."""
    configured = current_app.config.get("ACADEMY_MAIL_OUTBOX")
    return Path(configured) if configured else Path(current_app.instance_path) / "mail"


def _write_eml(message, stem):
    folder = outbox_dir()
    path = folder / f"{stem}.eml"
    if path.exists():
        return True  # delivered by an earlier run of the same task
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{stem}.{token_hex(4)}.part"
        partial.write_bytes(message.as_bytes())
        partial.replace(path)  # readers never see a half-written message
    except OSError:
        current_app.logger.exception("Could not write mail to %s", folder)
        return False
    current_app.logger.info("Mail to %s written to %s", message["To"], path)
    return True


def wait_for_smtp(timeout=None):
    """Block until this process's queue consumer has no mail or other work left; True if so."""
    from academy.core.queue import wait_for_queue

    return wait_for_queue(timeout)


def _send_smtp(message, config):
    host, port = config["ACADEMY_MAIL_SERVER"], int(config["ACADEMY_MAIL_PORT"])
    try:
        if port == 465:
            smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
        with smtp:
            if config.get("ACADEMY_MAIL_USE_TLS") and port != 465:
                smtp.starttls(context=ssl.create_default_context())
            if config.get("ACADEMY_MAIL_USERNAME"):
                smtp.login(config["ACADEMY_MAIL_USERNAME"],
                           config.get("ACADEMY_MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError):
        # The user's action has been saved; they can ask for the message again.
        current_app.logger.exception("Could not send mail to %s via %s:%s",
                                     message["To"], host, port)
        return False
    return True
