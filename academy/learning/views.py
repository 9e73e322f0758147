"""Catalogue, course and module pages, enrolment, "mark as done" and the learner's dashboard."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.certificates.services import current_certificate
from academy.core.database import begin_writing
from academy.core.i18n import current_lang
from academy.core.pagecache import keep_page, keepable
from academy.extensions import db
from academy.learning import outline, services
from academy.learning.catalogue import (CatalogueFilters, all_courses, area_title,
                                       catalogue_by_area, filter_options)
from academy.learning.player import player_bar
from academy.learning.progress import (completed_module_ids, course_progress,
                                       dashboard_enrolments, progress_for_courses,
                                       progress_rows)
from academy.learning.resume import resume_module
from academy.quizzes import services as quizzes

bp = Blueprint("learning", __name__)


def _user_id():
    return current_user.id if current_user.is_authenticated else None


def _course_or_404(slug):
    return services.get_course(slug) or abort(404)


def _module_or_404(course, module_slug):
    return services.get_module(course, module_slug) or abort(404)


def _enrolled_module(slug, module_slug):
    """(course, module, the signed-in learner's enrolment or None with a flashed hint)."""
    course = _course_or_404(slug)
    module = _module_or_404(course, module_slug)
    enrolment = services.get_enrolment(current_user.id, course.id)
    if enrolment is None:
        flash(_("Enrol in the course to study its modules."), "error")
    return course, module, enrolment


@bp.get("/courses/")
@keepable
def catalogue():
    """Courses by thematic area with the learner's progress; ?area=, ?lang=, ?duration= filter."""
    filters = CatalogueFilters.from_args(request.args)
    courses = all_courses()  # one read for the filters' areas and the cards
    keep_page()
    return render_template("learning/catalogue.html", filters=filters,
                           filter_options=filter_options(courses),
                           groups=catalogue_by_area(_user_id(), filters, courses))


@bp.get("/courses/<slug>/")
@keepable
def course(slug):
    """A course: summary, facts, modules with their status and the enrolment button."""
    course, enrolment, completion = services.learner_course(slug, _user_id()) or abort(404)
    modules = services.course_modules(course)
    user_id = enrolment.user_id if enrolment else None
    rows = progress_rows(user_id, modules)
    progress = course_progress(user_id, course, modules, rows,
                                        completion if enrolment else None)
    resume = None
    if enrolment is not None:
        statuses = progress.lessons + ([progress.final] if progress.final else [])
        done = {s.module.id for s in statuses if s.state == services.COMPLETED}
        resume = resume_module(enrolment.last_module_id, modules, done)
    reached = rows.get(resume.id) if resume else None
    certificate = (current_certificate(enrolment.user_id, course.id)
                   if enrolment is not None and progress.completion else None)
    keep_page()
    return render_template("learning/course.html", course=course, enrolment=enrolment,
                           progress=progress, resume=resume, certificate=certificate,
                           resume_anchor=reached.last_section if reached else None,
                           area=area_title(course.thematic_area))


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug):
    """One-click enrolment."""
    course = _course_or_404(slug)
    _enrolment, created = services.enrol(current_user.id, course)
    db.session.commit()
    if created:
        flash(_("You are enrolled. Start with the first module."), "success")
    else:
        flash(_("You are already enrolled in this course."), "info")
    return redirect(url_for("learning.course", slug=course.slug))


@bp.get("/courses/<slug>/<module_slug>/")
@keepable
@login_required
def module(slug, module_slug):
    """A module's text in the reader's language, its quiz entry or the "mark as done" button."""
    course, enrolment, completion = services.learner_course(slug, current_user.id) or abort(404)
    module = services.outline_module(course, module_slug) or abort(404)
    if enrolment is None:
        flash(_("Enrol in the course to study its modules."), "error")
        return redirect(url_for("learning.course", slug=course.slug))
    modules = services.course_modules(course)
    rows = progress_rows(current_user.id, modules)
    progress = rows.get(module.id)
    writes = services.opening_writes(enrolment, module, progress)
    if writes:
        # Only a first opening, a new version or a due activity stamp writes: take the write
        # lock first, then read the rows to change again.
        begin_writing()
        enrolment = services.get_enrolment(current_user.id, course.id)
        progress = rows[module.id] = services.record_module_opened(enrolment, module, force=True)
    lang = current_lang()
    content = outline.module_text(module.current_version_id, lang)
    previous, following = services.neighbours(modules, module)
    quiz = quizzes.quiz_summary(current_user.id, module, course)
    page = render_template(
        "learning/module.html", course=course, module=module, content=content,
        fallback=content.lang != lang, progress=progress,
        question_count=services.question_count(module), quiz=quiz,
        previous=previous, following=following,
        bar=player_bar(current_user.id, course, module, modules, rows, completion, content))
    if writes:
        db.session.commit()  # once, at the end of the request
    else:
        # Kept until the activity stamp is due again (the view writes it then), or the quiz's
        # next attempt opens.
        keep_page(min(filter(None, (services.activity_due(enrolment), quiz.next_start_at))))
    return page


@bp.post("/courses/<slug>/<module_slug>/done")
@login_required
def mark_done(slug, module_slug):
    """Complete a module that has no questions."""
    course, module, enrolment = _enrolled_module(slug, module_slug)
    if enrolment is None:
        return redirect(url_for("learning.course", slug=course.slug))
    try:
        completion = services.mark_module_done(enrolment, module)
    except services.LearningError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("learning.module", slug=course.slug, module_slug=module.slug))
    db.session.commit()
    flash(_("Module completed."), "success")
    if completion is not None:
        flash(_("Congratulations! You have completed the course."), "success")
    return redirect(url_for("learning.module", slug=course.slug, module_slug=module.slug))


@bp.get("/dashboard")
@keepable
@login_required
def dashboard():
    """The learner's courses with progress bars, where to resume, and completed courses."""
    enrolments = dashboard_enrolments(current_user.id)
    done = completed_module_ids(current_user.id)
    counts = progress_for_courses(current_user.id, [e.course for e in enrolments], done)
    in_progress = [e for e in enrolments if counts[e.course_id].completed_at is None]
    completed = sorted((e for e in enrolments if counts[e.course_id].completed_at is not None),
                       key=lambda e: counts[e.course_id].completed_at, reverse=True)
    resume = {e.course_id: resume_module(e.last_module_id, services.course_modules(e.course),
                                         done)
              for e in in_progress}
    keep_page()
    return render_template("learning/dashboard.html", in_progress=in_progress,
                           completed=completed, counts=counts, resume=resume)


from academy.learning import history, media, player_views  # noqa: E402,F401  (their routes join this blueprint)
