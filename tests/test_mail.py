"""Mail: a real local SMTP server receives the message in the recipient's language."""
import socket
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import render_template
from sqlalchemy import select

from academy.auth.models import User
from academy.core.i18n import current_lang
from academy.core.mail import external_url, outbox_dir, send_mail, wait_for_smtp
from academy.extensions import db
from tests.conftest import csrf_token
from tests.test_auth_helpers import body, link_in, outbox, register


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos,
                              message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1 that the app is configured to use."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config["ACADEMY_MAIL_SERVER"] = "127.0.0.1"
    app.config["ACADEMY_MAIL_PORT"] = controller.port
    yield inbox
    controller.stop()


def test_registration_mail_arrives_over_smtp_in_the_recipients_language(app, client, smtp_server):
    register(client, email="olga@example.org", name_latin="", name_cyrillic="Ольга Иванова",
             locale="ru")
    assert wait_for_smtp(timeout=10)
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["olga@example.org"]
    assert message["Subject"] == "Подтвердите адрес электронной почты"
    assert message["Content-Language"] == "ru"
    assert message["From"] == app.config["ACADEMY_MAIL_SENDER"]
    text = body(message)
    assert text.startswith("Здравствуйте, Ольга Иванова!")
    assert "Учебная академия Пражского процесса" in text
    assert outbox(app) == []  # nothing written to disk when SMTP is configured

    response = client.get(link_in(message, "/auth/confirm/"))
    assert response.location == "/auth/login"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "olga@example.org"))
        assert user.email_confirmed_at is not None


def test_english_recipient_gets_english_mail_from_a_russian_page(app, client, smtp_server):
    page = client.get("/auth/register").get_data(as_text=True)
    client.post("/language", data={"lang": "ru", "csrf_token": csrf_token(page)})
    response = register(client, email="john@example.org", locale="en")
    assert "Мы отправили письмо" in client.get(response.location).get_data(as_text=True)
    assert wait_for_smtp(timeout=10)
    [(_, message)] = smtp_server.messages
    assert message["Subject"] == "Confirm your e-mail address"
    assert body(message).startswith("Hello Nino Beridze,")


def test_unreachable_smtp_server_does_not_break_registration(app, client):
    app.config["ACADEMY_MAIL_SERVER"] = "127.0.0.1"
    app.config["ACADEMY_MAIL_PORT"] = _free_port()  # nobody listens there
    response = register(client)
    assert response.status_code == 302
    assert wait_for_smtp(timeout=30)  # the failure is logged after the response
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "nino@example.org")) is not None


def test_without_smtp_mail_is_written_as_readable_eml(app, client):
    register(client, name_latin="", name_cyrillic="Ольга Иванова", locale="ru")
    [path] = outbox_dir_of(app).glob("*.eml")
    raw = path.read_text(encoding="utf-8")
    assert "Здравствуйте, Ольга Иванова!" in raw  # 8bit, so a text editor shows it
    assert "Content-Transfer-Encoding: 8bit" in raw
    assert not list(outbox_dir_of(app).glob("*.part"))


def outbox_dir_of(app):
    with app.app_context():
        return outbox_dir()


def test_default_outbox_is_the_instance_mail_folder(app):
    del app.config["ACADEMY_MAIL_OUTBOX"]
    with app.app_context():
        assert outbox_dir_of(app) == Path(app.instance_path) / "mail"


def test_links_use_the_configured_base_url(app):
    app.config["ACADEMY_BASE_URL"] = "https://academy.example.org/lms/"
    with app.app_context():
        assert (external_url("auth.confirm_email", token="abc")
                == "https://academy.example.org/lms/auth/confirm/abc")


def test_mail_language_does_not_leak_into_the_page(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert current_lang() == "en"
        send_mail("olga@example.org", "subject", "password_changed", "ru", name="Ольга",
                  reset_link="https://example.org/reset")
        assert current_lang() == "en"
        assert '<html lang="en">' in render_template("errors/error.html", code=404, reason=None)
    [message] = outbox(app)
    assert "Здравствуйте" in body(message)
