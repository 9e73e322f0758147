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

    app.url_map.converters["int"] = DatabaseIntegerConverter  # before any route is added
    settings = load_config(app.instance_path, config)
    app.config.update(flask_settings(settings, app.instance_path))
    init_extensions(app)
    register_blueprints(app)
    register_commands(app)
    from academy.core import assets, chrome, fragments, pagecache, security_log, web

    security_log.init_app(app)
    chrome.init_app(app)
    fragments.init_app(app)
    web.init_app(app)
    assets.init_app(app)
    pagecache.init_app(app)  # last: its hooks run after every other one
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
    from academy.api.account import bp as tokens_bp
    from academy.api.views import bp as api_bp
    from academy.auth.mfa_views import bp as mfa_bp
    from academy.auth.views import bp as auth_bp
    from academy.authoring.views import bp as authoring_bp
    from academy.certificates.views import bp as certificates_bp
    from academy.core.views import bp as core_bp
    from academy.glossary.views import bp as glossary_bp
    from academy.learning.views import bp as learning_bp
    from academy.network.views import bp as network_bp
    from academy.quizzes.views import bp as quizzes_bp
    from academy.reports.views import bp as reports_bp
    from academy.search.views import bp as search_bp
    from academy.sources.views import bp as sources_bp

    for bp in (core_bp, auth_bp, mfa_bp, learning_bp, quizzes_bp, glossary_bp, search_bp,
               sources_bp, admin_bp, network_bp, reports_bp, api_bp, tokens_bp, authoring_bp,
               certificates_bp):
        app.register_blueprint(bp)


def register_commands(app):
    """Attach each feature's CLI group to `academy`."""
    from academy.api.cli import tokens_cli
    from academy.auth.cli import users_cli
    from academy.certificates.cli import certificates_cli
    from academy.core.demo import demo_command
    from academy.core.i18n_cli import i18n_cli
    from academy.courses.cli import courses_cli
    from academy.network.cli import trainers_cli
    from academy.reports.cli import dev_cli, reports_cli
    from academy.search.cli import search_cli
    from academy.core.queue_cli import worker_command

    for command in (users_cli, courses_cli, demo_command, i18n_cli, trainers_cli, dev_cli,
                    reports_cli, tokens_cli, search_cli, certificates_cli, worker_command):
        app.cli.add_command(command)
