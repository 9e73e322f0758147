"""The authoring panel on the learners' course page, for its authors, reviewers and coordinators.

Registered as a template global by this feature, so that `learning` never imports `authoring`.
"""
from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from academy.authoring import access, services, workspace
from academy.authoring.views import bp


def stale_translations(course) -> list:
    """The modules of `course` whose Russian lags behind the English (the source_hash rule)."""
    stale = []
    for module in course.modules:
        if module.current_version is None and services.open_draft(module) is None:
            continue
        _draft, text_en, text_ru, _token = services.working_texts(module)
        if workspace.translated_from(text_ru) not in (None, workspace.english_hash(text_en)):
            stale.append(module)
    return stale


@bp.app_template_global("authoring_course_panel")
def authoring_course_panel(course) -> Markup:
    """A note with the editor links for people who work on `course`; empty for everyone else."""
    if not current_user.is_authenticated or current_user.role == "learner":
        return Markup("")
    if not (access.can_write(current_user, course) or access.can_review(current_user, course)):
        return Markup("")
    return Markup(render_template("authoring/_course_panel.html", course=course,
                                  stale=stale_translations(course)))
