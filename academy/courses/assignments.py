"""Trainer Network assignments: which trainers author or review which courses."""
import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from academy.core.audit import record_event
from academy.extensions import db


class AssignmentRole(str, enum.Enum):
    AUTHOR = "author"
    REVIEWER = "reviewer"


class CourseAssignment(db.Model):
    """A trainer assigned to a course as author or reviewer."""

    __tablename__ = "course_assignment"
    __table_args__ = (UniqueConstraint("course_id", "user_id", "role",
                                       name="uq_course_assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AssignmentError(ValueError):
    """An assignment was refused; str(error) explains why."""


def _check_role(role):
    try:
        return AssignmentRole(role).value
    except ValueError:
        raise AssignmentError(f"unknown assignment {role!r}; choose author or reviewer") from None


def assign(course, user, role):
    """Assign `user` to `course` as `role` (idempotent); returns the assignment; flushes."""
    role = _check_role(role)
    existing = db.session.scalar(select(CourseAssignment).filter_by(
        course_id=course.id, user_id=user.id, role=role))
    if existing is not None:
        return existing
    assignment = CourseAssignment(course_id=course.id, user_id=user.id, role=role)
    db.session.add(assignment)
    record_event("courses.assign", target=course.slug, user=user.email, role=role)
    db.session.flush()
    return assignment


def unassign(course, user, role):
    """Remove `user`'s `role` assignment on `course`; True when there was one; flushes."""
    role = _check_role(role)
    existing = db.session.scalar(select(CourseAssignment).filter_by(
        course_id=course.id, user_id=user.id, role=role))
    if existing is None:
        return False
    db.session.delete(existing)
    record_event("courses.unassign", target=course.slug, user=user.email, role=role)
    db.session.flush()
    return True


def assigned_course_ids(user, role=None):
    """Ids of the courses `user` is assigned to (as `role`, or in any role)."""
    query = select(CourseAssignment.course_id).where(CourseAssignment.user_id == user.id)
    if role is not None:
        query = query.where(CourseAssignment.role == _check_role(role))
    return set(db.session.scalars(query))


def is_assigned(user, course, role=None):
    """True when `user` is assigned to `course` (as `role`, or in any role)."""
    return course.id in assigned_course_ids(user, role)
