"""The read-only API: tokens, scope, suppression, pagination, one error format; agreement with
the page and the exports; schemathesis against the running app."""
import base64
import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from academy.api.models import ApiToken
from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.conftest import csrf_token
from tests.reports_fixtures import login


def _token(site, email, scope="reports:read"):
    result = site.app.test_cli_runner().invoke(
        args=["tokens", "create", email, "--scope", scope, "--days", "7"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[0]


@pytest.fixture(scope="module")
def tokens(reports_site):
    return {who: _token(reports_site, f"{who}@example.org")
            for who in ("coord-ge", "coord-am", "coord-all", "trainer")}


def _get(site, url, token):
    return site.app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body["error"]) == {"status", "code", "message"} and body["error"]["status"] == status


def test_token_is_needed_and_errors_share_one_format(reports_site, tokens):
    client = reports_site.app.test_client()
    _error(client.get("/api/v1/courses"), 401)
    _error(client.get("/api/v1/courses", headers={"Authorization": "Bearer acad_nope"}), 401)
    _error(_get(reports_site, "/api/v1/enrolments?country=ZZ", tokens["coord-all"]), 400)
    _error(_get(reports_site, "/api/v1/enrolments?limit=0", tokens["coord-all"]), 400)
    _error(_get(reports_site, "/api/v1/enrolments?cursor=!!", tokens["coord-all"]), 400)
    huge = base64.urlsafe_b64encode(b"9" * 30).decode()
    _error(_get(reports_site, f"/api/v1/enrolments?cursor={huge}", tokens["coord-all"]), 400)
    _error(_get(reports_site, "/api/v1/learners/" + "9" * 30 + "/transcript", tokens["coord-all"]), 404)
    _error(_get(reports_site, "/api/v1/learners", tokens["trainer"]), 403)
    _error(_get(reports_site, "/api/v1/nothing-here", tokens["coord-all"]), 404)
    _error(client.post("/api/v1/courses", headers={"Authorization": f"Bearer {tokens['coord-all']}"}), 405)


def test_tokens_never_change_state(reports_site, tokens):
    # A token is only read by the API blueprint: a state-changing form does not accept it.
    response = reports_site.app.test_client().post(
        "/courses/sample-course/enrol", headers={"Authorization": f"Bearer {tokens['coord-all']}"})
    assert response.status_code in (302, 400)
    assert "/auth/login" in response.headers.get("Location", "/auth/login")


def test_scope_in_the_api(reports_site, tokens):
    ge = _get(reports_site, "/api/v1/learners?limit=1000", tokens["coord-ge"]).get_json()
    assert ge["data"] and {l["country"] for l in ge["data"]} == {"GE"}
    path = f"/api/v1/learners/{reports_site.ge_learner_id}/transcript"
    assert _get(reports_site, path, tokens["coord-ge"]).status_code == 200
    _error(_get(reports_site, path, tokens["coord-am"]), 404)


def test_cursor_pagination_walks_everything_once(reports_site, tokens):
    seen, cursor = [], None
    while True:
        url = "/api/v1/enrolments?limit=50" + (f"&cursor={cursor}" if cursor else "")
        page = _get(reports_site, url, tokens["coord-all"]).get_json()
        seen += [item["id"] for item in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) > 100 and seen == sorted(seen)


def test_last_use_is_recorded_and_revoked_tokens_stop(reports_site):
    token = _token(reports_site, "coord-ge@example.org")
    assert _get(reports_site, "/api/v1/courses", token).status_code == 200
    with reports_site.app.app_context():
        record = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
        assert record.last_used_at is not None and record.token_hash != token
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "tokens.create", AuditEvent.details["token"].as_string() == record.prefix))
    result = reports_site.app.test_cli_runner().invoke(args=["tokens", "revoke", token])
    assert result.exit_code == 0, result.output
    _error(_get(reports_site, "/api/v1/courses", token), 401)


def test_cli_refuses_bad_tokens(reports_site):
    runner = reports_site.app.test_cli_runner()
    result = runner.invoke(args=["tokens", "create", "learner@example.org", "--scope", "reports:read"])
    assert result.exit_code != 0 and "no access to reports" in result.output
    result = runner.invoke(args=["tokens", "create", "coord-ge@example.org", "--scope", "write:all"])
    assert result.exit_code != 0 and "choose scopes among" in result.output


def test_account_page_creates_shows_once_and_revokes(migrated_template, tmp_path, make_user, app):
    make_user("coord@example.org", role="coordinator")
    client = login(app.test_client(), "coord@example.org")
    page = client.get("/account/tokens/").get_data(as_text=True)
    created = client.post("/account/tokens/", data={
        "csrf_token": csrf_token(page), "name": "ministry dashboard", "scopes": ["reports:read"],
        "days": "30"}).get_data(as_text=True)
    token = re.search(r'<code class="token">([^<]+)</code>', created).group(1)
    assert client.get("/api/v1/courses", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listing = client.get("/account/tokens/").get_data(as_text=True)
    assert token not in listing and "ministry dashboard" in listing
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    bad = client.post("/account/tokens/", data={"csrf_token": csrf_token(listing), "scopes": [],
                                                "days": "999"}).get_data(as_text=True)
    assert "Choose at least one kind of access." in bad and "from 1 to 366" in bad
    assert client.post(f"/account/tokens/{token_id}/revoke",
                       data={"csrf_token": csrf_token(listing)}).status_code == 302
    assert client.get("/api/v1/courses", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_dashboard_exports_and_api_agree(reports_site, tokens):
    client = login(reports_site.app.test_client(), "coord-ge@example.org")
    exported = list(csv.DictReader(io.StringIO(
        client.get("/reports/export/organisation?format=csv").get_data(as_text=True))))
    api = _get(reports_site, "/api/v1/reports/overview?breakdown=organisation", tokens["coord-ge"]).get_json()
    html = client.get("/reports/").get_data(as_text=True)
    table = html[html.index('id="table-organisation"'):html.index('id="table-month"')]
    by_key = {row["key"]: row for row in api["rows"]}
    assert len(exported) == len(api["rows"]) + 1  # plus the total
    for row in exported[:-1]:
        for measure in ("enrolled", "started", "completed"):
            key = row["key"][1:] if row["key"].startswith("'@") else row["key"]  # neutralised
            assert str(by_key[key][measure]) == row[measure]
    total = exported[-1]
    assert str(api["totals"]["enrolled"]) == total["enrolled"]
    shown = int(re.sub(r"\D", "", re.search(r"<tfoot>.*?<td class=\"num\">(?:<a [^>]*>)?([^<]+)", table, re.S).group(1)))
    assert shown == api["totals"]["enrolled"]
    # Counts from the raw enrolments agree with the aggregates.
    enrolments, cursor = 0, None
    while True:
        page = _get(reports_site, "/api/v1/enrolments?limit=1000" + (f"&cursor={cursor}" if cursor else ""),
                    tokens["coord-ge"]).get_json()
        enrolments += len(page["data"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert enrolments == api["totals"]["enrolled"]


def test_suppression_in_the_api(reports_site, tokens):
    body = _get(reports_site, "/api/v1/reports/overview?breakdown=country", tokens["coord-all"]).get_json()
    values = [row[m] for row in body["rows"] for m in ("enrolled", "started", "completed")]
    assert "< 5" in values
    assert all(isinstance(v, int) and (v == 0 or v >= 5) or v in ("< 5", "hidden") for v in values)
    for measure in ("enrolled", "started", "completed"):
        hidden = [row for row in body["rows"] if isinstance(row[measure], str)]
        assert len(hidden) != 1, f"one lone hidden {measure} cell could be recovered from the total"


@pytest.mark.skipif(not shutil.which("schemathesis", path=str(Path(sys.executable).parent)),
                    reason="schemathesis not installed")
def test_schemathesis_finds_no_server_errors_or_schema_violations(reports_site, tokens, live_server,
                                                                 tmp_path):
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    with live_server(reports_site.app) as server:
        result = subprocess.run(
            [binary, "run", f"{server.url}/api/v1/openapi.json", "--url", server.url,
             "--header", f"Authorization: Bearer {tokens['coord-all']}",
             "--checks", "not_a_server_error,response_schema_conformance,"
                         "status_code_conformance,content_type_conformance",
             "--max-examples", "25", "--seed", "1", "--no-color"],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)  # its cache goes there
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_rate_limit_answers_429_in_the_api_error_format(migrated_template, tmp_path):
    from academy.api.views import RATE_LIMIT
    from tests.conftest import make_test_app

    app = make_test_app(migrated_template, tmp_path, RATELIMIT_ENABLED=True)
    client = app.test_client()
    allowed = int(RATE_LIMIT.split()[0])
    statuses = [client.get("/api/v1/openapi.json").status_code for _ in range(allowed)]
    assert statuses == [200] * allowed
    _error(client.get("/api/v1/openapi.json"), 429)
    with app.app_context():
        db.engine.dispose()
