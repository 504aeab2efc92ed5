"""Public and citizen endpoints: tracking by code, rating by one-time token, the citizen's own dossiers
and their access log. Mounted at the API root."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.core.api_schemas import ErrorOut
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.dossiers import selectors as dossier_selectors
from motcua.surveys import services as survey_services

from . import selectors, services, throttle

# Mounted at the API root: paths here are /public/..., /ratings/...
router = Router(tags=["public"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class PublicStepOut(Schema):
    at: dt.datetime
    status: int
    status_label: str


class SkippedDayOut(Schema):
    date: str
    name: str


class PublicDossierOut(Schema):
    """No personal data: no name, no phone, no ID number, no officer."""

    code: str
    procedure_code: str
    procedure_name: str
    status: int
    status_label: str
    channel: str
    receiving_unit: str
    processing_unit: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    due_explanation: str
    skipped_days: list[SkippedDayOut]
    steps: list[PublicStepOut]
    returned_at: dt.datetime | None


class VerifyQuery(Schema):
    verify: str = Field("", description="The last 4 digits of the applicant's phone or ID number.")


def _no_match() -> NotFound:
    return NotFound(_("No dossier matches this code and these digits. Check both and try again."),
                    code="no_match")


# The four digits in a query string land in every access log, proxy log and browser history on the way
# (OWASP ASVS 8.3.1: sensitive data in the body, not the URL); the HTML tracking form posts them for this
# reason. POST is the way; the GET keeps answering until TRACKING_GET_SUNSET, marked deprecated in the
# OpenAPI document and by the Deprecation and Sunset headers (RFC 9745, RFC 8594).
TRACKING_GET_SUNSET = "Wed, 30 Jun 2027 23:59:59 GMT"


def _track(request: HttpRequest, code: str, verify: str) -> Any:
    if not throttle.allow(request):
        raise DomainError(_("Too many lookups from your connection. Wait a few minutes and try again."),
                          code="throttled", status=429)
    result = selectors.track(code, verify)
    if result is None:
        raise _no_match()
    return result


@router.post("/public/dossiers/{code}", response={200: PublicDossierOut, **ERRORS}, auth=None,
             summary="Track a dossier by its code and 4 digits (public)")
def public_dossier_track(request: HttpRequest, code: str, body: VerifyQuery) -> Any:
    """The digits in the JSON body (``{"verify": "5678"}``). The same answer (404 ``no_match``) for an
    unknown code and for wrong digits; rate-limited per client (429 ``throttled``)."""
    return _track(request, code, body.verify)


@router.get("/public/dossiers/{code}", response={200: PublicDossierOut, **ERRORS}, auth=None, deprecated=True,
            summary="Track a dossier with the digits in the URL (deprecated: use POST)")
def public_dossier(request: HttpRequest, response: HttpResponse, code: str, query: Query[VerifyQuery]) -> Any:
    """Deprecated: the digits end up in access logs. Use ``POST /public/dossiers/{code}`` with
    ``{"verify": "…"}``; this answers the same until its Sunset date."""
    response["Deprecation"] = "true"
    response["Sunset"] = TRACKING_GET_SUNSET
    response["Link"] = f'<{request.path}>; rel="successor-version"'
    return _track(request, code, query.verify)


class RatingIn(Schema):
    time: int = Field(..., ge=1, le=5, description="Processing time, 1 (bad) to 5 (very good)")
    visits: int = Field(..., ge=1, le=5, description="Number of visits, 5 = none or once")
    attitude: int = Field(..., ge=1, le=5)
    overall: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class RatedOut(Schema):
    rated: bool


@router.post("/ratings/{token}", response={201: RatedOut, **ERRORS}, auth=None,
             summary="Rate a returned dossier with its one-time token (the per-dossier questionnaire)")
def rate(request: HttpRequest, token: str, body: RatingIn) -> tuple[int, dict[str, bool]]:
    """The four questions of the per-dossier questionnaire by name (``/surveys/answers/{token}`` answers any
    questionnaire). Once per dossier (409 ``already_answered`` after); the stored answer names neither the
    person nor the dossier, and nothing is returned that links them."""
    survey_services.answer_invitation(token, survey_services.Answers(
        values={"time": body.time, "visits": body.visits, "attitude": body.attitude, "overall": body.overall},
        comment=body.comment))
    return 201, {"rated": True}


class MyDossierOut(Schema):
    code: str
    procedure_name: str
    status: int
    status_label: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None


class AccessOut(Schema):
    at: dt.datetime
    officer: str
    unit: str
    action: str


@router.get("/me/dossiers", response={200: list[MyDossierOut], **ERRORS}, auth=STAFF_OR_CITIZEN, tags=["citizen"],
            summary="My dossiers (the signed-in citizen's)")
def my_dossiers(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": d.public_id, "procedure_name": d.procedure.name, "status": d.status,
             "status_label": dossier_selectors.status_label(d), "submitted_at": d.submitted_at, "due_at": d.due_at}
            for d in selectors.own_dossiers(request.auth)[:200]]  # type: ignore[attr-defined]


@router.get("/me/dossiers/{code}/access-log", response={200: list[AccessOut], **ERRORS}, auth=STAFF_OR_CITIZEN,
            tags=["citizen"], summary="Who opened or changed my dossier")
def my_access_log(request: HttpRequest, code: str) -> list[selectors.Access]:
    """404 for a dossier that is not the caller's own, whoever the caller is."""
    return selectors.access_log(selectors.get_own_dossier(request.auth, code))  # type: ignore[attr-defined]


@router.get("/me/data", response={200: dict[str, Any], **ERRORS}, auth=STAFF_OR_CITIZEN, tags=["citizen"],
            summary="Everything held about me (personal data export)")
def my_data(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """The same JSON as the citizen's "Download my data" (docs/portal.md): the account, its consents, the
    dossiers it owns with their files' names, sizes and SHA-256, its feedback, the notices sent to it, its
    correction requests and the staff accesses to its dossiers. Always the caller's own data, never cached."""
    response["Cache-Control"] = "no-store"
    return selectors.personal_data_export(request.auth)  # type: ignore[attr-defined]


# --- the agency's queue of personal-data requests (Law 91/2025/QH15 Art. 4) ---------------------------------------

class DataRequestOut(Schema):
    id: int
    dossier: str
    kind: str = Field(description="correction, deletion, restriction or objection.")
    label: str
    field: str = Field(description="For a correction, the item: name, id_number, tax_code, address, phone, "
                                   "email; else empty.")
    current_value: str
    requested_value: str
    reason: str
    state: str = Field(description="open, done (corrected) or refused.")
    answer: str
    created_at: dt.datetime
    due_at: dt.datetime | None = Field(description="The answer's due date: an operating choice on the working "
                                                   "calendar (MOTCUA_CORRECTION_ANSWER_WORKING_DAYS), not a "
                                                   "time limit of the law.")
    handled_at: dt.datetime | None


class AnswerIn(Schema):
    decision: str = Field(description="`accept` (correct the dossier) or `refuse`.")
    answer: str = Field("", description="The answer to the applicant; required to refuse.")


def _request_out(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "dossier": r.dossier.public_id, "kind": r.kind, "label": r.label,
            "field": r.field, "current_value": r.current_value,
            "requested_value": r.requested_value, "reason": r.reason, "state": r.state, "answer": r.answer,
            "created_at": r.created_at, "due_at": r.due_at, "handled_at": r.handled_at}


def _handler(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not selectors.may_answer_requests(user):
        raise PermissionDenied(_("Only the officers who receive or process dossiers answer these requests."),
                               code="forbidden")
    return user


@router.get("/personal-data/requests", response={200: list[DataRequestOut], **ERRORS}, auth=STAFF_OR_CITIZEN,
            tags=["personal data"], summary="The agency's queue of personal-data requests")
def data_requests(request: HttpRequest, response: HttpResponse,
                  state: str = Query("open", description="open, done, refused, or all.")) -> list[dict[str, Any]]:
    """The applicants' requests about the data of the dossiers the caller may correct (the desk that received
    them, the officers who process them), by due date. 403 for a caller who neither receives nor processes
    dossiers; another agency's requests are not listed."""
    user = _handler(request)
    if state not in ("open", "done", "refused", "all"):
        raise DomainError(_("Choose open, done, refused or all."), code="invalid_input",
                          details={"fields": [{"field": "state", "message": _("Choose open, done, refused or all.")}]})
    response["Cache-Control"] = "no-store"
    return [_request_out(r) for r in selectors.correction_queue(user, "" if state == "all" else state)[:500]]


@router.post("/personal-data/requests/{request_id}/answer", response={200: DataRequestOut, **ERRORS},
             auth=STAFF_OR_CITIZEN, tags=["personal data"], summary="Answer a personal-data request")
def answer_data_request(request: HttpRequest, request_id: int, body: AnswerIn) -> dict[str, Any]:
    """`accept` corrects the dossier (an `applicant_corrected` event in its history), or for the other kinds
    records what was done (`answer` required); `refuse` needs the reason in `answer`. 404 for a request
    outside the caller's scope, 409 `already_answered`."""
    user = _handler(request)
    item = selectors.queue_item(user, request_id)
    return _request_out(services.answer_request(user, item, body.decision, body.answer))
