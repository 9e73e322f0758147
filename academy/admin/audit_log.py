"""The audit-log page's query and its CSV export (safe against spreadsheet formula injection)."""
import csv
import io
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from academy.core.audit import AuditEvent
from academy.extensions import db

CSV_COLUMNS = ("at", "actor", "action", "target", "details", "ip")
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
EXPORT_LIMIT = 100_000


def parse_day(text):
    """A date from YYYY-MM-DD, or None for an empty or malformed value."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def event_query(actor="", action="", day_from=None, day_to=None):
    """The SELECT of audit events matching the filters, newest first."""
    query = select(AuditEvent)
    if actor.strip():
        needle = actor.strip()[:300].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEvent.actor.ilike(f"%{needle}%", escape="\\"))
    if action:
        query = query.where(AuditEvent.action == action)
    if day_from is not None:
        query = query.where(AuditEvent.at >= datetime.combine(day_from, time(), timezone.utc))
    if day_to is not None:
        query = query.where(AuditEvent.at < datetime.combine(day_to + timedelta(days=1), time(),
                                                             timezone.utc))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def known_actions():
    """Every action name in the log, for the filter's choices."""
    query = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(query))


def safe_cell(value):
    """The value as text, prefixed with ' when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def details_text(details):
    """The event's details as `key: value` pairs, before/after shown as `old → new`."""
    details = dict(details or {})
    parts = []
    if "old" in details or "new" in details:
        parts.append(f"{details.pop('old', '')} → {details.pop('new', '')}")
    parts.extend(f"{key}: {value}" for key, value in sorted(details.items()))
    return "; ".join(parts)


def export_csv(query):
    """The events of `query` as CSV text (UTF-8 with BOM so spreadsheets read Cyrillic)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for event in db.session.scalars(query.limit(EXPORT_LIMIT)):
        writer.writerow([safe_cell(value) for value in (
            event.at.isoformat() if event.at else "", event.actor, event.action, event.target,
            details_text(event.details), event.ip)])
    return buffer.getvalue()
