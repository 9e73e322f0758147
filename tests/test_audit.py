"""Privileged actions leave an audit trail, written in the same transaction as the action."""
from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.course_fixtures import SAMPLE_LIBRARY


def _events(app):
    with app.app_context():
        return [(e.action, e.target, e.details) for e in db.session.scalars(
            db.select(AuditEvent).order_by(AuditEvent.id))]


def test_operator_commands_are_audited(app, runner):
    created = runner.invoke(args=["users", "create", "--email", "Coord@Example.org", "--role",
                                  "coordinator", "--password", "a long enough passphrase"])
    assert created.exit_code == 0, created.output
    changed = runner.invoke(args=["users", "set-role", "coord@example.org", "admin"])
    assert changed.exit_code == 0, changed.output
    events = _events(app)
    assert events[0][:2] == ("users.create", "coord@example.org")
    assert events[1] == ("users.set_role", "coord@example.org", {"old": "coordinator", "new": "admin"})
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent.actor)).startswith("cli")


def test_a_refused_command_leaves_no_audit_event(app, runner):
    result = runner.invoke(args=["users", "set-role", "nobody@example.org", "admin"])
    assert result.exit_code != 0
    assert _events(app) == []


def test_course_import_is_audited_once_and_not_when_nothing_changed(app, runner):
    assert runner.invoke(args=["courses", "import", str(SAMPLE_LIBRARY)]).exit_code == 0
    assert runner.invoke(args=["courses", "import", str(SAMPLE_LIBRARY)]).exit_code == 0
    assert [e[0] for e in _events(app)] == ["courses.import"]
