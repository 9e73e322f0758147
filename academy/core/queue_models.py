"""The done-marker of a background task, committed with the task's effect."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from academy.extensions import db


class QueueTaskDone(db.Model):
    """A finished background task, with the mail and tasks it left to start after its commit."""

    __tablename__ = "queue_task_done"

    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    outgoing: Mapped[dict | None] = mapped_column(JSON)  # {"mail": [...], "tasks": [...]}
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
