"""The account page's personal access tokens: list, create (shown once), revoke."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import _
from flask_login import current_user, login_required

from academy.api.forms import TokenForm
from academy.api.models import ApiToken
from academy.api.tokens import TokenError, create_token, revoke_token, user_tokens
from academy.extensions import db

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """The user's tokens and the form for a new one; a new token is shown once, here."""
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        try:
            created, _record = create_token(current_user, form.scopes.data, form.days.data,
                                            form.name.data or "")
        except TokenError:
            form.scopes.errors = [_("Your account cannot read reports: choose another access.")]
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, created=created,
                           tokens=user_tokens(current_user))


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id):
    """Revoke one of the user's own tokens (another user's token answers 404)."""
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    revoke_token(record)
    db.session.commit()
    flash(_("The token was revoked."), "success")
    return redirect(url_for("tokens.index"))
