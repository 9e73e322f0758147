"""`academy users create` and `academy users set-role`."""
import pytest
from sqlalchemy import func, select

from academy.auth.models import User
from academy.extensions import db
from tests.conftest import AuthActions

PASSWORD = "operator chosen passphrase"


def _user(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_create_with_password_option_makes_a_confirmed_account(app, runner):
    result = runner.invoke(args=["users", "create", "--email", " Coord@Example.org ", "--role",
                                 "coordinator", "--name", "Анна Петрова", "--country", "md",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Created coordinator coord@example.org" in result.output
    user = _user(app, "coord@example.org")
    assert user.role == "coordinator" and user.country == "MD"
    assert user.name_cyrillic == "Анна Петрова" and user.name_latin == ""
    assert user.email_confirmed_at is not None
    assert AuthActions(app.test_client()).login("coord@example.org", PASSWORD).status_code == 302


def test_create_prompts_twice_for_a_hidden_password(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "t@example.org", "--role", "trainer",
                                 "--name", "Jan Novak"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert "Repeat for confirmation" in result.output
    user = _user(app, "t@example.org")
    assert user.name_latin == "Jan Novak" and user.country == "other"
    assert AuthActions(app.test_client()).login("t@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize(("args", "message"), [
    (["--email", "x@example.org", "--role", "superuser"], "unknown role 'superuser'"),
    (["--email", "not-an-address", "--role", "learner"], "invalid e-mail address 'not-an-address'"),
    (["--email", "x@example.org", "--role", "learner", "--country", "US"], "unknown country 'US'"),
    (["--email", "x@example.org", "--role", "learner", "--country", "Georgia"],
     "unknown country 'Georgia'"),
    (["--email", "taken@example.org", "--role", "learner"],
     "an account with e-mail taken@example.org already exists"),
    (["--email", "x@example.org", "--role", "learner", "--password", "short"],
     "password refused: Use at least 10 characters."),
    (["--email", "x@example.org", "--role", "learner", "--password", "password123"],
     "password refused: This password is too easy to guess."),
    (["--email", "x@example.org", "--role", "learner", "--password", "Summer2025!"],
     "password refused: This password is too easy to guess."),
    (["--email", "x@example.org", "--role", "learner", "--name", "N" * 201],
     "the name is longer than 200 characters"),
])
def test_create_refuses_bad_input_on_stderr(app, runner, make_user, args, message):
    make_user(email="taken@example.org")
    before = _count(app)
    result = runner.invoke(args=["users", "create", *args, "--password", PASSWORD]
                           if "--password" not in args else ["users", "create", *args])
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert _count(app) == before


def test_create_refuses_mismatched_prompted_passwords(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role", "learner"],
                           input=f"{PASSWORD}\nsomething else\n")
    assert result.exit_code != 0
    assert _user(app, "x@example.org") is None


def test_set_role(app, runner, make_user):
    make_user(email="someone@example.org")
    result = runner.invoke(args=["users", "set-role", "Someone@example.org", "admin"])
    assert result.exit_code == 0, result.output
    assert "someone@example.org is now admin" in result.output
    assert _user(app, "someone@example.org").role == "admin"


@pytest.mark.parametrize(("args", "message"), [
    (["someone@example.org", "boss"], "unknown role 'boss'"),
    (["nobody@example.org", "trainer"], "no account with e-mail nobody@example.org"),
])
def test_set_role_refuses_bad_input(app, runner, make_user, args, message):
    make_user(email="someone@example.org")
    result = runner.invoke(args=["users", "set-role", *args])
    assert result.exit_code != 0
    assert message in result.stderr
    assert _user(app, "someone@example.org").role == "learner"
