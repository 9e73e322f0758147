"""The form that creates a personal access token."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class TokenForm(FlaskForm):
    name = StringField(_l("What is it for?"), validators=[Optional(), Length(max=100)])
    scopes = SelectMultipleField(
        _l("Access"), choices=[SelectChoice("reports:read", _l("Read reports (reports:read)")),
                 SelectChoice("certificates:read", _l("Read certificates (certificates:read)"))],
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
        validators=[DataRequired(_l("Choose at least one kind of access."))])
    days = IntegerField(_l("Valid for (days)"), default=90,
                        validators=[DataRequired(_l("Give a number of days from 1 to 366.")),
                                    NumberRange(1, 366, _l("Give a number of days from 1 to 366."))])
