"""People administration: the access matrix, scope, account actions, audit log and its CSV."""
import csv
import io

import pytest

from academy.auth.models import User
from academy.core.audit import AuditEvent, record_event
from academy.extensions import db
from tests.conftest import csrf_token

ADMIN_PAGES = ["/admin/users/", "/admin/audit/", "/admin/audit/export.csv"]
# page → status for a learner, a trainer, a coordinator, an admin.
PAGE_ACCESS = {
    "/admin/users/": (403, 403, 200, 200),
    "/admin/audit/": (403, 403, 403, 200),
    "/admin/audit/export.csv": (403, 403, 403, 200),
    "/network/": (403, 200, 200, 200),
    "/network/invitations/": (403, 403, 200, 200),
    "/network/courses/": (403, 403, 200, 200),
    "/network/courses/sample-course/": (403, 403, 200, 200),
    "/network/profile": (403, 200, 403, 403),
}
WHO = ["learner_ge", "trainer_ge", "coord_ge", "admin"]


@pytest.mark.parametrize("path", list(PAGE_ACCESS))
def test_page_access_by_role(signed_in, imported_app, path):
    for index, who in enumerate(WHO):
        assert signed_in(who).get(path).status_code == PAGE_ACCESS[path][index], (who, path)
    anonymous = imported_app.test_client().get(path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/auth/login")


USER_ACTIONS = ["role", "deactivate", "activate", "confirmation", "scope"]


def _post(client, path, **data):
    token = csrf_token(client.get("/courses/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_no_one_without_the_right_reaches_a_users_page_or_action(signed_in, people):
    """Learners and trainers get 403 for the area; an out-of-scope coordinator gets 404."""
    target = people["learner_ge"][0]
    for who, status in (("learner_ge", 403), ("trainer_ge", 403), ("coord_am", 404)):
        client = signed_in(who)
        assert client.get(f"/admin/users/{target}/").status_code == status, who
        for action in USER_ACTIONS[:4]:
            response = _post(client, f"/admin/users/{target}/{action}", role="trainer")
            assert response.status_code == status, (who, action)
    # Coordinators never reach staff accounts, even in their own state.
    coordinator = signed_in("coord_ge")
    assert coordinator.get(f"/admin/users/{people['coord_am'][0]}/").status_code == 404
    assert coordinator.get(f"/admin/users/{people['admin'][0]}/").status_code == 404
    assert coordinator.get("/admin/users/99999/").status_code == 404
    # Setting a scope is for admins only: a page-level refusal.
    assert _post(coordinator, f"/admin/users/{target}/scope", everywhere="y").status_code == 403


def test_coordinator_list_shows_only_their_states_learners_and_trainers(signed_in, people):
    html = signed_in("coord_ge").get("/admin/users/").get_data(as_text=True)
    assert "nino@example.ge" in html and "giorgi@example.ge" in html
    assert "anna@example.am" not in html and "admin@example.org" not in html
    assert "coord.am@example.org" not in html
    html = signed_in("admin").get("/admin/users/").get_data(as_text=True)
    for _id, email in people.values():
        assert email in html


def test_search_and_filters(signed_in):
    admin = signed_in("admin")

    def emails(query):
        html = admin.get("/admin/users/" + query).get_data(as_text=True)
        return {e for e in ("nino@example.ge", "anna@example.am", "giorgi@example.ge",
                            "coord.ge@example.org") if e in html}

    assert emails("?q=нино") == {"nino@example.ge"}  # Cyrillic, any case
    assert emails("?q=БЕРИДЗЕ") == {"nino@example.ge"}
    assert emails("?q=petrosyan") == {"anna@example.am"}
    assert emails("?q=example.ge") == {"nino@example.ge", "giorgi@example.ge"}
    assert emails("?role=trainer") == {"giorgi@example.ge"}
    assert emails("?country=AM&role=learner") == {"anna@example.am"}
    assert emails("?active=no") == set()
    assert emails("?confirmed=no") == set()
    assert emails("?q=%25") == set()  # LIKE wildcards are taken literally
    assert admin.get("/admin/users/?page=abc&role=<x>&country=ZZ").status_code == 200


def test_pagination(imported_app, signed_in):
    from academy.auth.services import create_user

    with imported_app.app_context():
        for number in range(30):
            create_user(email=f"p{number:02d}@example.md", password=None, country="MD")
        db.session.commit()
    admin = signed_in("admin")
    first = admin.get("/admin/users/?country=MD").get_data(as_text=True)
    second = admin.get("/admin/users/?country=MD&page=2").get_data(as_text=True)
    assert "p00@example.md" in first and "p29@example.md" not in first
    assert "p29@example.md" in second and "p00@example.md" not in second
    assert "30 accounts found" in first and "page=2" in first and "country=MD" in first


def test_deactivation_ends_the_open_session_at_once(signed_in, people, imported_app):
    learner = signed_in("learner_am")
    assert learner.get("/dashboard").status_code == 200
    admin = signed_in("admin")
    target = people["learner_am"][0]
    page = admin.get(f"/admin/users/{target}/").get_data(as_text=True)
    response = admin.post(f"/admin/users/{target}/deactivate",
                          data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    after = learner.get("/dashboard")
    assert after.status_code == 302 and after.headers["Location"].startswith("/auth/login")
    with imported_app.app_context():
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="users.deactivate"))
        assert event.target == "anna@example.am"
        assert event.details == {"old": True, "new": False}
        assert event.actor.endswith("admin@example.org")
    _post(admin, f"/admin/users/{target}/activate")
    with imported_app.app_context():
        assert db.session.get(User, target).active


def test_coordinator_manages_in_scope_but_grants_no_staff_role(signed_in, people, imported_app):
    coordinator = signed_in("coord_ge")
    target = people["learner_ge"][0]
    page = coordinator.get(f"/admin/users/{target}/").get_data(as_text=True)
    assert 'value="coordinator"' not in page and 'value="admin"' not in page
    refused = _post(coordinator, f"/admin/users/{target}/role", role="coordinator")
    assert refused.status_code == 400
    assert _post(coordinator, f"/admin/users/{target}/role", role="trainer").status_code == 302
    with imported_app.app_context():
        assert db.session.get(User, target).role == "trainer"
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="users.set_role"))
        assert (event.target, event.details) == ("nino@example.ge",
                                                 {"old": "learner", "new": "trainer"})


def test_admin_grants_coordinator_and_sets_scope(signed_in, people, imported_app):
    admin = signed_in("admin")
    target = people["trainer_ge"][0]
    _post(admin, f"/admin/users/{target}/role", role="coordinator")
    page = admin.get(f"/admin/users/{target}/").get_data(as_text=True)
    assert "States this coordinator manages" in page
    empty = _post(admin, f"/admin/users/{target}/scope")
    assert empty.status_code == 400 and "at least one state" in empty.get_data(as_text=True)
    _post(admin, f"/admin/users/{target}/scope", countries=["GE", "AM"])
    with imported_app.app_context():
        user = db.session.get(User, target)
        assert (user.role, user.country_scope) == ("coordinator", "AM,GE")
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="users.set_scope"))
        assert event.details == {"old": "all", "new": "AM,GE"}
    # An admin cannot lock themselves out.
    _post(admin, f"/admin/users/{people['admin'][0]}/role", role="learner")
    _post(admin, f"/admin/users/{people['admin'][0]}/deactivate")
    with imported_app.app_context():
        me = db.session.get(User, people["admin"][0])
        assert (me.role, me.active) == ("admin", True)


def test_resend_confirmation(signed_in, imported_app, tmp_path):
    from academy.auth.services import create_user

    with imported_app.app_context():
        user = create_user(email="new@example.ge", password=None, country="GE", locale="ru")
        db.session.commit()
        user_id = user.id
    coordinator = signed_in("coord_ge")
    assert _post(coordinator, f"/admin/users/{user_id}/confirmation").status_code == 302
    [mail] = (tmp_path / "mail").glob("*.eml")
    text = mail.read_bytes().decode()
    assert "/auth/confirm/" in text and "Content-Language: ru" in text
    with imported_app.app_context():
        assert db.session.scalar(db.select(AuditEvent).filter_by(
            action="users.resend_confirmation")).target == "new@example.ge"


def test_audit_page_filters_and_csv_is_safe_from_formulas(signed_in, imported_app):
    with imported_app.app_context():
        record_event("users.set_role", target="=HYPERLINK(\"http://evil\")", old="-1", new="+2")
        record_event("courses.assign", target="@SUM(A1)")
        db.session.commit()
    admin = signed_in("admin")
    html = admin.get("/admin/audit/?action=courses.assign").get_data(as_text=True)
    assert "@SUM(A1)" in html and "HYPERLINK" not in html
    assert "HYPERLINK" not in admin.get("/admin/audit/?from=2999-01-01").get_data(as_text=True)
    assert "HYPERLINK" in admin.get("/admin/audit/?to=2999-01-01&from=bad").get_data(as_text=True)
    response = admin.get("/admin/audit/export.csv?actor=cli")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["at", "actor", "action", "target", "details", "ip"]
    targets = {row[3] for row in rows[1:]}
    assert {"'=HYPERLINK(\"http://evil\")", "'@SUM(A1)"} <= targets
    assert "'-1 → +2" in {row[4] for row in rows[1:]}
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_every_new_state_change_needs_a_csrf_token(signed_in, people):
    admin = signed_in("admin")
    target = people["learner_ge"][0]
    paths = [f"/admin/users/{target}/{action}" for action in USER_ACTIONS] + [
        "/network/invitations/", "/network/invitations/csv", "/network/invitations/1/remind",
        "/network/profile", "/network/courses/sample-course/",
        "/network/courses/sample-course/unassign", "/network/invite/anything"]
    for path in paths:
        assert admin.post(path, data={"role": "admin"}).status_code == 400, path


def test_bad_input_gets_a_clear_answer_not_a_500(signed_in, people):
    admin = signed_in("admin")
    target = people["learner_ge"][0]
    assert _post(admin, f"/admin/users/{target}/role", role="emperor").status_code == 400
    assert _post(admin, f"/admin/users/{target}/scope", countries=["ZZ"]).status_code == 400
    assert admin.get("/admin/audit/?from=2024-13-45&page=-3").status_code == 200
    assert admin.get("/network/invite/not-a-token").status_code == 410
    assert _post(admin, "/network/courses/sample-course/unassign", trainer="x",
                 role="author").status_code == 404
    assert _post(admin, "/network/courses/sample-course/", trainer="abc",
                 role="author").status_code == 404
