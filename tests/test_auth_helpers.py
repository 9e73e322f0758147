"""Helpers shared by the account tests (no tests here): outbox, links, field errors, forms."""
import html as html_lib
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from tests.conftest import csrf_token


def outbox(app):
    """Every .eml message written so far, oldest first, parsed."""
    from academy.core.mail import wait_for_smtp

    assert wait_for_smtp(timeout=30)  # reset and resend links are mailed beside the request
    folder = Path(app.config["ACADEMY_MAIL_OUTBOX"])
    if not folder.exists():
        return []
    return [BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            for path in sorted(folder.glob("*.eml"))]


def body(message):
    """The plain-text body of a parsed message."""
    return message.get_body(("plain",)).get_content()


def link_in(message, path_part):
    """The path (without scheme and host) of the first link in `message` containing `path_part`."""
    for url in re.findall(r"https?://\S+", body(message)):
        if path_part in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link with {path_part!r} in:\n{body(message)}")


def field_errors(page, field_id):
    """The error messages shown next to the field `field_id` (tied by aria-describedby)."""
    match = re.search(rf'<ul class="errors" id="{re.escape(field_id)}-error">(.*?)</ul>', page, re.S)
    if not match:
        return []
    # The message must also be announced with its field, not only shown near it.
    assert re.search(rf'aria-describedby="[^"]*{re.escape(field_id)}-error', page)
    return [html_lib.unescape(m.strip()) for m in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def flashes(page):
    """The flashed messages shown on `page`."""
    return [html_lib.unescape(m.strip())
            for m in re.findall(r'<p class="flash flash-\w+" role="status">(.*?)</p>', page, re.S)]


def post_form(client, url, data, page_url=None):
    """GET the page (for its CSRF token) and POST `data` to `url`."""
    page = client.get(page_url or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


REGISTRATION = {
    "name_latin": "Nino Beridze",
    "name_cyrillic": "",
    "email": "nino@example.org",
    "country": "GE",
    "organisation": "Ministry of Internal Affairs",
    "position": "Inspector",
    "locale": "en",
    "password": "correct horse battery staple",
    "password_confirm": "correct horse battery staple",
}


def register(client, **changes):
    """Post the registration form with REGISTRATION updated by `changes`."""
    return post_form(client, "/auth/register", {**REGISTRATION, **changes})
