"""The `academy` console script: a Flask CLI group with the platform's commands."""
from flask.cli import FlaskGroup

from academy import create_app


def main():
    """Entry point of the `academy` console script."""
    cli = FlaskGroup(create_app=create_app, add_version_option=False, load_dotenv=False,
                     help="Prague Process Training Academy.")
    cli.main(prog_name="academy")


if __name__ == "__main__":
    main()
