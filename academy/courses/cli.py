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
    library, problems = parse_library(path)
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

