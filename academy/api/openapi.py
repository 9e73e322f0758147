"""The OpenAPI 3.1 document of /api/v1 (a test runs schemathesis against the app with it)."""
from academy.core.countries import PRAGUE_PROCESS_STATES
from academy.reports.services import BREAKDOWNS

TIME = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_INT = {"type": ["integer", "null"]}
COUNT = {"oneOf": [{"type": "integer", "minimum": 0},
                   {"type": "string", "pattern": "^(< [0-9]+|hidden)$"}],
         "description": "A count of people; \"< 5\" when small, \"hidden\" when it would let a "
                        "small count be worked out from a total (complementary suppression)."}


def _obj(properties, required=None):
    return {"type": "object", "properties": properties,
            "required": required if required is not None else list(properties)}


SCHEMAS = {
    "Error": _obj({"error": _obj({"status": {"type": "integer"}, "code": {"type": "string"},
                                  "message": {"type": "string"}})}),
    "Course": _obj({"id": {"type": "integer"}, "slug": {"type": "string"},
                    "title": _obj({"en": {"type": "string"}, "ru": {"type": "string"}}),
                    "thematic_area": {"type": "string"}, "pass_mark": {"type": "integer"},
                    "content_version": {"type": "integer"}}),
    "Learner": _obj({"id": {"type": "integer"}, "name_latin": {"type": "string"},
                     "name_cyrillic": {"type": "string"}, "email": {"type": "string"},
                     "country": {"type": "string"}, "organisation": {"type": "string"},
                     "language": {"type": "string"}, "registered_at": TIME}),
    "Enrolment": _obj({"id": {"type": "integer"}, "learner_id": {"type": "integer"},
                       "course": {"type": "string"}, "enrolled_at": TIME,
                       "started": {"type": "boolean"}, "last_activity_at": TIME,
                       "completed_at": TIME}),
    "Progress": _obj({"id": {"type": "integer"}, "learner_id": {"type": "integer"},
                      "course": {"type": "string"}, "module": {"type": "string"},
                      "opened_at": TIME, "best_score": NULLABLE_INT, "completed_at": TIME}),
    "Completion": _obj({"id": {"type": "integer"}, "learner_id": {"type": "integer"},
                        "course": {"type": "string"}, "completed_at": TIME,
                        "content_version": {"type": "integer"}}),
    "Certificate": _obj({"id": {"type": "integer"}, "serial": {"type": "string"},
                         "revision": {"type": "integer"}, "learner_id": {"type": "integer"},
                         "course": {"type": "string"},
                         "status": {"type": "string", "enum": ["valid", "revoked"]},
                         "issued_at": TIME, "completed_on": {"type": "string", "format": "date"},
                         "revoked_at": TIME, "verify_url": {"type": "string", "format": "uri"}}),
    "OverviewRow": _obj({"key": {"type": "string"}, "label": {"type": "string"},
                         "enrolled": COUNT, "started": COUNT, "completed": COUNT,
                         "completion_rate": {"type": ["number", "null"]},
                         "median_days_to_complete": {"type": ["number", "null"]},
                         "certificates": COUNT},
                        required=["key", "label", "completed"]),
    "Overview": _obj({"threshold": {"type": "integer"},
                      "breakdown": {"type": "string", "enum": [*BREAKDOWNS, "completions"]},
                      "filters": {"type": "object"},
                      "totals": {"$ref": "#/components/schemas/OverviewRow"},
                      "rows": {"type": "array", "items": {"$ref": "#/components/schemas/OverviewRow"}}}),
    "Transcript": _obj({
        "learner": _obj({"id": {"type": "integer"}, "name_latin": {"type": "string"},
                         "name_cyrillic": {"type": "string"}, "country": {"type": "string"},
                         "organisation": {"type": "string"}}),
        "courses": {"type": "array", "items": _obj({
            "course": {"type": "string"}, "enrolled_at": TIME, "completed_at": TIME,
            "modules": {"type": "array", "items": _obj({
                "module": {"type": "string"}, "opened_at": TIME, "best_score": NULLABLE_INT,
                "completed_at": TIME,
                "attempts": {"type": "array", "items": _obj({
                    "submitted_at": TIME, "score": NULLABLE_INT, "passed": {"type": "boolean"}})}})}})}}),
}


def _param(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


FILTERS = [
    _param("course", {"type": "string", "maxLength": 100}, "Course slug."),
    _param("country", {"type": "string", "enum": [*PRAGUE_PROCESS_STATES, "other"]},
           "ISO 3166 alpha-2 code of a Prague Process state (XK: Kosovo), or other."),
    _param("organisation", {"type": "string", "maxLength": 200}, "Organisation, exactly."),
    _param("lang", {"type": "string", "enum": ["en", "ru"]}, "The learners' interface language."),
    _param("from", {"type": "string", "format": "date"}, "Enrolled on or after (YYYY-MM-DD)."),
    _param("to", {"type": "string", "format": "date"}, "Enrolled on or before (YYYY-MM-DD)."),
]
PAGING = [
    _param("cursor", {"type": "string", "maxLength": 40}, "next_cursor of the previous page."),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "Items per page (100)."),
]


def _errors(*codes):
    return {str(code): {"description": "Error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for code in codes}


def _ok(schema, description):
    return {"200": {"description": description,
                    "content": {"application/json": {"schema": schema}}}}


def _list(name, description, parameters):
    page = _obj({"data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
                 "next_cursor": {"type": ["string", "null"]}})
    return {"get": {"summary": description, "security": [{"token": []}],
                    "parameters": parameters + PAGING,
                    "responses": {**_ok(page, description), **_errors(400, 401, 403, 429)}}}


def openapi_document():
    """The OpenAPI 3.1 document as a dict."""
    transcript = {"get": {
        "summary": "A learner's transcript (404 outside the token owner's scope)",
        "security": [{"token": []}],
        "parameters": [{"name": "user_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}],
        "responses": {**_ok({"$ref": "#/components/schemas/Transcript"}, "The transcript"),
                      **_errors(401, 403, 404, 429)}}}
    overview = {"get": {
        "summary": "Report aggregates: totals and one breakdown, small counts suppressed",
        "security": [{"token": []}],
        "parameters": [_param("breakdown", {"type": "string",
                                            "enum": [*BREAKDOWNS, "completions"]},
                              "course, country, organisation, month (of enrolment) or "
                              "completions (per month of completion).")] + FILTERS,
        "responses": {**_ok({"$ref": "#/components/schemas/Overview"}, "The overview"),
                      **_errors(400, 401, 403, 429)}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Prague Process Training Academy — reports API", "version": "1",
                 "description": "Read-only. Authenticate with a personal access token: "
                                "`Authorization: Bearer <token>` (scope reports:read; "
                                "certificates:read for /api/v1/certificates). "
                                "Every answer is limited to the token owner's scope."},
        "servers": [{"url": "/"}],
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/api/v1/courses": _list("Course", "Courses", []),
            "/api/v1/learners": _list("Learner", "Learners in scope, with their country",
                                      [FILTERS[1], FILTERS[2], FILTERS[3]]),
            "/api/v1/enrolments": _list("Enrolment", "Enrolments", FILTERS),
            "/api/v1/progress": _list("Progress", "Module progress", FILTERS),
            "/api/v1/completions": _list("Completion", "Course completions", FILTERS),
            "/api/v1/certificates": _list(
                "Certificate", "Certificates (newest revision of each; scope certificates:read)",
                FILTERS),
            "/api/v1/reports/overview": overview,
            "/api/v1/learners/{user_id}/transcript": transcript,
        },
    }
