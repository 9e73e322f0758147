"""Coordinator issuing (one, bulk from a list or CSV, with a preview), revoking and re-issuing."""
import io
import re

import pytest
from sqlalchemy import func, select

from academy.certificates.models import Certificate
from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.conftest import csrf_token

ISSUE = "/certificates/manage/issue"


def seed_learners(app, course_slug, completed, not_completed, country="UA"):
    """Accounts without passwords (fast), some with a completion of the course."""
    from academy.auth.services import create_user
    from academy.courses.models import Course
    from academy.learning.models import CourseCompletion

    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == course_slug))
        for number in range(completed + not_completed):
            user = create_user(f"l{number}@example.org", None, confirmed=True, country=country,
                               name_latin=f"Learner Number{number}")
            db.session.flush()
            if number < completed:
                db.session.add(CourseCompletion(user_id=user.id, course_id=course.id,
                                                content_version=1))
        db.session.commit()


@pytest.fixture
def coordinator(make_user, auth):
    def sign_in(scope="all"):
        from academy.auth.models import User

        user = make_user(email="coord@example.org", role="coordinator", name_latin="Coord Inator")
        with auth.client.application.app_context():
            db.session.get(User, user.id).country_scope = scope
            db.session.commit()
        auth.login("coord@example.org")
        return user
    return sign_in


def post_issue(client, data, files=None):
    token = csrf_token(client.get(ISSUE).get_data(as_text=True))
    payload = {"csrf_token": token, "course": "short", **data}
    if files:
        payload.update(files)
    return client.post(ISSUE, data=payload, content_type="multipart/form-data")


def outcomes(html):
    """[(line, outcome text, serial)] from the result table."""
    rows = re.findall(r'<tr class="outcome-([\w-]+)"><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td>'
                      r'<td>([^<]*)</td></tr>', html)
    return [(int(line), kind, serial) for kind, line, _text, serial in rows]


def test_bulk_issue_of_200_lines_reports_every_row_and_a_rerun_issues_nothing(
        app, client, short_course, coordinator):
    seed_learners(app, "short", completed=120, not_completed=30)
    coordinator()
    lines = ["email,name"] + [f"l{n}@example.org,Learner {n}" for n in range(150)]
    lines += [f"nobody{n}@example.org" for n in range(25)]  # unknown
    lines += [f"L{n}@Example.org " for n in range(15)]  # duplicates, other case
    lines += ["not an address", "@@", "", "x@", "ivan@", "   ", "=HYPERLINK(\"x\")"]
    lines += [f"l{n}@example.org" for n in range(150, 155)]  # no such account either
    text = "\n".join(lines)
    html = post_issue(client, {"emails": text, "action": "preview"}).get_data(as_text=True)
    assert "Preview: nothing has been issued yet" in html
    rows = outcomes(html)
    kinds = [kind for _line, kind, _serial in rows]
    assert len(rows) == 200
    assert kinds.count("will-issue") == 120 and kinds.count("not-completed") == 30
    assert kinds.count("unknown") == 30 and kinds.count("duplicate") == 15
    assert kinds.count("invalid") == 5
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 0

    html = post_issue(client, {"emails": text, "action": "issue"}).get_data(as_text=True)
    rows = outcomes(html)
    assert [kind for _l, kind, _s in rows].count("issued") == 120
    assert [kind for _l, kind, _s in rows].count("skipped") == 30
    issued = {line: serial for line, kind, serial in rows if kind == "issued"}
    assert all(re.fullmatch(r"PPTA-\d{4}-\d{6}", s) for s in issued.values())
    assert len(set(issued.values())) == 120
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 120
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "certificates.issue")) == 120

    again = outcomes(post_issue(client, {"emails": text, "action": "issue"}).get_data(as_text=True))
    assert [kind for _l, kind, _s in again].count("has") == 120
    assert {line: serial for line, kind, serial in again if kind == "has"} == issued
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 120


def test_issue_without_completion_needs_a_reason_which_is_audited(app, client, short_course,
                                                                  coordinator):
    seed_learners(app, "short", completed=0, not_completed=1)
    coordinator()
    data = {"emails": "l0@example.org", "without_completion": "y", "action": "issue"}
    html = post_issue(client, data).get_data(as_text=True)
    assert "Give the reason for issuing without completion." in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 0
    html = post_issue(client, {**data, "reason": "Passed the paper exam in Chisinau"}).get_data(
        as_text=True)
    assert [k for _l, k, _s in outcomes(html)] == ["issued-without-completion"]
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert certificate.issued_without_completion == "Passed the paper exam in Chisinau"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificates.issue"))
        assert event.details["without_completion"] == "Passed the paper exam in Chisinau"
        assert event.actor.startswith("user:") and "coord@example.org" in event.actor


def test_csv_upload_in_windows_1251_works(app, client, short_course, coordinator):
    seed_learners(app, "short", completed=2, not_completed=0)
    coordinator()
    csv_bytes = "Имя;почта\nИван;l0@example.org\n\"Пётр Петров\" <l1@example.org>\n".encode("cp1251")
    html = post_issue(client, {"emails": "", "action": "issue"},
                      {"csv_file": (io.BytesIO(csv_bytes), "list.csv")}).get_data(as_text=True)
    assert [k for _l, k, _s in outcomes(html)] == ["issued", "issued"]


def test_a_scoped_coordinator_cannot_reach_learners_of_other_states(app, client, issued, auth,
                                                                    coordinator):
    auth.logout()
    coordinator("GE")  # the learner is from UA
    html = post_issue(client, {"emails": "learner@example.org", "action": "preview"}).get_data(
        as_text=True)
    assert [k for _l, k, _s in outcomes(html)] == ["unknown"]
    assert issued.serial not in client.get("/certificates/manage/").get_data(as_text=True)
    page = f"/certificates/manage/{issued.serial}/"
    assert client.get(page).status_code == 404
    token = csrf_token(client.get(ISSUE).get_data(as_text=True))
    response = client.post(page + "revoke", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 404
    response = client.post(page + "reissue", data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Certificate)).status == "valid"


def test_coordinator_revokes_and_reissues_through_the_pages(app, client, issued, auth, coordinator):
    auth.logout()
    coordinator("UA")
    page = f"/certificates/manage/{issued.serial}/"
    html = client.get(page).get_data(as_text=True)
    assert issued.serial in html and "Olena Kovalenko" in html
    token = csrf_token(html)
    response = client.post(page + "reissue", data={"csrf_token": token, "confirm": "y"},
                           follow_redirects=True)
    assert "re-issued as revision 2" in response.get_data(as_text=True)
    response = client.post(page + "revoke", data={"csrf_token": token, "reason": ""},
                           follow_redirects=True)
    assert "Give the reason for revoking the certificate." in response.get_data(as_text=True)
    response = client.post(page + "revoke", data={"csrf_token": token,
                                                  "reason": "Issued to the wrong person"},
                           follow_redirects=True)
    assert "has been revoked" in response.get_data(as_text=True)
    with app.app_context():
        revisions = db.session.scalars(select(Certificate).order_by(Certificate.revision)).all()
        assert [(r.revision, r.status) for r in revisions] == [(1, "superseded"), (2, "revoked")]
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.target == issued.serial)).all()
        assert actions == ["certificates.issue", "certificates.reissue", "certificates.revoke"]
    html = client.get(f"/verify/{revisions[1].code}").get_data(as_text=True)
    assert "Issued to the wrong person" in html
    response = client.post(page + "revoke", data={"reason": "no token"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/certificates/manage/", ISSUE])
def test_learners_cannot_open_the_coordinator_pages(client, named_learner, path):
    assert client.get(path).status_code == 403
