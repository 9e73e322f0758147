"""The streaming XLSX writer, read back with openpyxl: every kind of value, styles, layout."""
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl

from academy.reports.suppression import COMPLEMENTARY, SMALL, Cell
from academy.reports.writers import xlsx_chunks


def test_every_kind_of_value_reads_back_typed():
    header = ("n", "x", "flag", "empty", "blank", "text", "day", "moment", "small", "hidden",
              "dec", "=head")
    moment = datetime(2026, 3, 4, 15, 30, 45, tzinfo=UTC)
    rows = [(1, 2.5, True, None, "", "  spaced & <tagged> \x01", date(2025, 12, 31), moment,
             Cell(3, SMALL), Cell(12, COMPLEMENTARY), Decimal("7.25"), '=HYPERLINK("http://x")'),
            (2**40, -0.1, False, None, "", "Нино Беридзе", date(1999, 1, 1),
             datetime(2000, 2, 29, 0, 0), Cell(40), Cell(0), Decimal("1"), "@SUM(1)")]
    body = b"".join(xlsx_chunks(header, iter(rows), threshold=5, sheet="learners",
                                widths=[12] * len(header)))
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    book = openpyxl.load_workbook(io.BytesIO(body))
    sheet = book.active
    assert sheet.title == "learners" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == [*header[:-1], "'=head"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.column_dimensions["A"].width == 12 and sheet.column_dimensions["L"].width == 12
    first = [c.value for c in sheet[2]]
    # A control character is written as Excel's escape _x0001_ (openpyxl leaves it escaped).
    assert first == [1, 2.5, True, None, None, "  spaced & <tagged> _x0001_", datetime(2025, 12, 31),
                     datetime(2026, 3, 4, 15, 30, 45), "< 5", "hidden", 7.25,
                     '\'=HYPERLINK("http://x")']
    assert sheet["G2"].number_format == "yyyy\\-mm\\-dd"
    assert sheet["H2"].is_date and "hh:mm" in sheet["H2"].number_format
    second = [c.value for c in sheet[3]]
    assert second[:3] == [2**40, -0.1, False] and second[5] == "Нино Беридзе"
    assert second[6:9] == [datetime(1999, 1, 1), datetime(2000, 2, 29), 40]
    assert second[9] == 0 and second[11] == "'@SUM(1)"
    assert sheet.max_row == 3


def test_many_rows_stream_in_constant_memory():
    rows = ((n, f"name {n}", date(2026, 1, 1)) for n in range(5000))
    body = b"".join(xlsx_chunks(("n", "name", "day"), rows))
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    values = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(values) == 5000 and values[-1][:2] == (4999, "name 4999")
