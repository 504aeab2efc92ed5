"""The HTTP API at /api/v1/: each app contributes a ninja router, mounted here.

Every failure is answered in the format of DESIGN.md, ``{"error": {"code", "message", "details"}}``,
with a 4xx status; a 5xx is always a bug.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from motcua.accounts.api import router as accounts_router
from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.calendars.api import router as calendars_router
from motcua.catalogue.api import router as catalogue_router
from motcua.core.api_schemas import field_message
from motcua.core.errors import DomainError, error_body, too_large, unreadable_multipart
from motcua.core.exports_views import router as exports_router
from motcua.documents.api import router as documents_router
from motcua.dossiers.api import router as dossiers_router
from motcua.feedback.api import router as feedback_router
from motcua.insight.api import router as insight_router
from motcua.integrations.api import router as integrations_router
from motcua.notifications.api import router as notifications_router
from motcua.portal.api import router as portal_router
from motcua.scorecards.api import router as scorecards_router
from motcua.stats.api import router as stats_router
from motcua.surveys.api import router as surveys_router


class _Docs(Swagger):
    """ninja's page has no lang on its <html> (axe: serious); ours is the same page with one."""

    template = "api/swagger.html"


api = NinjaAPI(
    title="motcua API",
    version="1",
    description="API of motcua, the electronic one-stop system. Errors: "
    '`{"error": {"code": "...", "message": "...", "details": {...}}}`.',
    urls_namespace="api",
    docs_url="/docs",
    docs=_Docs(settings={"deepLinking": False}),  # its links inside the buttons: axe nested-interactive
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, error_body(exc.code, exc.message, exc.details), status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("body", "query", "path", "payload")]
        fields.append({"field": ".".join(loc), "message": field_message(err)})
    body = error_body("invalid_input", _("The request is not valid: check the fields listed."), {"fields": fields})
    return api.create_response(request, body, status=400)


def _refusal(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, error_body(exc.code, exc.message), status=exc.status)


@api.exception_handler(MultiPartParserError)
def on_multipart_error(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _refusal(request, unreadable_multipart())


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return _refusal(request, too_large())
    return api.create_response(request, error_body("bad_request", _("The request is not valid.")), status=400)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = error_body("unauthenticated", _("Sign in or send a valid bearer token."))
    return api.create_response(request, body, status=401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {403: "forbidden", 404: "not_found", 405: "method_not_allowed", 429: "throttled"}.get(
        exc.status_code, "error"
    )
    return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)


api.add_router("/", accounts_router)
api.add_router("/calendar", calendars_router)
api.add_router("/procedures", catalogue_router)
api.add_router("/", dossiers_router)
api.add_router("/", portal_router)
api.add_router("/", notifications_router)
api.add_router("/stats", stats_router)
api.add_router("/feedback", feedback_router)
api.add_router("/surveys", surveys_router)
api.add_router("/verify", documents_router)
api.add_router("/exports", exports_router, auth=STAFF_OR_CITIZEN)
api.add_router("/scorecards", scorecards_router)
api.add_router("/integrations", integrations_router)
api.add_router("/insight", insight_router)
