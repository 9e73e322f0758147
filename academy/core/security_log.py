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

from flask import has_request_context, request

logger = logging.getLogger("academy.security")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_ID = "academy.request_id"  # the WSGI environ key academy.core.web.ResponseHeaders sets


def security_event(event, user=None, **fields):
    """Write one event; `user` adds its id and e-mail."""
    record = {"at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
              "event": event}
    if has_request_context():
        record.update(request_id=request.environ.get(REQUEST_ID), ip=request.remote_addr,
                      path=request.path)
    if user is not None:
        record.update(user_id=user.id, email=user.email)
    record.update(fields)
    logger.info(json.dumps(record, ensure_ascii=False, default=str))


def log_rate_limited(error=None):
    """A lock-out: a request refused by a rate limit."""
    security_event("rate_limited", method=request.method, endpoint=request.endpoint,
                   limit=str(getattr(error, "description", "") or ""))


def request_id_for(incoming):
    """The proxy's X-Request-ID when it looks like one, else a new id."""
    return incoming if _REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)


def init_app(app):
    """The log to stderr outside tests (request ids: academy.core.web.ResponseHeaders)."""
    logger.setLevel(logging.INFO)
    if not app.testing and not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
