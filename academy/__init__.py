"""Academy: the e-learning platform of the Prague Process Training Academy."""
from pathlib import Path

from flask import Flask

from academy.config import flask_settings, load_config
from academy.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config=None):
    """Build the Flask application; touches no database, network or terminal."""
    app = Flask(__name__, instance_relative_config=True)
    from academy.core.web import DatabaseIntegerConverter

    app.url_map.converters["int"] = DatabaseIntegerConverter  # before any route is added  # before any route is added
    settings = load_config(app.instance_path, config)
    app.config.update(flask_settings(settings, app.instance_path))
    init_extensions(app)
    register_blueprints(app)
    register_commands(app)
    from academy.core import assets, security_log, web

    security_log.init_app(app)
    web.init_app(app)
    assets.init_app(app)
    return app


def init_extensions(app):
    """Bind the unbound extensions of academy.extensions to this app."""
    from academy.core import database, i18n

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    compress.init_app(app)
    from academy.core import queue

    queue.init_app(app)


def register_blueprints(app):
    """Register every feature's blueprint."""
    from academy.admin.views import bp as admin_bp
    from academy.auth.mfa_views import bp as mfa_bp
    from academy.auth.views import bp as auth_bp
    from academy.core.views import bp as core_bp
    from academy.glossary.views import bp as glossary_bp
    from academy.learning.views import bp as learning_bp
    from academy.network.views import bp as network_bp
    from academy.quizzes.views import bp as quizzes_bp
    from academy.sources.views import bp as sources_bp

    for bp in (core_bp, auth_bp, mfa_bp, learning_bp, quizzes_bp, glossary_bp, sources_bp,
               admin_bp, network_bp):
        app.register_blueprint(bp)
    from academy.search.views import bp as search_bp
    app.register_blueprint(search_bp)


def register_commands(app):
    """Attach each feature's CLI group to `academy`."""
    from academy.auth.cli import users_cli
    from academy.core.demo import demo_command
    from academy.core.i18n_cli import i18n_cli
    from academy.courses.cli import courses_cli
    from academy.network.cli import trainers_cli

    for command in (users_cli, courses_cli, demo_command, i18n_cli, trainers_cli):
        app.cli.add_command(command)
    from academy.search.cli import search_cli
    app.cli.add_command(search_cli)
    from academy.core.queue_cli import worker_command
    app.cli.add_command(worker_command)
