"""The admin and Trainer Network queries and the migration on the production database."""
from datetime import date

import pytest

from academy.extensions import db

pytestmark = pytest.mark.postgres


def test_migration_search_directory_and_invitations_on_postgresql(postgres_url):
    from flask_migrate import downgrade, upgrade

    from academy import create_app
    from academy.admin import audit_log, services as admin
    from academy.auth.services import create_user
    from academy.network import invitations, services as network

    app = create_app({"TESTING": True, "MFA_REQUIRED_ROLES": "", "DATABASE_URL": postgres_url, "SECRET_KEY": "pg"})
    with app.app_context():
        upgrade()
        downgrade(revision="7a4bb0df9901")
        upgrade()
        boss = create_user("admin@example.org", None, role="admin", confirmed=True)
        nino = create_user("nino@example.ge", None, country="GE", name_cyrillic="Нино Беридзе")
        trainer = create_user("t@example.md", None, role="trainer", country="MD")
        db.session.flush()
        found = db.session.scalars(admin.user_query(boss, search="нино")).all()
        assert found == [nino]
        assert db.session.scalars(admin.user_query(boss, search="50%_")).all() == []
        network.save_profile(trainer, ["integration"], ["ro"], "*Hi*", 3, "MD", "Police")
        assert [u for u, _p in network.directory(area="integration", language="ro")] == [trainer]
        assert network.directory(area="asylum-protection") == []
        row = invitations.check_row(boss, invitations.InvitationRow(
            2, "Ion", "ion@example.md", "MD", "", "ru"), set())
        [(invitation, token)] = invitations.create_invitations(boss, [row])
        db.session.commit()
        assert invitations.usable_invitation(token) == invitation
        events = db.session.scalars(audit_log.event_query(action="network.invite",
                                                          day_from=date(2000, 1, 1))).all()
        assert [e.target for e in events] == ["ion@example.md"]
        db.session.remove()
        db.engine.dispose()
