"""The audit log of privileged actions: who did what to which object, and when."""
import getpass
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from academy.extensions import db


class AuditEvent(db.Model):
    """One privileged action; rows are only ever added, never changed."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))


def _actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return f"user:{current_user.id}:{current_user.email}"
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry in some containers
        return "cli"


def record_event(action, target="", **details):
    """Add an audit event to the current transaction, so it commits (or not) with the action."""
    event = AuditEvent(actor=_actor(), action=action, target=str(target), details=details,
                       ip=request.remote_addr if has_request_context() else None)
    db.session.add(event)
    return event
