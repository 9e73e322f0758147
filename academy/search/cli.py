"""`academy search rebuild`: rebuild the index of a library imported before search existed."""
import click
from flask.cli import AppGroup
from flask_babel import _

from academy.extensions import db
from academy.search.index import rebuild_index

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("rebuild")
def rebuild_command():
    """Rebuild the search index from the imported courses and glossary."""
    count = rebuild_index()
    db.session.commit()
    click.echo(_("search index: %(count)d documents", count=count))
