"""The security log: authentication events as JSON lines with the request id and address.

Events (ASVS V7): sign-in success and failure, rate-limit lock-outs, password reset requested
and used, password changed, sessions ended. Only the fields named at each call are written, so
a password can never reach the log.
"""
import json
import logging
import re
import secrets
from datetime import datetime, timezone

from flask import g, has_request_context, request

logger = logging.getLogger("academy.security")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def security_event(event, user=None, **fields):
    """Write one event; `user` adds its id and e-mail."""
    record = {"at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
              "event": event}
    if has_request_context():
        record.update(request_id=g.get("request_id"), ip=request.remote_addr,
                      path=request.path)
    if user is not None:
        record.update(user_id=user.id, email=user.email)
    record.update(fields)
    logger.info(json.dumps(record, ensure_ascii=False, default=str))


def log_rate_limited(error=None):
    """A lock-out: a request refused by a rate limit."""
    security_event("rate_limited", method=request.method, endpoint=request.endpoint,
                   limit=str(getattr(error, "description", "") or ""))


def assign_request_id():
    """Before each request: the proxy's X-Request-ID when it looks like one, else a new id."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)


def init_app(app):
    """Request ids on every request and response; the log to stderr outside tests."""
    logger.setLevel(logging.INFO)
    if not app.testing and not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    app.before_request(assign_request_id)

    @app.after_request
    def request_id_header(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response
