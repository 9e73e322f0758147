"""The Russian catalog ships complete, current and compiled; locale selection works."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[1]
RU_PO = ROOT / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
RU_MO = ROOT / "translations" / "ru" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog():
    with open(RU_PO, "rb") as handle:
        return read_po(handle, locale="ru")


def _strings(message):
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def _ids(message):
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)


def test_every_message_is_translated_and_none_is_fuzzy():
    missing = [m.id for m in _catalog() if m.id and (m.fuzzy or not all(_strings(m)))]
    assert missing == []


def test_plural_messages_have_the_three_russian_forms():
    plurals = [m for m in _catalog() if m.id and m.pluralizable]
    assert plurals, "the UI counts things: ngettext must be used somewhere"
    for message in plurals:
        assert len(_strings(message)) == 3 and all(_strings(message)), message.id


def test_placeholders_survive_translation():
    for message in _catalog():
        if not message.id:
            continue
        expected = set().union(*(PLACEHOLDER.findall(i) for i in _ids(message)))
        for string in _strings(message):
            assert set(PLACEHOLDER.findall(string)) <= expected, message.id


def test_catalog_is_extracted_from_the_current_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_ngettext:1,2", "--no-location", "-o", str(pot),
                    "academy"], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as handle:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    assert in_code - in_catalog == set(), "run `academy i18n update` and translate"


def test_compiled_catalog_matches_the_po_file():
    with open(RU_MO, "rb") as handle:
        compiled = {_ids(m)[0]: tuple(_strings(m)) for m in read_mo(handle) if m.id}
    for message in _catalog():
        if message.id:
            assert compiled.get(_ids(message)[0]) == tuple(_strings(message)), message.id


@pytest.mark.parametrize("header, expected", [
    ("ru-RU,ru;q=0.9,en;q=0.5", "ru"), ("en-GB,en;q=0.9", "en"), ("de-DE", "en"), (None, "en")])
def test_accept_language_picks_the_locale_and_html_lang_follows(client, header, expected):
    headers = {"Accept-Language": header} if header else {}
    html = client.get("/glossary", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}">' in html


def test_session_choice_beats_accept_language(client):
    page = client.get("/glossary", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.post("/language", data={"lang": "ru", "next": "/glossary",
                                   "csrf_token": csrf_token(page)})
    html = client.get("/glossary", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in html and "Глоссарий" in html


def test_saved_choice_beats_session(client, make_user, auth):
    make_user(email="ru@example.org", locale="ru")
    auth.login("ru@example.org")
    html = client.get("/glossary", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in html


def test_language_switch_without_csrf_is_refused(client):
    assert client.post("/language", data={"lang": "ru"}).status_code == 400


def test_language_switch_does_not_redirect_off_site(client):
    page = client.get("/glossary").get_data(as_text=True)
    response = client.post("/language", data={"lang": "ru", "next": "https://evil.example/",
                                              "csrf_token": csrf_token(page)})
    assert response.headers["Location"] in ("/", "/courses/")


def test_template_gettext_follows_force_locale_within_a_request(app):
    """The templates' fast catalogue lookup (academy.core.i18n.translations) switches with
    force_locale and refresh, as Flask-Babel's own does."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    page = "{{ _('Glossary') }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Glossary"
        with force_locale("ru"):
            assert render_template_string(page) == "Глоссарий"
        assert render_template_string(page) == "Glossary"
        from flask import session
        session["lang"] = "ru"
        refresh()
        assert render_template_string(page) == "Глоссарий"


@pytest.mark.parametrize("text, error", [
    ("{\n  \"Courses\": \"Курсы\",\n  oops\n}", "ru.json:3: not JSON"),
    ("[\"Курсы\"]", "ru.json: expected a JSON object"),
    ("{\"Courses\": 3}", "ru.json: expected a JSON object")])
def test_a_bad_translations_file_is_refused_with_its_place_and_nothing_changes(tmp_path, text,
                                                                              error):
    from click.testing import CliRunner

    from academy.core.i18n_cli import i18n_cli

    before = RU_PO.read_bytes()
    bad = tmp_path / "ru.json"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(i18n_cli, ["update", "--ru", str(bad)])
    assert result.exit_code == 1 and error in result.output and "Traceback" not in result.output
    assert RU_PO.read_bytes() == before
