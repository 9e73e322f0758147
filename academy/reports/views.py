"""Report pages: overview, drill-down lists, transcripts, and their exports."""
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import (Blueprint, Response, abort, render_template, request, stream_with_context,
                   url_for)
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from academy.core.audit import record_event
from academy.core.countries import country_name
from academy.courses.models import Course
from academy.extensions import db
from academy.reports import charts, learners, tables
from academy.reports.certificates import learner_certificates
from academy.reports.filters import FilterError, Filters, report_scope
from academy.reports.services import overview, resolve_course
from academy.reports.writers import FORMATS, csv_chunks, xlsx_chunks

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _lang():
    return str(get_locale() or "en")


def _scope():
    scope = report_scope(current_user)
    if scope is None:
        abort(403)
    return scope


def _filters(scope, args=None):
    """Parsed, resolved filters, or a 400 page naming the problem."""
    try:
        filters = Filters.parse(args or request.args)
        resolve_course(filters, scope)
    except FilterError as error:
        abort(Response(render_template("reports/bad_filter.html", message=str(error)), 400))
    return filters


def _courses(scope):
    query = select(Course).order_by(Course.slug)
    if scope.course_ids is not None:
        query = query.where(Course.id.in_(sorted(scope.course_ids)))
    return db.session.scalars(query).all()


@bp.get("/")
@login_required
def overview_page():
    """The overview of the user's scope, with filters, charts and breakdown tables."""
    scope = _scope()
    filters = _filters(scope)
    lang = _lang()
    courses = _courses(scope)
    data = overview(scope, filters)
    labels = tables.labels(courses, lang)
    funnel = charts.horizontal([(tables.MEASURE_LABELS[m], data.totals[m].shown(),
                                 tables.cell_text(data.totals[m], data.threshold))
                                for m in ("enrolled", "started", "completed")])
    monthly = charts.columns([(row["key"], row["completed"].shown(),
                               tables.cell_text(row["completed"], data.threshold))
                              for row in data.completions])
    by_country = charts.horizontal([(labels["country"](row["key"]), row["completed"].shown(),
                                     tables.cell_text(row["completed"], data.threshold))
                                    for row in sorted(data.tables["country"],
                                                      key=lambda r: -(r["completed"].shown() or 0))[:10]])
    return render_template(
        "reports/overview.html", data=data, filters=filters, labels=labels, courses=courses,
        countries=tables.country_options(scope, lang),
        organisations=tables.organisation_options(scope), funnel=funnel, monthly=monthly,
        by_country=by_country, names=scope.names, cell_text=tables.cell_text,
        drill=_drill_links(filters))


def _drill_links(filters):
    """A cheap link maker for the many numbers of a page: url_for once, then urlencode."""
    base = url_for("reports.drilldown_page")

    def link(**extra):
        return base + "?" + urlencode(tables.drill_args(filters, **extra))
    return link


@bp.get("/learners")
@login_required
def drilldown_page():
    """The learners behind a number: coordinators only, audited."""
    scope = _scope()
    if not scope.names:
        abort(403)
    args = tables.month_to_range(request.args)
    filters = _filters(scope, args)
    status = request.args.get("status", "enrolled")
    if status not in learners.STATUSES:
        status = "enrolled"
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    # Committed first: a commit after the query would expire the rows the page renders.
    record_event("reports.drilldown", target=status, page=page, **filters.describe())
    db.session.commit()
    rows, more = learners.drilldown(scope, filters, status, page)
    return render_template("reports/drilldown.html", rows=rows, more=more, page=page,
                           status=status, filters=filters, lang=_lang(),
                           country_name=country_name)


@bp.get("/learners/<int:user_id>")
@login_required
def transcript_page(user_id):
    """A learner's transcript; 404 when the learner is outside the viewer's scope."""
    scope = _scope()
    learner = learners.learner_in_scope(scope, user_id)
    if learner is None:
        abort(404)
    record_event("reports.transcript", target=learner.email)
    db.session.commit()
    records = learners.transcript(scope, learner)
    certificates = learner_certificates(learner.id, scope.course_ids)
    return render_template("reports/transcript.html", learner=learner, records=records,
                           certificates=certificates,
                           lang=_lang(), country_name=country_name,
                           generated=datetime.now(UTC))


def export_body(name, fmt, header, rows, threshold):
    """The chunks of an export in `fmt` (csv, excel.csv or xlsx)."""
    if fmt == "xlsx":
        return xlsx_chunks(header, rows, threshold, sheet=name)
    return csv_chunks(header, rows, excel=fmt == "excel.csv", threshold=threshold)


def _download(name, fmt, header, rows, threshold):
    mimetype, extension = FORMATS[fmt]
    body = export_body(name, fmt, header, rows, threshold)
    filename = f"academy-{name}-{datetime.now(UTC):%Y%m%d}.{extension}"
    return Response(stream_with_context(body), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def _format():
    fmt = request.args.get("format", "csv")
    if fmt == "excel":
        fmt = "excel.csv"
    if fmt not in FORMATS:
        abort(400)
    return fmt


@bp.get("/export/<table>")
@login_required
def export(table):
    """A report table as CSV or XLSX, streamed; audited."""
    scope = _scope()
    fmt = _format()
    filters = _filters(scope)
    if table == "learners":
        if not scope.names:
            abort(403)
        (header, rows), threshold = learners.progress_table(scope, filters), 5
    elif table in tables.OVERVIEW_TABLES:
        data = overview(scope, filters)
        header, rows = tables.overview_table(data, table, _courses(scope), _lang())
        threshold = data.threshold
    else:
        abort(404)
    record_event("reports.export", target=table, format=fmt, **filters.describe())
    db.session.commit()
    return _download(table, fmt, header, rows, threshold)


@bp.get("/learners/<int:user_id>/export")
@login_required
def export_transcript(user_id):
    """A learner's transcript as CSV or XLSX; audited; 404 outside the scope."""
    scope = _scope()
    fmt = _format()
    learner = learners.learner_in_scope(scope, user_id)
    if learner is None:
        abort(404)
    record_event("reports.export", target=f"transcript:{learner.email}", format=fmt)
    db.session.commit()
    records = learners.transcript(scope, learner)
    return _download("transcript", fmt, learners.TRANSCRIPT_HEADER,
                     list(learners.transcript_rows(records, _lang())), 5)
