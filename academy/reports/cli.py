"""`academy dev seed` and `academy reports export`."""
import time
from datetime import date

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

    if current_app.config["ACADEMY_ENV"] == "production":
        raise click.ClickException("refused: ACADEMY_ENV=production (synthetic data is for development)")
    started = time.perf_counter()
    try:
        counts = seed_learners(count, seed, until.date() if until else None)
    except SeedError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for table, number in counts.items():
        click.echo(f"{table:20} {number:>9}")
    click.echo(f"seeded in {time.perf_counter() - started:.1f} s")


def _date(value):
    return date.fromisoformat(value) if value else None


reports_cli = click.Group("reports", help="Reports and scheduled exports.")
