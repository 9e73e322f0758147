"""`academy demo`: a working site for a newcomer, in one command."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from academy.core.roles import Role
from academy.extensions import db

DEFAULT_COURSES = Path(__file__).resolve().parents[2] / "courses"

DEMO_ACCOUNTS = [
    (Role.LEARNER, "learner@demo.academy", "demo-learner-pass", "Olena Kovalenko", "UA"),
    (Role.TRAINER, "trainer@demo.academy", "demo-trainer-pass", "Giorgi Beridze", "GE"),
    (Role.COORDINATOR, "coordinator@demo.academy", "demo-coordinator-pass", "Aigerim Sadykova", "KZ"),
    (Role.ADMIN, "admin@demo.academy", "demo-admin-pass", "Academy Administrator", "other"),
]

# (organisation, position) of each demo account, so that a newcomer sees a realistic profile.
DEMO_ORGANISATIONS = {
    "learner@demo.academy": ("State Migration Service of Ukraine", "Senior specialist, asylum unit"),
    "trainer@demo.academy": ("Border Police of Georgia", "Training officer"),
    "coordinator@demo.academy": ("Prague Process Secretariat (ICMPD)", "Training Academy coordinator"),
    "admin@demo.academy": ("Prague Process Secretariat (ICMPD)", "Platform operator"),
}
# The demo learner completed the first course and is half-way through the second.
DEMO_COMPLETED_COURSE = "non-refoulement"
DEMO_IN_PROGRESS_COURSE = "asylum-procedures"


def ensure_demo_accounts():
    """Create the demo accounts that are missing and reset their passwords; return the table rows."""
    from academy.auth import passwords
    from academy.auth.services import create_user, find_user_by_email

    for role, email, password, name, country in DEMO_ACCOUNTS:
        user = find_user_by_email(email)
        organisation, position = DEMO_ORGANISATIONS.get(email, ("", ""))
        if user is None:
            create_user(email=email, password=password, role=role.value, confirmed=True,
                        name_latin=name, country=country, organisation=organisation,
                        position=position)
        else:
            user.organisation = user.organisation or organisation
            user.position = user.position or position
            user.role = role.value
            user.active = True
            if not user.password_hash or not passwords.verify_password(user.password_hash, password):
                user.password_hash = passwords.hash_password(password)
    db.session.commit()
    seed_demo_learning(DEMO_ACCOUNTS[0][1])
    return [(role.value, email, password) for role, email, password, _name, _c in DEMO_ACCOUNTS]


def _pass_module(user_id, module, course):
    """Open the module and pass its quiz with the right answers (or mark it done)."""
    from academy.courses.models import Option
    from academy.learning import services as learning
    from academy.quizzes import grading
    from academy.quizzes import services as quizzes

    enrolment = learning.get_enrolment(user_id, course.id)
    learning.record_module_opened(enrolment, module)
    if not learning.question_count(module):
        learning.mark_module_done(enrolment, module)
        return
    attempt = quizzes.start_attempt(user_id, module, course, "en")
    correct = {option.id for option in db.session.scalars(db.select(Option).where(
        Option.id.in_([i for item in attempt.layout for i in item["option_ids"]]),
        Option.is_correct.is_(True)))}
    grading.submit_attempt(attempt, {item["question_id"]: set(item["option_ids"]) & correct
                                     for item in attempt.layout})


def seed_demo_learning(email):
    """Give the demo learner a living dashboard: one course completed, one in progress.

    Only once: a learner who already has enrolments is left as they are.
    """
    from academy.auth.services import find_user_by_email
    from academy.learning import services as learning
    from academy.learning.models import Enrolment

    user = find_user_by_email(email)
    if user is None or db.session.scalar(db.select(Enrolment.id).where(Enrolment.user_id == user.id)):
        db.session.rollback()  # end the read transaction: SQLite begins every one IMMEDIATE
        return
    completed = learning.get_course(DEMO_COMPLETED_COURSE)
    in_progress = learning.get_course(DEMO_IN_PROGRESS_COURSE)
    if completed is not None:
        learning.enrol(user.id, completed)
        for module in learning.course_modules(completed):
            _pass_module(user.id, module, completed)
    if in_progress is not None:
        learning.enrol(user.id, in_progress)
        lessons = [m for m in learning.course_modules(in_progress) if m.kind == "lesson"]
        for module in lessons[:2]:
            _pass_module(user.id, module, in_progress)
        if len(lessons) > 2:
            enrolment = learning.get_enrolment(user.id, in_progress.id)
            progress = learning.record_module_opened(enrolment, lessons[2])
            progress.last_section = None
    db.session.commit()


def prepare_demo(courses_path=DEFAULT_COURSES):
    """Migrate the database, import the course library, ensure demo accounts."""
    from academy.courses.services import CourseLibraryError, import_library

    if current_app.config["ACADEMY_ENV"] == "production":
        raise click.ClickException("academy demo refuses to run with ACADEMY_ENV=production")
    upgrade()
    try:
        summary = import_library(courses_path)
    except CourseLibraryError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the course library has errors; nothing was imported") from error
    from academy.certificates.keys import ensure_key

    ensure_key()  # the certificate signing key, in the instance folder, on first run
    rows = ensure_demo_accounts()
    assign_demo_trainer()
    return summary, rows


def assign_demo_trainer():
    """Make the demo trainer an author of every course, so that /author/ has work to show."""
    from academy.auth.services import find_user_by_email
    from academy.courses.assignments import assign, is_assigned
    from academy.courses.models import Course

    trainer = find_user_by_email("trainer@demo.academy")
    for course in db.session.scalars(db.select(Course)):
        if trainer is not None and not is_assigned(trainer, course, "author"):
            assign(course, trainer, "author")
    db.session.commit()


def demo_base_url(configured, host, port):
    """The base URL for links in e-mails: the configured one, else the address being served.

    With the default left in place, a demo on another port would mail confirmation links
    that lead nowhere.
    """
    from academy.config import DEFAULTS

    if configured != DEFAULTS["BASE_URL"]:
        return configured
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-serve", is_flag=True, help="Prepare everything but do not start the server.")
@with_appcontext
def demo_command(host, port, no_serve):
    """Migrate, import courses/, ensure one demo account per role, and serve the site."""
    summary, accounts = prepare_demo()
    click.echo(f"Course library imported: {summary}")
    click.echo("")
    click.echo(f"{'role':<12} {'e-mail':<28} password")
    for role, email, password in accounts:
        click.echo(f"{role:<12} {email:<28} {password}")
    click.echo("")
    if no_serve:
        return
    current_app.config["ACADEMY_BASE_URL"] = demo_base_url(
        current_app.config["ACADEMY_BASE_URL"], host, port)
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl+C to stop)")
    # A production WSGI server (not werkzeug's development one) that names no software or
    # version in its answers: ident="" leaves the Server header out.
    from waitress import serve

    from academy.core.queue import start_in_process, stop_in_process

    app = current_app._get_current_object()
    start_in_process(app)  # one queue consumer on threads of this process: the demo mails
    try:
        serve(app, host=host, port=port, ident="", threads=8)
    finally:
        stop_in_process(app)
