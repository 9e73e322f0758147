"""Report pages: scope, suppression, drill-down, transcripts; statement counts."""
import re

import pytest
from sqlalchemy import select

from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.databases import statements
from tests.reports_fixtures import NASTY_NAMES, login


@pytest.fixture
def client_for(reports_site):
    def make(email):
        return login(reports_site.app.test_client(), email)
    return make


def test_overview_for_all_countries(client_for):
    page = client_for("coord-all@example.org").get("/reports/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "<title" in html and "<desc" in html
    assert "By organisation" in html and "Completions per month" in html
    assert "< 5" in html  # some small cells exist in 300 learners over 48 states


def test_georgia_coordinator_sees_only_georgia(client_for, reports_site):
    client = client_for("coord-ge@example.org")
    html = client.get("/reports/").get_data(as_text=True)
    table = html[html.index('id="table-country"'):html.index('id="table-organisation"')]
    assert "Georgia" in table and "Armenia" not in table and "Ukraine" not in table
    listing = client.get("/reports/learners?status=enrolled").get_data(as_text=True)
    assert "Armen Petrosyan" not in listing
    assert client.get(f"/reports/learners/{reports_site.ge_learner_id}").status_code == 200
    assert client.get(f"/reports/learners/{reports_site.am_learner_id}").status_code == 404


def test_armenia_coordinator_gets_404_for_georgian_transcript(client_for, reports_site):
    client = client_for("coord-am@example.org")
    assert client.get(f"/reports/learners/{reports_site.ge_learner_id}").status_code == 404
    assert client.get(f"/reports/learners/{reports_site.ge_learner_id}/export?format=csv").status_code == 404
    assert client.get("/reports/learners/999999").status_code == 404
    assert client.get("/reports/learners/" + "9" * 30).status_code == 404


@pytest.mark.parametrize("email, overview, names", [
    ("learner@example.org", 403, 403), ("trainer@example.org", 200, 403),
    ("coord-ge@example.org", 200, 200)])
def test_who_sees_what(client_for, email, overview, names):
    client = client_for(email)
    assert client.get("/reports/").status_code == overview
    assert client.get("/reports/learners").status_code == names
    assert client.get("/reports/export/learners?format=csv").status_code == names


def test_anonymous_is_sent_to_sign_in(reports_site):
    response = reports_site.app.test_client().get("/reports/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_drilldown_is_audited_and_lists_the_people_behind_the_number(client_for, reports_site):
    client = client_for("coord-ge@example.org")
    html = client.get("/reports/learners?status=started&organisation=" + NASTY_NAMES[1]).get_data(as_text=True)
    assert "HYPERLINK" in html  # the learner with the odd name, escaped by Jinja
    with reports_site.app.app_context():
        event_ = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "reports.drilldown").order_by(AuditEvent.id.desc())).first()
        assert event_.details["organisation"] == NASTY_NAMES[1] and event_.target == "started"


@pytest.mark.parametrize("query, message", [
    ("country=ZZ", "Unknown country code."), ("from=2025-13-01", "YYYY-MM-DD"),
    ("from=2026-01-02&to=2026-01-01", "after the end date"), ("lang=de", "en or ru"),
    ("course=nope", "Unknown course."), ("to=9999-12-31", "between 1900 and 9000"),
    ("organisation=a%00b", "control characters")])
def test_bad_filters_explained(client_for, query, message):
    response = client_for("coord-all@example.org").get("/reports/?" + query)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_filters_narrow_the_numbers(client_for):
    client = client_for("coord-all@example.org")
    def enrolled(query):
        html = client.get("/reports/?" + query).get_data(as_text=True)
        block = html[html.index('id="totals-heading"'):]
        return re.search(r"<dd>(?:<a [^>]*>)?([^<]+)", block).group(1)
    everyone = int(enrolled("").replace("\u202f", ""))
    russian = int(enrolled("lang=ru").replace("\u202f", ""))
    recent = int(enrolled("from=2026-01-01").replace("\u202f", ""))
    assert 0 < russian < everyone and 0 < recent < everyone


def _count_statements(app, client, url):
    with statements(app) as run:
        assert client.get(url).status_code == 200
    return len(run)


def test_statement_count_does_not_grow_with_the_data(migrated_template, tmp_path):
    from tests.conftest import make_test_app
    from tests.reports_fixtures import seed_site

    counts = []
    for learners in (40, 400):
        folder = tmp_path / str(learners)
        folder.mkdir()
        site = seed_site(make_test_app(migrated_template, folder), learners=learners)
        client = login(site.app.test_client(), "coord-all@example.org")
        counts.append([_count_statements(site.app, client, url) for url in (
            "/reports/", "/reports/?country=GE&lang=ru&from=2025-07-01&to=2026-03-31",
            "/reports/?from=2025-03-15&to=2025-11-20",  # partial months: base tables for those
            "/reports/learners?status=completed",
            f"/reports/learners/{site.ge_learner_id}", "/reports/export/country?format=csv",
            "/reports/export/learners?format=csv", "/reports/export/learners?format=xlsx")])
        with site.app.app_context():
            db.engine.dispose()
    assert counts[0] == counts[1], counts


def test_trainers_see_aggregates_of_their_assigned_courses_only(migrated_template, tmp_path):
    from tests.conftest import make_test_app
    from tests.reports_fixtures import seed_site

    site = seed_site(make_test_app(migrated_template, tmp_path), learners=60)
    app = site.app

    def enrolled(email):
        html = login(app.test_client(), email).get("/reports/").get_data(as_text=True)
        block = html[html.index('id="totals-heading"'):]
        return re.search(r"<dd>(?:<a [^>]*>)?([^<]+)", block).group(1)

    assert enrolled("trainer@example.org") == "0"
    result = app.test_cli_runner().invoke(
        args=["courses", "assign", "sample-course", "trainer@example.org", "--as", "author"])
    assert result.exit_code == 0, result.output
    assert enrolled("trainer@example.org") == enrolled("coord-all@example.org") != "0"
    client = login(app.test_client(), "trainer@example.org")
    html = client.get("/reports/").get_data(as_text=True)
    assert "/reports/learners?" not in html  # no drill-down links to named learners
    assert client.get(f"/reports/learners/{site.ge_learner_id}").status_code == 404
    with app.app_context():
        db.engine.dispose()
