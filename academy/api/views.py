"""The read-only JSON API under /api/v1/: token-authenticated, scoped, suppressed, paginated."""
import base64
import binascii
import hashlib
from functools import wraps

from flask import Blueprint, abort, g, jsonify, make_response, request
from sqlalchemy import and_, select

from academy.api import serializers
from academy.api.openapi import openapi_document
from academy.api.tokens import find_token
from academy.auth.models import User
from academy.certificates.models import Certificate
from academy.core.web import api_error
from academy.courses.models import Course, Module
from academy.extensions import db, limiter
from academy.learning.models import CourseCompletion, Enrolment, ModuleProgress
from academy.reports import learners as learner_reports
from academy.reports.certificates import latest_join
from academy.reports.filters import FilterError, Filters, report_scope
from academy.reports.services import BREAKDOWNS, overview, resolve_course

bp = Blueprint("api", __name__, url_prefix="/api/v1")
RATE_LIMIT = "300 per minute"
MAX_LIMIT = 1000


def _fail(status, message):
    abort(make_response(api_error(status, message), status))


def _token_key():
    # Per token (its hash: the limiter's storage never holds a usable token), else per address.
    header = request.headers.get("Authorization", "")
    if header:
        return "token-" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:32]
    return request.remote_addr or "anonymous"


def token_required(scope_name):
    """Authenticate the bearer token, check its scope, and set g.scope (the ReportScope)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            kind, _, token = header.partition(" ")
            record = find_token(token.strip()) if kind.lower() == "bearer" else None
            if record is None:
                response = make_response(api_error(401, "a valid bearer token is required"), 401)
                response.headers["WWW-Authenticate"] = 'Bearer realm="academy"'
                abort(response)
            if scope_name not in record.scope_list:
                _fail(403, f"this token lacks the {scope_name} scope")
            scope = report_scope(record.user)
            if scope is None:
                _fail(403, "this account has no access to reports")
            g.scope, g.api_user = scope, record.user
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _names_required():
    if not g.scope.names:
        _fail(403, "lists of named learners are for coordinators only")


def _filters():
    try:
        filters = Filters.parse(request.args)
        resolve_course(filters, g.scope)
    except FilterError as error:
        _fail(400, str(error))
    return filters


def _page_args():
    raw_limit = request.args.get("limit", "100")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        _fail(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    cursor = request.args.get("cursor")
    after = 0
    if cursor:
        try:
            after = int(base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode("ascii"))
        except (ValueError, UnicodeError, binascii.Error):
            _fail(400, "invalid cursor")
        if not 0 <= after < 2**63:
            _fail(400, "invalid cursor")
    return int(raw_limit), after


def _page(query, id_column, serialize):
    limit, after = _page_args()
    rows = db.session.execute(query.where(id_column > after).order_by(id_column)
                              .limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = None
    if more:
        cursor = base64.urlsafe_b64encode(str(rows[-1][0]).encode()).decode().rstrip("=")
    return jsonify({"data": [serialize(row) for row in rows], "next_cursor": cursor})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())


@bp.get("/courses")
@token_required("reports:read")
def courses():
    """The courses the token's owner may report on."""
    query = select(Course.id, Course)
    if g.scope.course_ids is not None:
        query = query.where(Course.id.in_(sorted(g.scope.course_ids)))
    return _page(query, Course.id, serializers.course)


@bp.get("/learners")
@token_required("reports:read")
def learners():
    """Learners in scope, each with their country."""
    _names_required()
    filters = _filters()
    query = select(User.id, User).where(User.role == "learner",
                                        g.scope.clause_for_users(), filters.user_clause())
    return _page(query, User.id, serializers.learner)


def _enrolment_query(*columns):
    return (select(*columns).select_from(Enrolment).join(User, User.id == Enrolment.user_id)
            .join(Course, Course.id == Enrolment.course_id)
            .where(g.scope.clause(), _filters().clause()))


@bp.get("/enrolments")
@token_required("reports:read")
def enrolments():
    """Enrolments in scope: learner, course, dates, started, completed."""
    _names_required()
    query = _enrolment_query(Enrolment.id, Enrolment, Course.slug, CourseCompletion.completed_at) \
        .outerjoin(CourseCompletion, and_(CourseCompletion.user_id == Enrolment.user_id,
                                          CourseCompletion.course_id == Enrolment.course_id))
    return _page(query, Enrolment.id, serializers.enrolment)


@bp.get("/progress")
@token_required("reports:read")
def progress():
    """Module progress in scope: opened, best score, completed."""
    _names_required()
    query = (_enrolment_query(ModuleProgress.id, ModuleProgress, Course.slug, Module.slug)
             .join(ModuleProgress, ModuleProgress.user_id == Enrolment.user_id)
             .join(Module, and_(Module.id == ModuleProgress.module_id,
                                Module.course_id == Enrolment.course_id)))
    return _page(query, ModuleProgress.id, serializers.progress)


@bp.get("/completions")
@token_required("reports:read")
def completions():
    """Course completions in scope."""
    _names_required()
    query = _enrolment_query(CourseCompletion.id, CourseCompletion, Course.slug).join(
        CourseCompletion, and_(CourseCompletion.user_id == Enrolment.user_id,
                               CourseCompletion.course_id == Enrolment.course_id))
    return _page(query, CourseCompletion.id, serializers.completion)


@bp.get("/certificates")
@token_required("certificates:read")
def certificates():
    """Certificates (newest revision of each) of enrolments in scope."""
    _names_required()
    query = _enrolment_query(Certificate.id, Certificate).join(Certificate, latest_join())
    return _page(query, Certificate.id, serializers.certificate)


@bp.get("/reports/overview")
@token_required("reports:read")
def report_overview():
    """The overview's totals and one breakdown, suppressed as on the page."""
    breakdown = request.args.get("breakdown", "course")
    if breakdown not in (*BREAKDOWNS, "completions"):
        _fail(400, "breakdown must be one of: " + ", ".join((*BREAKDOWNS, "completions")))
    filters = _filters()
    data = overview(g.scope, filters)
    return jsonify(serializers.overview(data, breakdown, filters))


@bp.get("/learners/<int:user_id>/transcript")
@token_required("reports:read")
def transcript(user_id):
    """A learner's transcript; 404 outside the token owner's scope."""
    learner = learner_reports.learner_in_scope(g.scope, user_id)
    if learner is None:
        _fail(404, "no such learner in your scope")
    records = learner_reports.transcript(g.scope, learner)
    return jsonify(serializers.transcript(learner, records))


limiter.limit(RATE_LIMIT, key_func=_token_key)(bp)
