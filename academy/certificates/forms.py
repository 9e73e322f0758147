"""Coordinator forms for issuing, revoking and re-issuing certificates."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

REASON_MAX = 1000


class IssueForm(FlaskForm):
    """Issue a course's certificates to one learner or to a list of e-mail addresses."""

    course = SelectField(_l("Course"), validators=[DataRequired(_l("Choose a course."))])
    emails = TextAreaField(
        _l("E-mail addresses"), validators=[Optional(), Length(max=200_000)],
        description=_l("One learner: one address. Several: one address per line, or paste "
                       "lines from a spreadsheet."))
    csv_file = FileField(_l("…or a CSV file"),
                         description=_l("The first column holding an e-mail address is used."))
    without_completion = BooleanField(
        _l("Also issue to learners who have not completed the course"))
    reason = TextAreaField(
        _l("Reason for issuing without completion"),
        validators=[Optional(), Length(max=REASON_MAX, message=_l("Use at most 1,000 characters."))],
        description=_l("Required with the option above; recorded in the audit log."))


class RevokeForm(FlaskForm):
    """Revoke a certificate, with the reason shown on the verification page."""

    reason = TextAreaField(_l("Reason for revoking"), validators=[
        DataRequired(_l("Give the reason for revoking the certificate.")),
        Length(max=REASON_MAX, message=_l("Use at most 1,000 characters."))],
        description=_l("Shown to anyone who verifies the certificate."))


class ReissueForm(FlaskForm):
    """Re-issue: same serial, new revision, the learner's current profile name."""

    confirm = BooleanField(_l("The learner's name in their profile is now correct"),
                           validators=[DataRequired(_l("Confirm that the profile is correct."))])
