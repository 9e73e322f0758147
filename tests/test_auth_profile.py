"""The account page, the language choice and the country list."""
import re
import unicodedata

import pytest
from sqlalchemy import select

from academy.auth.models import User
from academy.core.countries import (PRAGUE_PROCESS_STATES, country_choices, country_footnote,
                                    country_name)
from academy.extensions import db
from tests.conftest import csrf_token
from tests.test_auth_helpers import field_errors, flashes

PROFILE = {"name_latin": "Nino Beridze", "name_cyrillic": "Нино Беридзе", "country": "GE",
           "organisation": "Public Service Development Agency", "position": "Head of unit",
           "locale": "en"}


def _save(client, **changes):
    page = client.get("/auth/account").get_data(as_text=True)
    return client.post("/auth/account", data={"csrf_token": csrf_token(page), **PROFILE, **changes})


def _stored(app, email="learner@example.org"):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def test_profile_shows_and_saves_the_fields(app, make_user, client, auth):
    make_user(name_latin="Old Name", country="AM", organisation="Old Org")
    auth.login()
    page = client.get("/auth/account").get_data(as_text=True)
    assert 'value="Old Name"' in page and '<option selected value="AM">' in page
    response = _save(client)
    assert response.location == "/auth/account"
    assert "Your profile has been saved." in flashes(client.get("/auth/account").get_data(as_text=True))
    user = _stored(app)
    assert (user.name_latin, user.name_cyrillic, user.country, user.organisation, user.position) == (
        "Nino Beridze", "Нино Беридзе", "GE", "Public Service Development Agency", "Head of unit")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name_latin": "", "name_cyrillic": ""}, "name_latin",
     "Enter your full name in Latin or Cyrillic script, or both."),
    ({"name_cyrillic": "Nino"}, "name_cyrillic", "Use Cyrillic letters only."),
    ({"country": "ZZ"}, "country", "Choose a country from the list."),
    ({"organisation": ""}, "organisation", "Enter the organisation you work for."),
    ({"locale": "fr"}, "locale", "Choose English or Russian."),
])
def test_profile_rejects_bad_input_and_keeps_the_old_values(app, make_user, client, auth,
                                                            changes, field, message):
    make_user(name_latin="Old Name", country="AM", organisation="Old Org")
    auth.login()
    page = _save(client, **changes).get_data(as_text=True)
    assert message in field_errors(page, field)
    user = _stored(app)
    assert (user.name_latin, user.country, user.organisation, user.locale) == (
        "Old Name", "AM", "Old Org", "en")


def test_choosing_russian_in_the_profile_switches_the_site(app, make_user, client, auth):
    make_user(name_latin="Nino Beridze", organisation="Org")
    auth.login()
    _save(client, locale="ru")
    assert _stored(app).locale == "ru"
    page = client.get("/auth/account").get_data(as_text=True)
    assert '<html lang="ru">' in page and "Ваша учётная запись" in page
    assert "Профиль сохранён." in flashes(page)


def test_saved_language_follows_the_user_to_a_new_browser(app, make_user):
    make_user(locale="ru")
    from tests.conftest import AuthActions

    browser = app.test_client()
    AuthActions(browser).login()
    page = browser.get("/auth/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in page


def _without_accents(name):
    return "".join(ch for ch in unicodedata.normalize("NFD", name.casefold())
                   if not unicodedata.combining(ch))


def test_country_list_holds_the_47_states_sorted_in_each_language(app):
    with app.app_context():
        for lang in ("en", "ru"):
            choices = country_choices(lang)
            codes = [code for code, _ in choices]
            assert len(PRAGUE_PROCESS_STATES) == 47
            assert sorted(codes[:-1]) == sorted(PRAGUE_PROCESS_STATES) and codes[-1] == "other"
            names = [_without_accents(name) for _, name in choices[:-1]]
            assert names == sorted(names), lang
        assert country_name("DE", "ru") == "Германия"
        assert country_name("MD", "en") == "Moldova"
        assert country_name("XK", "ru") == "Косово*"
        assert country_name("other", "ru") == "Другая (не государство — участник Пражского процесса)"
        assert country_footnote("ru").startswith("* Косово: данное обозначение")
        assert "UNSCR 1244/1999" in country_footnote("en")


def test_kosovo_gets_a_name_even_where_cldr_has_none(app, monkeypatch):
    from academy.core import countries

    monkeypatch.setattr(countries, "_territories", lambda lang: {})
    with app.app_context():
        assert countries.country_name("XK", "ru") == "Косово*"
        assert countries.country_name("XK", "en") == "Kosovo*"


def test_registration_page_lists_countries_with_the_kosovo_footnote_in_russian(client):
    page = client.get("/auth/register", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    options = re.findall(r'<option value="(\w+)">([^<]+)</option>', page)
    assert ("XK", "Косово*") in options and ("GE", "Грузия") in options
    assert options[0] == ("AT", "Австрия")
    assert "резолюции СБ ООН 1244/1999" in page
    assert 'aria-describedby="country-help"' in page
