"""Small-cell suppression and its complement; the same reports on PostgreSQL as on SQLite."""
import pytest

from academy.reports.services import _median
from academy.reports.suppression import COMPLEMENTARY, SMALL, suppress


def _table(*values):
    rows = [{"n": v} for v in values]
    totals = {"n": sum(values)}
    suppress(rows, totals, ("n",), 5)
    return [r["n"].hidden for r in rows], totals["n"].hidden


def test_small_cells_are_hidden_and_zero_is_not():
    assert _table(12, 0, 7) == ([None, None, None], None)
    assert _table(12, 4, 9, 3)[0] == [None, SMALL, None, SMALL]  # two hidden: no single recovery


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    assert _table(40, 3, 9, 25) == ([None, SMALL, COMPLEMENTARY, None], None)


def test_a_lone_small_cell_with_no_partner_hides_the_total():
    assert _table(3, 0) == ([SMALL, None], SMALL)  # the total is small itself
    assert _table(1) == ([SMALL], SMALL)


def test_threshold_is_configurable(reports_site, tokens=None):
    from academy.reports.filters import Filters, ReportScope
    from academy.reports.services import overview

    app = reports_site.app
    with app.test_request_context():
        app.config["ACADEMY_REPORTS_MIN_CELL"] = 1
        try:
            data = overview(ReportScope(None, None, True), Filters())
        finally:
            app.config.pop("ACADEMY_REPORTS_MIN_CELL")
        assert data.threshold == 1
        assert not any(row[m].hidden for row in data.tables["country"] for m in ("enrolled", "started"))
        default = overview(ReportScope(None, None, True), Filters())
        assert default.threshold == 5 and any(row["enrolled"].hidden for row in default.tables["country"])


@pytest.mark.parametrize("histogram, median", [
    ({}, None), ({3: 1}, 3), ({1: 1, 5: 1}, 3), ({1: 2, 9: 1}, 1), ({2: 1, 4: 2, 10: 1}, 4)])
def test_median_of_a_histogram(histogram, median):
    assert _median(histogram) == median


@pytest.mark.postgres
def test_overview_and_api_on_postgresql(postgres_url, tmp_path):
    from flask_migrate import upgrade

    from academy import create_app
    from academy.extensions import db
    from tests.reports_fixtures import login, seed_site

    app = create_app({"TESTING": True, "MFA_REQUIRED_ROLES": "", "DATABASE_URL": postgres_url, "SECRET_KEY": "t",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    site = seed_site(app, learners=150)
    client = login(app.test_client(), "coord-all@example.org")
    page = client.get("/reports/?from=2025-01-01")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    assert client.get("/reports/export/learners?format=xlsx").status_code == 200
    assert client.get(f"/reports/learners/{site.ge_learner_id}").status_code == 200
    token = app.test_cli_runner().invoke(args=["tokens", "create", "coord-all@example.org",
                                               "--scope", "reports:read"]).stdout.split()[0]
    body = app.test_client().get("/api/v1/reports/overview?breakdown=month",
                                 headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["rows"] and body["totals"]["median_days_to_complete"] is not None
    # More learners after the seed: PostgreSQL's id sequences were moved past the seeded ids.
    with app.app_context():
        from academy.auth.services import create_user

        create_user("after-seed@example.org", "correct horse battery staple")
        db.session.commit()
        db.engine.dispose()
