"""Coordinator country scopes and Trainer Network course assignments (CLI and services)."""
import pytest

from academy.auth.models import User
from academy.auth.scopes import ScopeError, in_scope, parse_scope, scope_clause
from academy.core.audit import AuditEvent
from academy.courses.assignments import CourseAssignment, assigned_course_ids
from academy.extensions import db
from tests.course_fixtures import SAMPLE_COURSE


@pytest.mark.parametrize("text, stored", [
    ("all", "all"), (" ALL ", "all"), ("ge,am", "AM,GE"), ("GE, GE ,XK", "GE,XK"),
    ("other", "other"),
])
def test_parse_scope(text, stored):
    assert parse_scope(text) == stored


@pytest.mark.parametrize("text", ["", " , ", "GE,ZZ", "US"])
def test_parse_scope_refuses(text):
    with pytest.raises(ScopeError):
        parse_scope(text)


def test_set_scope_limits_what_a_coordinator_sees(app, runner, make_user):
    make_user("coord@example.org", role="coordinator")
    make_user("ge@example.org", country="GE")
    make_user("am@example.org", country="AM")
    result = runner.invoke(args=["users", "set-scope", "coord@example.org", "--countries", "ge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        coord = db.session.query(User).filter_by(email="coord@example.org").one()
        assert coord.country_scope == "GE"
        seen = {u.email for u in db.session.query(User).filter(
            User.role == "learner", scope_clause(coord))}
        assert seen == {"ge@example.org"}
        am = db.session.query(User).filter_by(email="am@example.org").one()
        assert not in_scope(coord, am)
        event = db.session.query(AuditEvent).filter_by(action="users.set_scope").one()
        assert event.details == {"old": "all", "new": "GE"}


def test_learners_and_trainers_have_no_scope(app, make_user):
    trainer = make_user("t@example.org", role="trainer")
    make_user("ge@example.org", country="GE")
    with app.app_context():
        assert db.session.query(User).filter(scope_clause(trainer)).count() == 0


def test_set_scope_errors(runner, make_user):
    make_user("coord@example.org", role="coordinator")
    result = runner.invoke(args=["users", "set-scope", "coord@example.org", "--countries", "ZZ"])
    assert result.exit_code != 0 and "unknown country code(s): ZZ" in result.output
    result = runner.invoke(args=["users", "set-scope", "nobody@example.org", "--countries", "GE"])
    assert result.exit_code != 0 and "no account" in result.output


def test_deactivate_and_activate(app, runner, make_user):
    make_user("l@example.org")
    assert runner.invoke(args=["users", "deactivate", "l@example.org"]).exit_code == 0
    with app.app_context():
        user = db.session.query(User).filter_by(email="l@example.org").one()
        assert not user.active and user.session_version == 2
    assert runner.invoke(args=["users", "activate", "l@example.org"]).exit_code == 0
    with app.app_context():
        assert db.session.query(User).filter_by(email="l@example.org").one().active


def test_assign_and_unassign(imported_app, runner, make_user):
    app = imported_app
    make_user("t@example.org", role="trainer")
    make_user("l@example.org")
    slug = SAMPLE_COURSE
    args = ["courses", "assign", slug, "t@example.org", "--as", "author"]
    assert runner.invoke(args=args).exit_code == 0
    assert runner.invoke(args=args).exit_code == 0  # idempotent
    with app.app_context():
        trainer = db.session.query(User).filter_by(email="t@example.org").one()
        assert len(assigned_course_ids(trainer, "author")) == 1
        assert assigned_course_ids(trainer, "reviewer") == set()
        assert db.session.query(CourseAssignment).count() == 1
    result = runner.invoke(args=["courses", "assign", slug, "l@example.org", "--as", "author"])
    assert result.exit_code != 0 and "is a learner" in result.output
    result = runner.invoke(args=["courses", "assign", "nope", "t@example.org", "--as", "author"])
    assert result.exit_code != 0 and "no course" in result.output
    unassign = ["courses", "unassign", slug, "t@example.org", "--as", "author"]
    assert runner.invoke(args=unassign).exit_code == 0
    assert runner.invoke(args=unassign).exit_code != 0
    with app.app_context():
        assert db.session.query(CourseAssignment).count() == 0
        actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
        assert actions.count("courses.assign") == 1 and actions.count("courses.unassign") == 1
