"""Streaming CSV (RFC 4180, or the Excel variant) and XLSX writers, safe against formula injection."""
import csv
import io
import os
import tempfile
from datetime import date, datetime
from decimal import Decimal

from academy.reports.suppression import Cell
from academy.reports.xlsx import write_xlsx

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STARTS = frozenset(FORMULA_STARTS)
AS_IS = frozenset({int, float, bool, type(None)})  # csv writes None as an empty field
CHUNK_ROWS = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"),
           "excel.csv": ("text/csv; charset=utf-8", "csv"),
           "xlsx": (XLSX_TYPE, "xlsx")}


def neutralise(text):
    """A text a spreadsheet will not run as a formula: a leading =, +, -, @, tab or CR gets a '."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _plain(value, threshold):
    """A cell value as text/number for CSV (the common types first: this runs for every cell)."""
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if kind is int or kind is float or kind is bool:
        return value
    if kind is datetime:
        return value.isoformat(" ", "minutes")[:16]
    if isinstance(value, Cell):
        return _plain(value.label(threshold), threshold)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def csv_chunks(header, rows, excel=False, threshold=5):
    """Yield the CSV as UTF-8 bytes, a few thousand rows at a time (constant memory).

    RFC 4180 (comma, CRLF, UTF-8); `excel`: a byte-order mark and `;`, as Excel expects in
    locales whose decimal separator is a comma.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in header])
    prefix = "\ufeff" if excel else ""
    count = 0
    for row in rows:
        # Numbers, empty cells and texts that cannot start a formula go as they are (the common
        # case, checked inline); the rest through _plain.
        writer.writerow([v if (kind := type(v)) in AS_IS or (kind is str and v[:1] not in STARTS)
                         else _plain(v, threshold) for v in row])
        count += 1
        if count % CHUNK_ROWS == 0:
            yield (prefix + buffer.getvalue()).encode("utf-8")
            prefix = ""
            buffer.seek(0)
            buffer.truncate()
    yield (prefix + buffer.getvalue()).encode("utf-8")


def xlsx_chunks(header, rows, threshold=5, sheet="Report", widths=None):
    """Yield an XLSX workbook: written row by row (constant memory) to a temporary file, then
    sent in chunks. Dates are dates, numbers numbers; frozen header; column widths."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        widths = widths or [max(10, min(40, len(str(h)) + 2)) for h in header]
        write_xlsx(path, sheet, [neutralise(str(h)) for h in header], rows, widths,
                   lambda value: _xlsx_value(value, threshold))
        with open(path, "rb") as produced:
            while chunk := produced.read(256 * 1024):
                yield chunk
    finally:
        os.unlink(path)


def _xlsx_value(value, threshold):
    """A value as the workbook holds it: texts neutralised, a Cell as its label."""
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None or kind is int or kind is float or kind is bool:
        return value
    if isinstance(value, Cell):
        return _xlsx_value(value.label(threshold), threshold)
    if isinstance(value, (date, int, float, Decimal)):  # numbers are numbers (Decimal too)
        return value
    return neutralise(str(value))
