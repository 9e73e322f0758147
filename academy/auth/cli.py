"""`academy users …` commands."""
import click
from flask.cli import with_appcontext

from academy.auth import services
from academy.auth.names import has_stacked_marks, normalise_name
from academy.auth.passwords import password_problems
from academy.core.audit import record_event
from academy.core.countries import OTHER, is_known_country
from academy.core.roles import Role
from academy.extensions import db

users_cli = click.Group("users", help="Manage accounts.")

ROLE_NAMES = ", ".join(role.value for role in Role)


def _name_fields(name):
    if not name:
        return {}
    name = normalise_name(name)
    if len(name) > 200:
        raise click.ClickException("the name is longer than 200 characters")
    if has_stacked_marks(name):
        raise click.ClickException("the name has too many accent marks on one letter")
    # A name written in Cyrillic belongs in the Cyrillic field; anything else is taken as Latin.
    if any("\u0400" <= ch <= "\u04ff" for ch in name):
        return {"name_cyrillic": name}
    return {"name_latin": name}


def _country_code(country):
    if country is None:
        return OTHER
    code = country.strip()
    code = code.lower() if code.lower() == OTHER else code.upper()
    if not is_known_country(code):
        raise click.ClickException(
            f"unknown country {country!r}: use a Prague Process state's ISO code (e.g. GE, MD, XK) "
            f"or {OTHER!r}")
    return code


@users_cli.command("create")
@click.option("--email", required=True, help="E-mail address (also the sign-in name).")
@click.option("--role", required=True, help=f"One of: {ROLE_NAMES}.")
@click.option("--name", default=None, help="Full name, in Latin or Cyrillic script.")
@click.option("--country", default=None, help="ISO code of a Prague Process state, or 'other'.")
@click.option("--password", default=None,
              help="Password; asked for twice, hidden, when absent (safer than the command line).")
@with_appcontext
def create_command(email, role, name, country, password):
    """Create a confirmed account."""
    if role not in {r.value for r in Role}:
        raise click.ClickException(f"unknown role {role!r}; choose one of {ROLE_NAMES}")
    email = services.normalise_email(email)
    if not services.is_valid_email(email):
        raise click.ClickException(f"invalid e-mail address {email!r}")
    country_code = _country_code(country)
    if services.find_user_by_email(email) is not None:
        raise click.ClickException(f"an account with e-mail {email} already exists")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True,
                                err=True)
    problems = password_problems(password, email)
    if problems:
        raise click.ClickException(f"password refused: {problems[0]}")
    try:
        user = services.create_user(email=email, password=password, role=role, confirmed=True,
                                    country=country_code, **_name_fields(name))
        record_event("users.create", target=user.email, role=user.role)
        db.session.commit()
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} {user.email}")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role")
@with_appcontext
def set_role_command(email, role):
    """Give the account EMAIL the role ROLE."""
    try:
        user = services.set_role(email, role)
        db.session.commit()
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"{user.email} is now {user.role}")


def _user_or_fail(email):
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with e-mail {services.normalise_email(email)}")
    return user


@users_cli.command("set-scope")
@click.argument("email")
@click.option("--countries", required=True,
              help="Comma-separated ISO codes of the states (e.g. GE,AM), or 'all'.")
@with_appcontext
def set_scope_command(email, countries):
    """Limit the coordinator EMAIL to the learners of COUNTRIES."""
    from academy.auth.scopes import ScopeError, parse_scope

    user = _user_or_fail(email)
    try:
        scope = parse_scope(countries)
    except ScopeError as error:
        raise click.ClickException(str(error)) from None
    if user.role not in (Role.COORDINATOR.value, Role.ADMIN.value):
        click.echo(f"note: {user.email} is a {user.role}; the scope applies once they are "
                   "a coordinator", err=True)
    services.set_country_scope(user, scope)
    db.session.commit()
    click.echo(f"{user.email} scope: {scope}")


def _set_active(email, active):
    user = _user_or_fail(email)
    services.set_active(user, active)
    db.session.commit()
    click.echo(f"{user.email} is {'active' if active else 'deactivated'}")


@users_cli.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_command(email):
    """Deactivate the account EMAIL; its sessions end at once."""
    _set_active(email, False)


@users_cli.command("activate")
@click.argument("email")
@with_appcontext
def activate_command(email):
    """Reactivate the account EMAIL."""
    _set_active(email, True)


@users_cli.command("reset-mfa")
@click.argument("email")
@with_appcontext
def reset_mfa_command(email):
    """Remove the second factor of EMAIL (lost phone and codes); they set it up again."""
    from academy.auth import mfa

    user = _user_or_fail(email)
    mfa.reset(user)
    db.session.commit()
    click.echo(f"{user.email}: second factor removed; it is set up again at the next sign-in")
