"""Account forms; every label and message is translated."""
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, DataRequired, Length, ValidationError

from academy.auth.passwords import password_problems
from academy.core.countries import country_choices, country_footnote, is_known_country
from academy.core.i18n import LOCALES, current_lang

LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("ru", "Русский")]
# Characters a name may hold besides letters of its script: "Anne-Marie O'Neil Jr."
NAME_PUNCTUATION = set(" -'’.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email_field(label=_l("E-mail address")):
    return StringField(label, filters=[_strip], validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        Email(_l("Enter a valid e-mail address, such as name@example.org."))])


class PasswordPolicy:
    """Validator applying the password policy; the form's `account_email()` is refused too."""

    def __call__(self, form, field):
        problems = password_problems(field.data or "", form.account_email())
        if problems:
            raise ValidationError(problems[0])


def _new_password_fields(label=_l("New password")):
    password = PasswordField(label, validators=[
        DataRequired(_l("Enter a password.")), PasswordPolicy()],
        description=_l("At least 10 characters. A few unrelated words make a strong password."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords do not match."))])
    return password, confirm


def _in_script(text, script):
    letters = [ch for ch in text if ch not in NAME_PUNCTUATION]
    return bool(letters) and all(
        (ch.isalpha() and unicodedata.name(ch, "").startswith(script))
        or unicodedata.category(ch) == "Mn" for ch in letters)


# No script needs more marks on one letter; "Zalgo" text stacks hundreds and breaks layouts.
MAX_MARKS_PER_LETTER = 3


def _stacked_marks(text):
    run = 0
    for ch in text:
        run = run + 1 if unicodedata.category(ch) == "Mn" else 0
        if run > MAX_MARKS_PER_LETTER:
            return True
    return False


def _refuse_stacked_marks(field):
    if field.data and _stacked_marks(field.data):
        raise ValidationError(_l("Remove the stacked accent marks: a letter carries at most three."))


def latin_name(form, field):
    """Accept only Latin letters (with diacritics) and name punctuation."""
    _refuse_stacked_marks(field)
    if field.data and not _in_script(field.data, "LATIN"):
        raise ValidationError(_l("Use Latin letters only, as in your passport."))


def cyrillic_name(form, field):
    """Accept only Cyrillic letters and name punctuation."""
    _refuse_stacked_marks(field)
    if field.data and not _in_script(field.data, "CYRILLIC"):
        raise ValidationError(_l("Use Cyrillic letters only."))


class ProfileFields(FlaskForm):
    """The DESIGN §1 profile fields shared by registration and the account page."""

    name_latin = StringField(_l("Full name in Latin script"), filters=[_strip], validators=[
        Length(max=200, message=_l("Use at most 200 characters.")), latin_name],
        description=_l("As it should appear on your certificates, e.g. Nino Beridze."))
    name_cyrillic = StringField(_l("Full name in Cyrillic script"), filters=[_strip], validators=[
        Length(max=200, message=_l("Use at most 200 characters.")), cyrillic_name],
        description=_l("As it should appear on your certificates, e.g. Нино Беридзе."))
    country = SelectField(_l("Country"), validate_choice=False, validators=[
        DataRequired(_l("Choose your country."))])
    organisation = StringField(_l("Organisation"), filters=[_strip], validators=[
        DataRequired(_l("Enter the organisation you work for.")),
        Length(max=200, message=_l("Use at most 200 characters."))],
        description=_l("For example: State Migration Service."))
    position = StringField(_l("Position"), filters=[_strip], validators=[
        Length(max=200, message=_l("Use at most 200 characters."))])
    locale = RadioField(_l("Preferred language"), choices=LANGUAGE_CHOICES, validate_choice=False,
                        validators=[DataRequired(_l("Choose a language."))],
                        description=_l("Used for the site and for the e-mails we send you."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = current_lang()
        self.country.choices = [SelectChoice("", _l("Choose a country"))] + [
            SelectChoice(code, name) for code, name in country_choices(lang)]
        self.country.description = country_footnote(lang)
        if not self.locale.data:
            self.locale.data = lang

    def validate_name_latin(self, field):
        if not field.data and not self.name_cyrillic.data:
            raise ValidationError(_l("Enter your full name in Latin or Cyrillic script, or both."))

    def validate_country(self, field):
        if not is_known_country(field.data):
            raise ValidationError(_l("Choose a country from the list."))

    def validate_locale(self, field):
        if field.data not in LOCALES:
            raise ValidationError(_l("Choose English or Russian."))

    def profile_data(self):
        """The profile fields as keyword arguments for the services."""
        return {name: getattr(self, name).data for name in
                ("name_latin", "name_cyrillic", "country", "organisation", "position", "locale")}


class RegisterForm(ProfileFields):
    email = _email_field()
    password, password_confirm = _new_password_fields(_l("Password"))

    def account_email(self):
        return self.email.data or ""


class ProfileForm(ProfileFields):
    pass


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class EmailOnlyForm(FlaskForm):
    """For requests that only need an address: resend confirmation, forgotten password."""

    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, password_confirm = _new_password_fields()

    def __init__(self, email, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def account_email(self):
        return self._email


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password."))])


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons such as "sign out everywhere"."""
