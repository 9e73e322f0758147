"""Academy: the e-learning platform of the Prague Process Training Academy."""
from pathlib import Path

from flask import Flask

from academy.config import flask_settings, load_config
from academy.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config=None):
    """Build the Flask application; touches no database, network or terminal."""
    app = Flask(__name__, instance_relative_config=True)
    settings = load_config(app.instance_path, config)
    app.config.update(flask_settings(settings, app.instance_path))
    init_extensions(app)
    register_blueprints(app)
    register_commands(app)
    from academy.core import assets, web

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


def register_blueprints(app):
    """Register every feature's blueprint."""
    from academy.auth.views import bp as auth_bp
    from academy.certificates.views import bp as certificates_bp
    from academy.core.views import bp as core_bp
    from academy.glossary.views import bp as glossary_bp
    from academy.learning.views import bp as learning_bp
    from academy.quizzes.views import bp as quizzes_bp

    for bp in (core_bp, auth_bp, learning_bp, quizzes_bp, glossary_bp, certificates_bp):
        app.register_blueprint(bp)


def register_commands(app):
    """Attach each feature's CLI group to `academy`."""
    from academy.auth.cli import users_cli
    from academy.certificates.cli import certificates_cli
    from academy.core.demo import demo_command
    from academy.core.i18n_cli import i18n_cli
    from academy.courses.cli import courses_cli

    for command in (users_cli, courses_cli, demo_command, i18n_cli, certificates_cli):
        app.cli.add_command(command)
