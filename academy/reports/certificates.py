"""Certificates in the reports: counts, a learner's list, the export column — read-only."""
from sqlalchemy import and_, func, select

from academy.auth.models import User
from academy.certificates.models import VALID, Certificate
from academy.extensions import db
from academy.learning.models import Enrolment


def _valid_join():
    # A valid certificate is the current revision: re-issue marks older ones superseded.
    return and_(Certificate.user_id == Enrolment.user_id,
                Certificate.course_id == Enrolment.course_id,
                Certificate.status == VALID, Certificate.superseded_by_id.is_(None))


def certificate_cube(scope, filters, month):
    """Valid certificates per (course, country, organisation, enrolment month): one GROUP BY."""
    query = (select(Enrolment.course_id, User.country, User.organisation, month,
                    func.count(Certificate.id))
             .select_from(Enrolment)
             .join(User, User.id == Enrolment.user_id)
             .join(Certificate, _valid_join())
             .where(scope.clause(), filters.clause())
             .group_by(Enrolment.course_id, User.country, User.organisation, month))
    return db.session.execute(query).all()


def learner_certificates(user_id, course_ids=None):
    """The learner's certificates (newest revision of each), limited to `course_ids` if given."""
    query = (select(Certificate).where(Certificate.user_id == user_id)
             .order_by(Certificate.issued_at.desc(), Certificate.revision.desc()))
    if course_ids is not None:
        query = query.where(Certificate.course_id.in_(sorted(course_ids)))
    seen, result = set(), []
    for certificate in db.session.scalars(query):
        if certificate.serial not in seen:
            seen.add(certificate.serial)
            result.append(certificate)
    return result



def latest_join():
    """Join condition: the enrolment's newest certificate revision (any status)."""
    return and_(Certificate.user_id == Enrolment.user_id,
                Certificate.course_id == Enrolment.course_id,
                Certificate.superseded_by_id.is_(None))
