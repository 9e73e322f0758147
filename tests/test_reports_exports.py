"""Exports: CSV (RFC 4180 and Excel), XLSX read back with openpyxl, formula injection, audit,
and agreement with the page."""
import csv
import io
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import select

from academy.core.audit import AuditEvent
from academy.extensions import db
from academy.reports.writers import csv_chunks, neutralise
from tests.reports_fixtures import NASTY_NAMES, login


@pytest.mark.parametrize("text, safe", [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'), ("@SUM(1)", "'@SUM(1)"),
    ("+1", "'+1"), ("-2", "'-2"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Border Police", "Border Police")])
def test_neutralise(text, safe):
    assert neutralise(text) == safe


def test_csv_is_rfc4180_and_excel_variant_has_bom_and_semicolons():
    rows = [("a,b", 'say "hi"', 3, -4)]
    plain = b"".join(csv_chunks(("x", "y", "z", "n"), rows)).decode("utf-8")
    assert plain == 'x,y,z,n\r\n"a,b","say ""hi""",3,-4\r\n'
    excel = b"".join(csv_chunks(("x", "y", "z", "n"), rows, excel=True))
    assert excel.startswith("\ufeff".encode()) and excel.decode("utf-8-sig").startswith("x;y;z;n\r\n")


@pytest.fixture
def coordinator(reports_site):
    return login(reports_site.app.test_client(), "coord-ge@example.org")


def test_learners_csv_neutralises_formulas_and_is_audited(coordinator, reports_site):
    response = coordinator.get("/reports/export/learners?format=csv&country=GE")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["learner_id", "name_latin", "name_cyrillic", "email"]
    nasty = [r for r in rows if r[3] == "nasty@example.org"]
    assert nasty and nasty[0][1] == "'" + NASTY_NAMES[0] and nasty[0][5] == "'" + NASTY_NAMES[1]
    assert {r[4] for r in rows[1:]} == {"GE"}
    with reports_site.app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reports.export")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.target == "learners" and event.details["country"] == "GE"
        assert "coord-ge@example.org" in event.actor


def test_xlsx_reads_back_with_typed_cells(coordinator):
    response = coordinator.get("/reports/export/learners?format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert rows and all(isinstance(r["learner_id"], int) for r in rows)
    assert all(isinstance(r["enrolled_at"], datetime) for r in rows)
    nasty = [r for r in rows if r["email"] == "nasty@example.org"][0]
    assert nasty["name_latin"] == "'" + NASTY_NAMES[0]
    assert sheet.column_dimensions["A"].width >= 10
    assert all(not str(c.value).startswith("=") for row in sheet.iter_rows() for c in row if c.value)


def test_excel_csv_variant_over_http(coordinator):
    response = coordinator.get("/reports/export/country?format=excel")
    body = response.get_data()
    assert body.startswith("\ufeff".encode()) and b";" in body.splitlines()[0]


def test_bad_export_requests(coordinator):
    assert coordinator.get("/reports/export/learners?format=pdf").status_code == 400
    assert coordinator.get("/reports/export/nope?format=csv").status_code == 404


def test_cli_export(reports_site, tmp_path):
    out = tmp_path / "months.xlsx"
    result = reports_site.app.test_cli_runner().invoke(args=[
        "reports", "export", "month", "--format", "xlsx", "--country", "UA", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]][:3] == ["key", "label", "enrolled"]
    assert sheet.cell(sheet.max_row, 1).value == "total"
    result = reports_site.app.test_cli_runner().invoke(args=[
        "reports", "export", "learners", "--country", "ZZ", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and "Unknown country code." in result.output
