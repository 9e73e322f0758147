"""Trainer profiles, the directory and course assignments by coordinators."""
from sqlalchemy import select

from academy.auth import services as accounts
from academy.auth.models import User
from academy.auth.scopes import in_scope
from academy.auth.tokens import utcnow
from academy.core.roles import Role
from academy.courses import assignments
from academy.courses.markdown import render_markdown
from academy.courses.models import Course
from academy.courses.specs import THEMATIC_AREAS
from academy.extensions import db
from academy.network.models import TrainerProfile

# Working languages a trainer may list: the Academy's two and the region's common others.
WORKING_LANGUAGES = ("en", "ru", "fr", "de", "tr", "uk", "ka", "hy", "az", "kk", "ky", "uz",
                     "tg", "tk", "ro")
BIO_MAX_CHARS = 3000


def profile_of(user):
    """The Trainer Network profile of `user` (an empty, unsaved one when none exists yet)."""
    profile = db.session.get(TrainerProfile, user.id)
    return profile if profile is not None else TrainerProfile(user_id=user.id, areas="",
                                                             languages="", bio="", bio_html="",
                                                             trainings_delivered=0)


def save_profile(user, areas, languages, bio, trainings_delivered, country, organisation):
    """Save the trainer's profile; the bio goes through the course Markdown renderer; flushes."""
    profile = db.session.get(TrainerProfile, user.id)
    if profile is None:
        profile = TrainerProfile(user_id=user.id)
        db.session.add(profile)
    profile.areas = ",".join(key for key in THEMATIC_AREAS if key in set(areas))
    profile.languages = ",".join(code for code in WORKING_LANGUAGES if code in set(languages))
    profile.bio = bio
    profile.bio_html = render_markdown(bio) if bio.strip() else ""
    profile.trainings_delivered = trainings_delivered
    profile.updated_at = utcnow()
    accounts.update_profile(user, country=country, organisation=organisation)
    db.session.flush()
    return profile


def directory(area="", language="", country=""):
    """Active trainers with their profiles, filtered, ordered by name: [(user, profile|None)]."""
    query = (select(User, TrainerProfile)
             .outerjoin(TrainerProfile, TrainerProfile.user_id == User.id)
             .where(User.role == Role.TRAINER.value, User.active.is_(True)))
    if country:
        query = query.where(User.country == country)
    if area in THEMATIC_AREAS:
        query = query.where(("," + TrainerProfile.areas + ",").contains(f",{area},"))
    if language in WORKING_LANGUAGES:
        query = query.where(("," + TrainerProfile.languages + ",").contains(f",{language},"))
    rows = db.session.execute(query).all()
    return sorted(rows, key=lambda row: (row[0].display_name.casefold(), row[0].id))


def trainer(user_id):
    """The active trainer `user_id`, or None."""
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.TRAINER.value or not user.active:
        return None
    return user


def assignable_trainers(actor):
    """Active trainers within `actor`'s states, ordered by name."""
    users = db.session.scalars(select(User).where(User.role == Role.TRAINER.value,
                                                  User.active.is_(True))).all()
    return sorted((u for u in users if in_scope(actor, u)),
                  key=lambda u: (u.display_name.casefold(), u.id))


def course_team(course):
    """[(user, role)] assigned to `course`, ordered by role then name."""
    rows = db.session.execute(
        select(User, assignments.CourseAssignment.role)
        .join(assignments.CourseAssignment, assignments.CourseAssignment.user_id == User.id)
        .where(assignments.CourseAssignment.course_id == course.id)).all()
    return sorted(rows, key=lambda row: (row[1], row[0].display_name.casefold()))


def courses():
    """Every course, ordered by slug."""
    return db.session.scalars(select(Course).order_by(Course.slug)).all()


def course_by_slug(slug):
    """The course `slug`, or None."""
    return db.session.scalar(select(Course).where(Course.slug == slug))


def assign_trainer(actor, course, user, role):
    """Assign a trainer of `actor`'s states to `course` as author or reviewer (audited)."""
    if user.role != Role.TRAINER.value or not in_scope(actor, user):
        raise LookupError("not an assignable trainer")
    return assignments.assign(course, user, role)


def unassign_trainer(actor, course, user, role):
    """Remove an assignment of a trainer of `actor`'s states (audited)."""
    if not in_scope(actor, user):
        raise LookupError("not an assignable trainer")
    return assignments.unassign(course, user, role)

