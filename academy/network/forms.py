"""Trainer Network forms; labels and messages are translated."""
from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (IntegerField, PasswordField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from academy.auth.forms import LANGUAGE_CHOICES, PasswordPolicy, cyrillic_name, latin_name
from academy.core.countries import country_choices, country_footnote, is_known_country
from academy.core.i18n import current_lang
from academy.learning.catalogue import THEMATIC_AREAS
from academy.network.services import BIO_MAX_CHARS, WORKING_LANGUAGES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def language_name(code, lang):
    """The name of language `code` in `lang`, capitalised as a list item."""
    name = Locale.parse(lang).languages.get(code, code)
    return name[:1].upper() + name[1:]


def _country_select_choices():
    lang = current_lang()
    return [SelectChoice("", _l("Choose a country"))] + [
        SelectChoice(code, name) for code, name in country_choices(lang)]


class InviteForm(FlaskForm):
    """Invite one trainer."""

    name = StringField(_l("Full name"), filters=[_strip], validators=[
        DataRequired(_l("Enter the trainer's name.")),
        Length(max=200, message=_l("Use at most 200 characters."))])
    email = StringField(_l("E-mail address"), filters=[_strip], validators=[
        DataRequired(_l("Enter the trainer's e-mail address.")),
        Length(max=254, message=_l("An e-mail address has at most 254 characters."))])
    country = SelectField(_l("Country"), validate_choice=False)
    organisation = StringField(_l("Organisation"), filters=[_strip], validators=[
        Length(max=200, message=_l("Use at most 200 characters."))])
    language = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES,
                           validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = _country_select_choices()
        self.country.description = country_footnote(current_lang())


class InviteCsvForm(FlaskForm):
    """Invite many trainers from a CSV file."""

    file = FileField(_l("CSV file"), description=_l(
        "UTF-8, with the header line: name, email, country, organisation, language. "
        "Country is an ISO code such as GE; language is en or ru."))


class AcceptNewAccountForm(FlaskForm):
    """The invitee's name and a password for the new trainer account."""

    name_latin = StringField(_l("Full name in Latin script"), filters=[_strip], validators=[
        Length(max=200, message=_l("Use at most 200 characters.")), latin_name],
        description=_l("As it should appear on your certificates, e.g. Nino Beridze."))
    name_cyrillic = StringField(_l("Full name in Cyrillic script"), filters=[_strip], validators=[
        Length(max=200, message=_l("Use at most 200 characters.")), cyrillic_name],
        description=_l("As it should appear on your certificates, e.g. Нино Беридзе."))
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter a password.")), PasswordPolicy()],
        description=_l("At least 10 characters. A few unrelated words make a strong password."))
    password_confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords do not match."))])

    def __init__(self, email, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def account_email(self):
        return self._email

    def validate_name_latin(self, field):
        if not field.data and not self.name_cyrillic.data:
            raise ValidationError(_l("Enter your full name in Latin or Cyrillic script, or both."))


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TrainerProfileForm(FlaskForm):
    """The trainer's Trainer Network profile."""

    areas = _Checkboxes(_l("Thematic areas of expertise"))
    languages = _Checkboxes(_l("Working languages"))
    country = SelectField(_l("Country"), validate_choice=False, validators=[
        DataRequired(_l("Choose your country."))])
    organisation = StringField(_l("Organisation"), filters=[_strip], validators=[
        DataRequired(_l("Enter the organisation you work for.")),
        Length(max=200, message=_l("Use at most 200 characters."))])
    bio = TextAreaField(_l("Short biography"), filters=[_strip], validators=[
        Length(max=BIO_MAX_CHARS, message=_l("Use at most 3000 characters."))],
        description=_l("A few sentences on your experience. Markdown: *emphasis*, **bold**, "
                       "lists and links."))
    trainings_delivered = IntegerField(_l("Trainings delivered"), validators=[
        Optional(), NumberRange(min=0, max=10000, message=_l("Enter a number from 0 to 10000."))],
        description=_l("How many trainings you have delivered as a trainer."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = current_lang()
        self.areas.choices = [SelectChoice(key, title) for key, title in THEMATIC_AREAS.items()]
        self.languages.choices = [SelectChoice(code, language_name(code, lang))
                                  for code in WORKING_LANGUAGES]
        self.country.choices = _country_select_choices()
        self.country.description = country_footnote(lang)

    def validate_country(self, field):
        if not is_known_country(field.data):
            raise ValidationError(_l("Choose a country from the list."))

    def validate_languages(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one working language."))


class AssignForm(FlaskForm):
    """Assign a trainer to a course as author or reviewer."""

    trainer = SelectField(_l("Trainer"), validate_choice=False,
                          validators=[DataRequired(_l("Choose a trainer."))])
    role = SelectField(_l("As"), choices=[SelectChoice("author", _l("Author")),
                                          SelectChoice("reviewer", _l("Reviewer"))])
