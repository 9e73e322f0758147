"""`academy worker`: the consumer of the background queue (run it beside gunicorn)."""
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from academy.core.queue import consumer_for, prune_markers, queue_of, recover_interrupted


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Tasks run at the same time (threads).")
@with_appcontext
def worker_command(workers):
    """Run the background queue: mail, and the bulk work other features enqueue."""
    app = current_app._get_current_object()
    if queue_of(app).huey.immediate:
        raise click.ClickException("ACADEMY_QUEUE=immediate runs tasks at once; "
                                   "there is nothing for a worker to do")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    prune_markers(app)
    recovered = recover_interrupted(app)
    if recovered:
        click.echo(f"re-enqueued {recovered} task(s) interrupted by a stopped worker", err=True)
    consumer_for(app, workers).run()
