"""`academy courses …` commands."""
import click

courses_cli = click.Group("courses", help="Check and import the course library.")
