"""Forms of people administration; labels and messages are translated."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from academy.core.countries import country_choices
from academy.core.i18n import current_lang

ROLE_LABELS = {"learner": _l("Learner"), "trainer": _l("Trainer"),
               "coordinator": _l("Coordinator"), "admin": _l("Administrator")}


class RoleForm(FlaskForm):
    """Change an account's role to one the acting user may grant."""

    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])

    def __init__(self, roles, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(role, ROLE_LABELS[role]) for role in roles]


class ScopeForm(FlaskForm):
    """A coordinator's states: every state, or the ticked ones."""

    everywhere = BooleanField(_l("All states"))
    countries = SelectMultipleField(_l("States"), option_widget=CheckboxInput(),
                                    widget=ListWidget(prefix_label=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.countries.choices = [SelectChoice(code, name)
                                 for code, name in country_choices(current_lang())]

    def validate_countries(self, field):
        if not self.everywhere.data and not field.data:
            raise ValidationError(_l("Tick “All states” or at least one state."))

    def scope_text(self):
        """The scope in the form academy.auth.scopes.parse_scope reads."""
        return "all" if self.everywhere.data else ",".join(self.countries.data)
