"""A streaming XLSX (Office Open XML spreadsheet) writer for large report tables.

One worksheet, written row by row into a deflated ZIP member, so memory does not grow with the
row count. Strings are inline (no shared-strings table), dates and times are numbers with a date
format, the header row is bold and frozen, columns have widths. About five times faster than a
general-purpose library per cell, which the 100k-learner export needs (issue #9).
"""
import zipfile
from datetime import date, datetime
from decimal import Decimal

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
EPOCH = datetime(1899, 12, 30)  # Excel's day 0 for every date after 1900-02-28
BOLD, DAY, MOMENT = 1, 2, 3  # cell style indexes in STYLES
ROWS_PER_WRITE = 1000
MAX_TEXT = 32767  # the longest text a cell holds

CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" \
Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL}">\
<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{ns}" xmlns:r="{rel}"><bookViews><workbookView/></bookViews>\
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{NS}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
SHEET_START = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{NS}" xmlns:r="{REL_NS}"><sheetViews><sheetView tabSelected="1" \
workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>\
<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>\
<sheetFormatPr defaultRowHeight="15"/>"""
SHEET_END = ('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
             'header="0.3" footer="0.3"/></worksheet>')

# XML escapes, and the characters XML 1.0 cannot hold written the way Excel reads them (_xHHHH_).
ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;",
           **{code: f"_x{code:04X}_" for code in range(32) if code not in (9, 10, 13)}}


def _letters(index):
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def _text(value):
    text = value[:MAX_TEXT].translate(ESCAPES)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def _cell(ref, value):
    """The <c> element of one value (already neutralised), or "" for an empty cell."""
    kind = type(value)
    if kind is int or kind is float:
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if kind is str:
        return f'<c r="{ref}" t="inlineStr">{_text(value)}</c>' if value else ""
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
        return f'<c r="{ref}" s="{MOMENT}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DAY}"><v>{(value - EPOCH.date()).days}</v></c>'
    if isinstance(value, int):
        return _cell(ref, int(value))
    if isinstance(value, (float, Decimal)):
        return _cell(ref, float(value))
    return _cell(ref, str(value))


def write_xlsx(target, sheet, header, rows, widths, prepare):
    """Write an XLSX workbook to the file `target`; `prepare(value)` turns each value of `rows`
    into str, int, float, bool, date, datetime or None (and neutralises formulas)."""
    letters = [_letters(index) for index in range(len(header))]
    name = (sheet[:31].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK.format(ns=NS, rel=REL_NS, name=name))
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            cols = "".join(f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
                           for n, width in enumerate(widths, start=1))
            head = "".join(f'<c r="{letter}1" s="{BOLD}" t="inlineStr">{_text(str(title))}</c>'
                           for letter, title in zip(letters, header))
            part.write(f'{SHEET_START}<cols>{cols}</cols><sheetData><row r="1">{head}</row>'
                       .encode("utf-8"))
            pending = []
            for number, row in enumerate(rows, start=2):
                suffix = str(number)
                cells = "".join([_cell(letter + suffix, prepare(value))
                                 for letter, value in zip(letters, row)])
                pending.append(f'<row r="{suffix}">{cells}</row>')
                if len(pending) >= ROWS_PER_WRITE:
                    part.write("".join(pending).encode("utf-8"))
                    pending.clear()
            part.write(("".join(pending) + SHEET_END).encode("utf-8"))
