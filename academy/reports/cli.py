"""`academy dev seed`, `academy reports export` and `academy reports rebuild-summary`."""
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from academy.extensions import db

dev_cli = click.Group("dev", help="Development helpers (refused in production).")


@dev_cli.command("seed")
@click.option("--learners", "count", type=int, required=True, help="How many learners to add.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day of the two years of activity (default: today).")
@with_appcontext
def seed_command(count, seed, until):
    """Add realistic synthetic learners, enrolments, attempts and completions."""
    from academy.reports.seed import SeedError, seed_learners
    from academy.reports.summary import rebuild

    if current_app.config["ACADEMY_ENV"] == "production":
        raise click.ClickException("refused: ACADEMY_ENV=production (synthetic data is for development)")
    started = time.perf_counter()
    try:
        counts = seed_learners(count, seed, until.date() if until else None)
    except SeedError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    rebuild()  # the bulk inserts bypass the events that keep the reports' summary current
    db.session.commit()
    for table, number in counts.items():
        click.echo(f"{table:20} {number:>9}")
    click.echo(f"seeded in {time.perf_counter() - started:.1f} s")


reports_cli = click.Group("reports", help="Reports and scheduled exports.")


@reports_cli.command("rebuild-summary")
@with_appcontext
def rebuild_summary_command():
    """Recompute the reports' summary tables from enrolments, completions and certificates."""
    from academy.reports.summary import rebuild

    started = time.perf_counter()
    counts = rebuild()
    db.session.commit()
    click.echo(f"summary rebuilt in {time.perf_counter() - started:.1f} s: "
               + ", ".join(f"{number} {name}" for name, number in counts.items()))


@reports_cli.command("export")
@click.argument("table", type=click.Choice(["learners", "course", "country", "organisation",
                                            "month", "completions"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "excel.csv", "xlsx"]), default="csv",
              show_default=True)
@click.option("--country", default=None, help="ISO code of a state.")
@click.option("--course", default=None, help="Course slug.")
@click.option("--organisation", default=None)
@click.option("--from", "date_from", default=None, help="Enrolled on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="Enrolled on or before (YYYY-MM-DD).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def export_command(table, fmt, country, course, organisation, date_from, date_to, out):
    """Write a report table (all states) to FILE, for scheduled jobs; audited."""
    from academy.core.audit import record_event
    from academy.reports import learners, tables
    from academy.reports.filters import FilterError, Filters, ReportScope
    from academy.reports.services import overview, resolve_course
    from academy.reports.views import export_body

    scope = ReportScope(None, None, True)
    try:
        filters = Filters.parse({"country": country, "course": course, "from": date_from,
                                 "to": date_to, "organisation": organisation})
        resolve_course(filters, scope)
    except FilterError as error:
        raise click.ClickException(str(error)) from None
    if table == "learners":
        (header, rows), threshold = learners.progress_table(scope, filters), 5
    else:
        data = overview(scope, filters)
        header, rows = tables.overview_table(data, table, _all_courses(), "en")
        threshold = data.threshold
    record_event("reports.export", target=table, format=fmt, out=out, **filters.describe())
    db.session.commit()
    count = 0
    with open(out, "wb") as target:
        for chunk in export_body(table, fmt, header, rows, threshold):
            target.write(chunk)
            count += len(chunk)
    click.echo(f"wrote {out} ({count} bytes)")


def _all_courses():
    from sqlalchemy import select

    from academy.courses.models import Course

    return db.session.scalars(select(Course).order_by(Course.slug)).all()
