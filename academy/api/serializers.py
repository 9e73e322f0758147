"""JSON shapes of the API's objects (documented in academy.api.openapi)."""
from flask import url_for
from sqlalchemy import select

from academy.courses.models import Course
from academy.extensions import db
from academy.reports.tables import labels


def _time(moment):
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def course(row):
    """A course."""
    _, item = row
    return {"id": item.id, "slug": item.slug, "title": {"en": item.title_en, "ru": item.title_ru},
            "thematic_area": item.thematic_area, "pass_mark": item.pass_mark,
            "content_version": item.content_version}


def learner(row):
    """A learner, with their country."""
    _, user = row
    return {"id": user.id, "name_latin": user.name_latin, "name_cyrillic": user.name_cyrillic,
            "email": user.email, "country": user.country, "organisation": user.organisation,
            "language": user.locale, "registered_at": _time(user.created_at)}


def enrolment(row):
    """An enrolment, whether it was started, and its completion."""
    _, item, slug, completed_at = row
    return {"id": item.id, "learner_id": item.user_id, "course": slug,
            "enrolled_at": _time(item.created_at), "started": item.last_activity_at is not None,
            "last_activity_at": _time(item.last_activity_at), "completed_at": _time(completed_at)}


def progress(row):
    """A learner's progress in one module."""
    _, item, course_slug, module_slug = row
    return {"id": item.id, "learner_id": item.user_id, "course": course_slug,
            "module": module_slug, "opened_at": _time(item.opened_at),
            "best_score": item.best_score, "completed_at": _time(item.completed_at)}


def completion(row):
    """A course completion."""
    _, item, slug = row
    return {"id": item.id, "learner_id": item.user_id, "course": slug,
            "completed_at": _time(item.completed_at), "content_version": item.content_version}


def certificate(row):
    """A certificate (its newest revision), with the link that verifies it."""
    _, item = row
    return {"id": item.id, "serial": item.serial, "revision": item.revision,
            "learner_id": item.user_id, "course": item.course_slug, "status": item.status,
            "issued_at": _time(item.issued_at), "completed_on": item.completed_on.isoformat(),
            "revoked_at": _time(item.revoked_at),
            "verify_url": url_for("certificates.verify", code=item.code, _external=True)}


def _count(cell, threshold):
    return cell.label(threshold)


def _row(row, threshold, label):
    return {"key": row["key"], "label": label, "enrolled": _count(row["enrolled"], threshold),
            "started": _count(row["started"], threshold),
            "completed": _count(row["completed"], threshold),
            "completion_rate": row["rate"], "median_days_to_complete": row["median_days"],
            "certificates": _count(row["certificates"], threshold)}


def overview(data, breakdown, filters):
    """The overview's totals and one breakdown, counts as numbers, "< 5" or "hidden"."""
    names = labels(db.session.scalars(select(Course)).all(), "en")
    t = data.threshold
    if breakdown == "completions":
        rows = [{"key": r["key"], "label": r["key"], "completed": _count(r["completed"], t)}
                for r in data.completions]
    else:
        rows = []
        for r in data.tables[breakdown]:
            key = names["course_slug"](r["key"]) if breakdown == "course" else r["key"]
            rows.append(dict(_row(r, t, names[breakdown](r["key"])), key=key))
    return {"threshold": t, "breakdown": breakdown, "filters": filters.describe(),
            "totals": _row(data.totals, t, "total"), "rows": rows}


def transcript(user, records):
    """A learner's transcript."""
    courses = []
    for record in records:
        modules = []
        for module, progress_row, attempts in record.modules:
            modules.append({
                "module": module.slug,
                "opened_at": _time(progress_row.opened_at) if progress_row else None,
                "best_score": progress_row.best_score if progress_row else None,
                "completed_at": _time(progress_row.completed_at) if progress_row else None,
                "attempts": [{"submitted_at": _time(a.submitted_at), "score": a.score,
                              "passed": bool(a.passed)} for a in attempts]})
        courses.append({"course": record.course.slug, "enrolled_at": _time(record.enrolled_at),
                        "completed_at": _time(record.completed_at), "modules": modules})
    return {"learner": {"id": user.id, "name_latin": user.name_latin,
                        "name_cyrillic": user.name_cyrillic, "country": user.country,
                        "organisation": user.organisation},
            "courses": courses}
