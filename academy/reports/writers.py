"""Streaming CSV (RFC 4180, or the Excel variant) and XLSX writers, safe against formula injection."""
import csv
import io
import os
import tempfile
from datetime import date, datetime

import xlsxwriter

from academy.reports.suppression import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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
        writer.writerow([_plain(v, threshold) for v in row])
        count += 1
        if count % CHUNK_ROWS == 0:
            yield (prefix + buffer.getvalue()).encode("utf-8")
            prefix = ""
            buffer.seek(0)
            buffer.truncate()
    yield (prefix + buffer.getvalue()).encode("utf-8")


def xlsx_chunks(header, rows, threshold=5, sheet="Report", widths=None):
    """Yield an XLSX workbook: written row by row in constant_memory mode to a temporary file,
    then sent in chunks. Dates are dates, numbers numbers; frozen header; column widths."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False,
                                              "strings_to_formulas": False,
                                              "strings_to_numbers": False,
                                              "strings_to_urls": False})
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        worksheet = workbook.add_worksheet(sheet[:31])
        widths = widths or [max(10, min(40, len(str(h)) + 2)) for h in header]
        for column, width in enumerate(widths):
            worksheet.set_column(column, column, width)
        worksheet.freeze_panes(1, 0)
        for column, title in enumerate(header):
            worksheet.write_string(0, column, neutralise(str(title)), bold)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                _write_cell(worksheet, number, column, value, threshold, day, moment)
        workbook.close()
        with open(path, "rb") as produced:
            while chunk := produced.read(256 * 1024):
                yield chunk
    finally:
        os.unlink(path)


def _write_cell(worksheet, row, column, value, threshold, day, moment):
    if isinstance(value, Cell):
        value = value.label(threshold)
    if value is None or value == "":
        return
    if isinstance(value, datetime):
        worksheet.write_datetime(row, column, value.replace(tzinfo=None), moment)
    elif isinstance(value, date):
        worksheet.write_datetime(row, column, datetime(value.year, value.month, value.day), day)
    elif isinstance(value, bool):
        worksheet.write_boolean(row, column, value)
    elif isinstance(value, (int, float)):
        worksheet.write_number(row, column, value)
    else:
        worksheet.write_string(row, column, neutralise(str(value)))
