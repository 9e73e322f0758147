"""Who may write, review and see which course's modules: the one place authoring checks it."""
from flask import abort
from sqlalchemy import select

from academy.core.roles import Role
from academy.courses.assignments import AssignmentRole, assigned_course_ids
from academy.courses.models import Course, Module
from academy.extensions import db

STAFF = (Role.COORDINATOR.value, Role.ADMIN.value)


def is_staff(user) -> bool:
    """Coordinators and admins: they work on every course."""
    return user.role in STAFF


def can_write(user, course) -> bool:
    """Coordinators, admins and the course's assigned authors edit its modules."""
    return is_staff(user) or course.id in assigned_course_ids(user, AssignmentRole.AUTHOR.value)


def can_review(user, course) -> bool:
    """Coordinators, admins and the course's assigned reviewers return and publish drafts."""
    return is_staff(user) or course.id in assigned_course_ids(user,
                                                               AssignmentRole.REVIEWER.value)


def authoring_courses(user) -> list[Course]:
    """The courses `user` authors or reviews (every course for coordinators and admins)."""
    query = select(Course).order_by(Course.slug)
    if not is_staff(user):
        query = query.where(Course.id.in_(assigned_course_ids(user) or {-1}))
    return list(db.session.scalars(query))


def course_or_404(user, slug) -> Course:
    """The course `slug` when `user` may work on it; 404 otherwise (no hint it exists)."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not (can_write(user, course) or can_review(user, course)):
        abort(404)
    return course


def module_or_404(course, slug) -> Module:
    """A live module of `course` (published, or new with a draft), or 404."""
    module = db.session.scalar(select(Module).where(
        Module.course_id == course.id, Module.slug == slug, Module.retired.is_(False)))
    return module or abort(404)
