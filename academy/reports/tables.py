"""Labels, filter choices and export tables built from an Overview."""
import calendar
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from academy.auth.models import User
from academy.core.countries import PRAGUE_PROCESS_STATES, country_name
from academy.extensions import db
from academy.reports.suppression import COMPLEMENTARY, SMALL

MEASURE_LABELS = {"enrolled": _l("Enrolled"), "started": _l("Started"),
                  "completed": _l("Completed the course")}
OVERVIEW_TABLES = {"course": "course", "country": "country", "organisation": "organisation",
                   "month": "month", "completions": "completions"}
OVERVIEW_HEADER = ("key", "label", "enrolled", "started", "completed", "completion_rate_percent",
                   "median_days_to_complete", "valid_certificates")


def cell_text(cell, threshold):
    """A Cell as the page shows it: the number, "< 5", or "hidden"."""
    if cell.hidden == SMALL:
        return f"< {threshold}"
    if cell.hidden == COMPLEMENTARY:
        return str(_l("hidden"))
    return f"{cell.value:,}".replace(",", "\u202f")


def labels(courses, lang):
    """Breakdown name -> function(key) -> the text shown for that key."""
    titles = {str(c.id): c.title(lang) for c in courses}
    slugs = {str(c.id): c.slug for c in courses}
    return {"course": lambda key: titles.get(key, key),
            "course_slug": lambda key: slugs.get(key, key),
            "country": lambda key: country_name(key, lang),
            "organisation": lambda key: key or str(_l("(none given)")),
            "month": lambda key: key}


def country_options(scope, lang):
    """(code, name) of the countries the scope may filter by, sorted by name."""
    codes = PRAGUE_PROCESS_STATES + ("other",) if scope.countries is None else scope.countries
    return sorted(((c, country_name(c, lang)) for c in codes), key=lambda item: item[1])


def organisation_options(scope):
    """The organisations of learners in the scope's countries (distinct, sorted)."""
    query = select(User.organisation).where(User.organisation != "").distinct().order_by(
        User.organisation)
    if scope.countries is not None:
        query = query.where(User.country.in_(sorted(scope.countries)))
    return db.session.scalars(query.limit(2000)).all()


def drill_args(filters, **extra):
    """Query arguments of a drill-down link: the page's filters narrowed to one row."""
    args = filters.args()
    args.update({k: v for k, v in extra.items() if v is not None})
    return args


def month_to_range(args):
    """Drill-down args with `month=YYYY-MM` turned into a from/to range within it."""
    args = args.to_dict() if hasattr(args, "to_dict") else dict(args)
    month = args.pop("month", None)
    if month:
        try:
            year, number = (int(part) for part in month.split("-"))
            first = date(year, number, 1)
            last = date(year, number, calendar.monthrange(year, number)[1])
        except ValueError:
            return args
        start = max(first, date.fromisoformat(args["from"])) if _iso(args.get("from")) else first
        end = min(last, date.fromisoformat(args["to"])) if _iso(args.get("to")) else last
        args["from"], args["to"] = start.isoformat(), end.isoformat()
    return args


def _iso(value):
    try:
        date.fromisoformat(value or "")
    except ValueError:
        return False
    return True


def overview_table(data, table, courses, lang):
    """(header, rows) of one overview table for export, its total last."""
    names = labels(courses, lang)
    if table == "completions":
        rows = [(row["key"], row["key"], None, None, row["completed"], None, None, None)
                for row in data.completions]
        return OVERVIEW_HEADER, rows
    rows = []
    for row in data.tables[table]:
        key = names["course_slug"](row["key"]) if table == "course" else row["key"]
        rows.append((key, names[table](row["key"]), row["enrolled"], row["started"],
                     row["completed"], row["rate"], row["median_days"], row["certificates"]))
    totals = data.totals
    rows.append(("total", str(_l("Total")), totals["enrolled"], totals["started"],
                 totals["completed"], totals["rate"], totals["median_days"],
                 totals["certificates"]))
    return OVERVIEW_HEADER, rows
