"""Coordinator pages: list, issue (one or many, with a preview), revoke and re-issue."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from academy.auth.models import User
from academy.auth.scopes import in_scope, scope_clause
from academy.certificates import bulk, services
from academy.certificates.forms import IssueForm, ReissueForm, RevokeForm
from academy.certificates.models import STATUSES, Certificate
from academy.certificates.views import bp
from academy.core.audit import _actor
from academy.core.i18n import current_lang
from academy.core.roles import Role, role_required
from academy.courses.models import Course
from academy.extensions import db

LIST_LIMIT = 200


def _in_scope_or_404(serial):
    certificate = services.latest_revision(serial)
    if certificate is None or not in_scope(current_user, certificate.user):
        abort(404)
    return certificate


@bp.get("/certificates/manage/")
@role_required(Role.COORDINATOR)
def manage():
    """Certificates of the coordinator's learners, newest first, filtered."""
    query = (select(Certificate).join(User, Certificate.user_id == User.id)
             .where(scope_clause(current_user)).order_by(Certificate.issued_at.desc())
             .limit(LIST_LIMIT))
    status, course, term = (request.args.get(k, "").strip() for k in ("status", "course", "q"))
    if status in STATUSES:
        query = query.where(Certificate.status == status)
    if course:
        query = query.where(Certificate.course_slug == course)
    if term:
        like = f"%{term.lower()}%"
        query = query.where(or_(Certificate.serial.ilike(like), User.email.ilike(like),
                                Certificate.name_latin.ilike(like),
                                Certificate.name_cyrillic.ilike(like)))
    courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
    return render_template("certificates/manage.html", certificates=db.session.scalars(query).all(),
                           courses=courses, status=status, course=course, term=term,
                           statuses=STATUSES, limit=LIST_LIMIT)


def _issue_form():
    form = IssueForm()
    form.course.choices = [("", _("Choose a course"))] + [
        (c.slug, c.title(current_lang())) for c in
        db.session.scalars(select(Course).order_by(Course.slug))]
    return form


def _list_text(form):
    text = form.emails.data or ""
    upload = form.csv_file.data
    if upload and getattr(upload, "filename", ""):
        text = "\n".join(filter(None, [text.strip(), bulk.decode_upload(upload.read())]))
    return text


@bp.route("/certificates/manage/issue", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def manage_issue():
    """Preview who gets a certificate, then issue and show the result of every line."""
    form = _issue_form()
    rows, issued = None, False
    if form.validate_on_submit():
        course = db.session.scalar(select(Course).where(Course.slug == form.course.data))
        try:
            text = _list_text(form)
            rows = bulk.parse_list(text)
        except bulk.BulkError as error:
            flash(_("The file is neither UTF-8 nor Windows-1251 text.") if str(error) == "encoding"
                  else _("A list may hold at most %(max)d lines.", max=bulk.MAX_ROWS), "error")
            rows = None
        reason = (form.reason.data or "").strip() if form.without_completion.data else None
        if rows is not None and not rows:
            flash(_("Enter at least one e-mail address."), "error")
            rows = None
        elif rows is not None and form.without_completion.data and not reason:
            form.reason.errors = [_("Give the reason for issuing without completion.")]
            rows = bulk.preview(course, rows, current_user)
        elif rows is not None and request.form.get("action") == "issue":
            rows = bulk.issue_all(course, rows, current_user, _actor(), reason=reason)
            db.session.commit()
            issued = True
        elif rows is not None:
            rows = bulk.preview(course, rows, current_user)
        form.emails.data = text if rows is not None else form.emails.data
    summary = {}
    for row in rows or []:
        summary[row.outcome] = summary.get(row.outcome, 0) + 1
    return render_template("certificates/manage_issue.html", form=form, rows=rows,
                           issued=issued, summary=summary)


@bp.get("/certificates/manage/<serial>/")
@role_required(Role.COORDINATOR)
def manage_detail(serial):
    """Every revision of one certificate, with revoke and re-issue."""
    certificate = _in_scope_or_404(serial)
    revisions = db.session.scalars(select(Certificate).where(Certificate.serial == serial)
                                   .order_by(Certificate.revision.desc())).all()
    return render_template("certificates/manage_detail.html", c=certificate, revisions=revisions,
                           revoke_form=RevokeForm(), reissue_form=ReissueForm())


@bp.post("/certificates/manage/<serial>/revoke")
@role_required(Role.COORDINATOR)
def manage_revoke(serial):
    """Revoke with a reason."""
    certificate = _in_scope_or_404(serial)
    form = RevokeForm()
    if not form.validate_on_submit():
        for error in form.reason.errors:
            flash(error, "error")
        return redirect(url_for("certificates.manage_detail", serial=serial))
    try:
        services.revoke(certificate, form.reason.data)
    except services.CertificateError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("certificates.manage_detail", serial=serial))
    db.session.commit()
    flash(_("Certificate %(serial)s has been revoked.", serial=serial), "success")
    return redirect(url_for("certificates.manage_detail", serial=serial))


@bp.post("/certificates/manage/<serial>/reissue")
@role_required(Role.COORDINATOR)
def manage_reissue(serial):
    """Re-issue with the learner's current profile name."""
    certificate = _in_scope_or_404(serial)
    form = ReissueForm()
    if not form.validate_on_submit():
        for error in form.confirm.errors:
            flash(error, "error")
        return redirect(url_for("certificates.manage_detail", serial=serial))
    try:
        successor = services.reissue(certificate, _actor())
    except services.CertificateError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("certificates.manage_detail", serial=serial))
    db.session.commit()
    flash(_("Certificate %(serial)s has been re-issued as revision %(number)d.",
            serial=serial, number=successor.revision), "success")
    return redirect(url_for("certificates.manage_detail", serial=serial))
