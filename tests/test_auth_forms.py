"""Every invalid input gets its message next to its field, and nothing is written."""
import pytest
from sqlalchemy import func, select

from academy.auth.models import AuthToken, User
from academy.extensions import db
from tests.conftest import PASSWORD
from tests.test_auth_helpers import field_errors, outbox, post_form, register


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(User)),
                db.session.scalar(select(func.count()).select_from(AuthToken)))


TOO_EASY = ("This password is too easy to guess. Avoid common passwords, names, dates, keyboard "
            "patterns and repeats: a few unrelated words make a strong passphrase.")

REGISTER_CASES = [
    ({"email": ""}, "email", "Enter your e-mail address."),
    ({"email": "   "}, "email", "Enter your e-mail address."),
    ({"email": "nino.example.org"}, "email", "Enter a valid e-mail address, such as name@example.org."),
    ({"email": "nino@"}, "email", "Enter a valid e-mail address, such as name@example.org."),
    ({"email": "a" * 250 + "@example.org"}, "email", "An e-mail address has at most 254 characters."),
    ({"name_latin": "", "name_cyrillic": ""}, "name_latin",
     "Enter your full name in Latin or Cyrillic script, or both."),
    ({"name_latin": "Нино Беридзе"}, "name_latin", "Use Latin letters only, as in your passport."),
    ({"name_latin": "Nino B3ridze"}, "name_latin", "Use Latin letters only, as in your passport."),
    ({"name_latin": "", "name_cyrillic": "Nino Beridze"}, "name_cyrillic", "Use Cyrillic letters only."),
    ({"name_latin": "N" * 201}, "name_latin", "Use at most 200 characters."),
    # Security review (issue 13, finding 9): combining marks stacked on one letter.
    ({"name_latin": "Nino Z" + "\u0301" * 300}, "name_latin",
     "Too many accent marks on one letter: type the name as in your passport."),
    ({"name_cyrillic": "Нино З" + "\u0301\u0300\u0302"}, "name_cyrillic",
     "Too many accent marks on one letter: type the name as in your passport."),
    ({"country": ""}, "country", "Choose your country."),
    ({"country": "US"}, "country", "Choose a country from the list."),
    ({"organisation": "   "}, "organisation", "Enter the organisation you work for."),
    ({"position": "p" * 201}, "position", "Use at most 200 characters."),
    ({"locale": "de"}, "locale", "Choose English or Russian."),
    ({"password": "", "password_confirm": ""}, "password", "Enter a password."),
    ({"password": "short pw", "password_confirm": "short pw"}, "password",
     "Use at least 10 characters."),
    ({"password": "x" * 257, "password_confirm": "x" * 257}, "password",
     "Use at most 256 characters."),
    ({"password": "nino@example.org", "password_confirm": "nino@example.org"}, "password",
     "Do not use your e-mail address as your password."),
    ({"password": "Password2024!", "password_confirm": "Password2024!"}, "password",
     TOO_EASY),
    ({"password": "1234567890", "password_confirm": "1234567890"}, "password",
     TOO_EASY),
    ({"password": "ababababab", "password_confirm": "ababababab"}, "password",
     TOO_EASY),
    # The security review's examples, which the old 150-word list let through.
    ({"password": "12345678910", "password_confirm": "12345678910"}, "password",
     TOO_EASY),
    ({"password": "1q2w3e4r5t6y7u", "password_confirm": "1q2w3e4r5t6y7u"}, "password",
     TOO_EASY),
    ({"password": "Summer2025!", "password_confirm": "Summer2025!"}, "password",
     TOO_EASY),
    ({"password": "nino@example.org2", "password_confirm": "nino@example.org2"}, "password",
     TOO_EASY),
    ({"password_confirm": "something else entirely"}, "password_confirm",
     "The two passwords do not match."),
    ({"password_confirm": ""}, "password_confirm", "Repeat the password."),
]


@pytest.mark.parametrize(("changes", "field", "message"), REGISTER_CASES,
                         ids=[f"{case[1]}-{i}" for i, case in enumerate(REGISTER_CASES)])
def test_register_rejects_bad_input_next_to_the_field(app, client, changes, field, message):
    before = _counts(app)
    response = register(client, **changes)
    assert response.status_code == 200
    assert message in field_errors(response.get_data(as_text=True), field)
    assert _counts(app) == before
    assert outbox(app) == []


def test_register_errors_are_translated(client, app):
    client.post("/language", data={"lang": "ru", "csrf_token": _token(client)})
    page = register(client, email="nino.example.org", locale="ru").get_data(as_text=True)
    assert ("Введите действительный адрес электронной почты, например name@example.org."
            in field_errors(page, "email"))
    assert '<html lang="ru">' in page


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client.get("/auth/login").get_data(as_text=True))


def test_register_accepts_names_with_diacritics_and_punctuation(app, client):
    response = register(client, name_latin="Ayşe Çelik-O'Neil Jr.", name_cyrillic="Анна-Мария Ёлкина")
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.name_latin, user.name_cyrillic) == ("Ayşe Çelik-O'Neil Jr.", "Анна-Мария Ёлкина")


LOGIN_CASES = [
    ({"email": ""}, "email", "Enter your e-mail address."),
    ({"email": "learner"}, "email", "Enter a valid e-mail address, such as name@example.org."),
    ({"password": ""}, "password", "Enter your password."),
]


@pytest.mark.parametrize(("changes", "field", "message"), LOGIN_CASES)
def test_login_rejects_bad_input_next_to_the_field(make_user, client, changes, field, message):
    make_user()
    data = {"email": "learner@example.org", "password": PASSWORD, **changes}
    response = post_form(client, "/auth/login", data)
    assert response.status_code == 200
    assert message in field_errors(response.get_data(as_text=True), field)
    assert client.get("/auth/account").status_code == 302


@pytest.mark.parametrize("url", ["/auth/confirm", "/auth/reset"])
@pytest.mark.parametrize(("email", "message"), [
    ("", "Enter your e-mail address."),
    ("not-an-address", "Enter a valid e-mail address, such as name@example.org."),
])
def test_email_only_forms_reject_bad_addresses(app, client, url, email, message):
    before = _counts(app)
    response = post_form(client, url, {"email": email})
    assert response.status_code == 200
    assert message in field_errors(response.get_data(as_text=True), "email")
    assert _counts(app) == before and outbox(app) == []


def test_form_fields_are_labelled_and_carry_autocomplete(client):
    page = client.get("/auth/register").get_data(as_text=True)
    for field_id, autocomplete in [("email", "email"), ("name_latin", "name"),
                                   ("organisation", "organization"), ("country", "country"),
                                   ("password", "new-password")]:
        assert f'<label for="{field_id}">' in page
        assert f'autocomplete="{autocomplete}"' in page
    assert "<style" not in page and "<script" not in page and " style=" not in page
    login = client.get("/auth/login").get_data(as_text=True)
    assert 'autocomplete="current-password"' in login and 'autocomplete="username"' in login


def test_names_are_stored_in_nfc(app, client):
    """A name typed with a combining accent is stored composed, one way for one name."""
    from academy.auth.models import User
    from academy.extensions import db

    response = register(client, name_latin="Jose\u0301 Nin\u0303o")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(User).one().name_latin == "Jos\u00e9 Ni\u00f1o"
