"""`academy courses …` commands: check, import and export the course library."""
import sys

import click
from flask.cli import AppGroup
from flask_babel import _, ngettext

from academy.courses.parser import parse_library

courses_cli = AppGroup("courses", help="Check, import and export the course library.")


def _print_problems(problems):
    for problem in problems:
        click.echo(str(problem), err=True)


def _counts(problems):
    errors = sum(problem.severity == "error" for problem in problems)
    return errors, len(problems) - errors


@courses_cli.command("check")
@click.argument("path", type=click.Path(path_type=str))
def check_command(path):
    """Validate a course folder or a folder of courses; print every problem."""
    from academy.courses.stats import check_stats
    from academy.sources.index import check_sources

    from academy.courses.specs import Problems

    library, problems = parse_library(path)
    problems = Problems(problems)
    check_stats(library, problems)
    check_sources(library, problems)
    problems.sort(key=lambda problem: (problem.path, problem.line))
    _print_problems(problems)
    errors, warnings = _counts(problems)
    modules = sum(module.kind == "lesson" for course in library.courses
                  for module in course.modules)
    click.echo(", ".join([
        ngettext("%(num)d course", "%(num)d courses", len(library.courses)),
        ngettext("%(num)d module", "%(num)d modules", modules),
        ngettext("%(num)d error", "%(num)d errors", errors),
        ngettext("%(num)d warning", "%(num)d warnings", warnings),
    ]))
    sys.exit(1 if errors else 0)


@courses_cli.command("stats")
@click.argument("path", type=click.Path(path_type=str))
def stats_command(path):
    """Print per course the answer-cue statistics and the scores of guessing strategies."""
    from academy.courses.stats import course_stats, pool_warning, stats_report, stats_warnings

    library, problems = parse_library(path)
    _print_problems(problem for problem in problems if problem.severity == "error")
    warned = False
    for course in library.courses:
        for line in stats_report(course):
            click.echo(line)
        warned = warned or bool(pool_warning(course)) or any(
            stats_warnings(stats) for stats in course_stats(course).values())
    sys.exit(1 if warned else 0)


def _article_order(number):
    return (0, 0) if number == "" else (1, int(number)) if number.isdigit() else (2, 0)


@courses_cli.command("sources")
@click.argument("path", default="courses", type=click.Path(path_type=str))
@click.option("--act", help="A CELEX number, application number or a word of the act's name.")
@click.option("--article", help="An article number, e.g. 68.")
@click.option("--max-age-months", type=click.IntRange(1, 600), default=None,
              help="Flag modules whose valid_as_of is older than this (default 12).")
def sources_command(path, act, article, max_age_months):
    """List the acts and articles the library cites and the modules and questions citing them."""
    from flask import current_app

    from academy.sources.index import index_library

    library, problems = parse_library(path)
    _print_problems(problem for problem in problems if problem.severity == "error")
    index = index_library(library)
    entries = index.select(act, article)
    if not entries:
        click.echo(_("No module cites %(what)s.", what=" ".join(
            part for part in (act, article and f"Art. {article}") if part) or _("any act")))
    for entry in entries:
        click.echo(f"{entry.act.label} [{entry.act.id}] {entry.act.url}")
        for number in sorted(entry.articles, key=_article_order):
            places = {}
            for use in entry.articles[number]:
                where = places.setdefault(use.module.label, [])
                label = _("question %(number)d", number=use.question) if use.question else \
                    (_("sources") if use.where == "sources" else _("text"))
                if label not in where:
                    where.append(label)
            heading = _("Art. %(number)s", number=number) if number else _("the act")
            click.echo(f"  {heading}: " + "; ".join(
                f"{module} ({', '.join(where)})" for module, where in places.items()))
    months = max_age_months or current_app.config.get("ACADEMY_SOURCES_MAX_AGE_MONTHS", 12)
    stale = index.stale(max_age_months=months)
    if stale:
        click.echo(ngettext("%(num)d module is older than %(months)d months (valid_as_of): "
                            "review it", "%(num)d modules are older than %(months)d months "
                            "(valid_as_of): review them", len(stale), months=months))
        for module in stale:
            click.echo(f"  {module.label} ({module.valid_as_of.isoformat()})")


@courses_cli.command("import")
@click.argument("path", type=click.Path(path_type=str))
def import_command(path):
    """Check, then import a course folder or a folder of courses, all or nothing."""
    from sqlalchemy.exc import SQLAlchemyError

    from academy.courses.services import CourseLibraryError, import_library

    try:
        summary = import_library(path)
    except CourseLibraryError as exc:
        _print_problems(exc.problems)
        errors, _warnings = _counts(exc.problems)
        click.echo(ngettext("%(num)d error: nothing was imported.",
                            "%(num)d errors: nothing was imported.", errors), err=True)
        sys.exit(1)
    except SQLAlchemyError as exc:
        click.echo(_("error: the import failed and nothing was written: %(reason)s",
                     reason=str(getattr(exc, "orig", None) or exc).splitlines()[0]), err=True)
        sys.exit(1)
    _print_problems(summary.warnings)
    for line in summary.report_lines():
        click.echo(line)



@courses_cli.command("export")
@click.argument("course")
@click.argument("dest", type=click.Path(file_okay=False, path_type=str))
def export_command(course, dest):
    """Write COURSE (a slug) from the database to DEST/<slug>/ in the library layout."""
    from academy.courses.export import ExportError, export_course

    try:
        written = export_course(course, dest)
    except (ExportError, OSError) as exc:
        click.echo(_("error: %(message)s", message=str(exc)), err=True)
        sys.exit(1)
    click.echo(ngettext("%(num)d file written under %(path)s",
                        "%(num)d files written under %(path)s", len(written), path=dest))


def _course_and_user(slug, email):
    from sqlalchemy import select

    from academy.auth.services import find_user_by_email
    from academy.courses.models import Course
    from academy.extensions import db

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"no course with slug {slug!r}")
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with e-mail {email.strip().lower()}")
    return course, user


@courses_cli.command("assign")
@click.argument("slug")
@click.argument("email")
@click.option("--as", "role", required=True, type=click.Choice(["author", "reviewer"]),
              help="The trainer's part in the course.")
def assign_command(slug, email, role):
    """Assign the trainer EMAIL to the course SLUG as author or reviewer."""
    from academy.courses.assignments import assign
    from academy.extensions import db

    course, user = _course_and_user(slug, email)
    if user.role == "learner":
        raise click.ClickException(f"{user.email} is a learner; make them a trainer first "
                                   "(academy users set-role EMAIL trainer)")
    assign(course, user, role)
    db.session.commit()
    click.echo(f"{user.email} is {role} of {course.slug}")


@courses_cli.command("unassign")
@click.argument("slug")
@click.argument("email")
@click.option("--as", "role", required=True, type=click.Choice(["author", "reviewer"]),
              help="The part to remove.")
def unassign_command(slug, email, role):
    """Remove the trainer EMAIL's assignment to the course SLUG."""
    from academy.courses.assignments import unassign
    from academy.extensions import db

    course, user = _course_and_user(slug, email)
    if not unassign(course, user, role):
        raise click.ClickException(f"{user.email} is not {role} of {course.slug}")
    db.session.commit()
    click.echo(f"{user.email} is no longer {role} of {course.slug}")
