"""Outgoing e-mail in the recipient's language, sent over SMTP or written as .eml files."""
import smtplib
import ssl
import time
from concurrent.futures import ThreadPoolExecutor, wait
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
# SMTP runs beside the request, not in it: the reset and resend forms mail only known
# addresses, and the time an SMTP exchange takes would tell an unknown address from a known one.
_smtp_queue = ThreadPoolExecutor(max_workers=2, thread_name_prefix="academy-smtp")
_pending = set()


def _track(future):
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def after_request_work(work, *args):
    """Run `work(*args)` once the request is over, in a background thread with its own app
    context and transaction.

    For what a form does only for known addresses (a reset link, a new confirmation link):
    looking the address up, storing a token and composing the message all happen after the
    answer is ready, so that neither the work nor its competition for the CPU tells a known
    address from an unknown one.
    """
    g.setdefault("after_request_work", []).append((work, args))


def start_after_request_work(error=None):
    """Teardown handler: hand the request's deferred work to the background threads."""
    jobs = g.pop("after_request_work", [])
    if error is None:
        app = current_app._get_current_object()
        for work, args in jobs:
            _track(_smtp_queue.submit(_run_in_app, app, work, args))


# Deferred work waits this long first: a thread that starts computing at once takes the GIL
# from the request thread while it still writes the answer, which shows in its timing.
AFTER_REQUEST_DELAY_SECONDS = 0.05


def _run_in_app(app, work, args):
    from academy.extensions import db

    time.sleep(AFTER_REQUEST_DELAY_SECONDS)
    with app.app_context():
        try:
            work(*args)
            db.session.commit()
        except Exception:  # logged: the user was already answered
            db.session.rollback()
            app.logger.exception("Background mail work %s failed", work.__name__)
        finally:
            db.session.remove()


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


def build_message(to, subject, body, lang, transfer_encoding):
    """An EmailMessage with the Academy's sender and the usual headers."""
    sender = current_app.config["ACADEMY_MAIL_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=to)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = make_msgid(domain=domain)
    # Tells vacation responders and mailing lists not to answer this automatic message.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, cte=transfer_encoding)
    message["Content-Language"] = lang  # after set_content, which drops Content-* headers
    return message


def send_mail(to, subject, template, lang, **context):
    """Render one message: queue it for SMTP, or write it; False (logged) when writing failed.

    SMTP failures happen after the request and are logged.
    """
    subject_text, body = render_mail(subject, template, lang, **context)
    config = current_app.config
    if config.get("ACADEMY_MAIL_SERVER"):
        message = build_message(to, subject_text, body, lang, "quoted-printable")
        _track(_smtp_queue.submit(_send_smtp_in_app, current_app._get_current_object(), message))
        return True
    # 8bit keeps Cyrillic text readable when a newcomer opens the file in an editor.
    message = build_message(to, subject_text, body, lang, "8bit")
    return _write_eml(message)


def outbox_dir():
    """The folder .eml files are written to when no SMTP server is configured."""
    configured = current_app.config.get("ACADEMY_MAIL_OUTBOX")
    return Path(configured) if configured else Path(current_app.instance_path) / "mail"


def _write_eml(message):
    folder = outbox_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{stamp}-{token_hex(4)}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        partial.replace(path)  # readers never see a half-written message
    except OSError:
        current_app.logger.exception("Could not write mail to %s", folder)
        return False
    current_app.logger.info("Mail to %s written to %s", message["To"], path)
    return True


def wait_for_smtp(timeout=None):
    """Block until the background mail work and SMTP messages are done; True when none is left."""
    while _pending:
        if wait(_pending.copy(), timeout=timeout).not_done:  # copy(): one atomic step
            return False
    return True


def _send_smtp_in_app(app, message):
    with app.app_context():
        return _send_smtp(message, app.config)


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
