"""What a learner sees when the sign-in limits stop them: the form they were using, how long
to wait (also as `Retry-After`), and the way out ("Forgot your password?")."""
import math
import time

from flask import render_template, request

from academy.auth.forms import LoginForm
from academy.auth.views import bp
from academy.core.security_log import log_rate_limited
from academy.extensions import limiter

DEFAULT_WAIT = 60


def retry_after_seconds():
    """Seconds until the limit that stopped this request lets the next one through."""
    limit = limiter.current_limit
    if limit is None:
        return DEFAULT_WAIT
    return max(1, math.ceil(limit.reset_at - time.time()))


@bp.errorhandler(429)
def too_many_requests(error):
    """The sign-in form again (without the password), with the wait; other forms: the notice."""
    log_rate_limited(error)
    wait = retry_after_seconds()
    if request.endpoint == "auth.login":
        form = LoginForm(formdata=None, email=request.form.get("email", "")[:254],
                         next=request.form.get("next", "")[:2000])
        body = render_template("auth/login.html", form=form,
                               throttled_minutes=max(1, math.ceil(wait / 60)))
    else:
        body = render_template("errors/error.html", code=429, reason=None)
    return body, 429, {"Retry-After": str(wait)}
