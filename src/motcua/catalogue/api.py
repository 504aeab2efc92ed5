"""``/api/v1/procedures``: the public catalogue. Anyone reads published versions; administrators
(``Capability.MANAGE_CATALOGUE``) also see drafts and may export everything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from motcua.accounts.services import authenticate_token
from motcua.core.api_schemas import Day, ErrorOut, Offset, limit_field
from motcua.core.errors import DomainError, PermissionDenied

from . import exchange, selectors, services
from .choices import Level, OnlineMode
from .parts import gaps

router = Router(tags=["procedures"])


class FieldOut(Schema):
    code: str
    name: str


class UnitOut(Schema):
    code: str
    name: str


class TimeOut(Schema):
    amount: float | int
    unit: str


class TimeVariantOut(TimeOut):
    label: str


class FeeOut(Schema):
    name: str
    kind: str
    amount_vnd: int | None
    amount_rule: str
    payer: str
    online_discount_percent: float | int | None
    discount_valid_from: dt.date | None
    discount_valid_to: dt.date | None
    basis: str


class DocumentOut(Schema):
    name: str
    copies: int | None
    copy_kind: str
    condition: str
    template_name: str
    template_url: str | None
    from_data_store: bool
    note: str


class StepOut(Schema):
    order: int
    name: str
    unit: UnitOut | None
    role: str
    budget: TimeOut | None
    produces: list[str]
    note: str


class LegalBasisOut(Schema):
    instrument: str
    articles: str
    note: str


class ProcedureSummaryOut(Schema):
    code: str
    name: str
    field: FieldOut | None
    level: str
    online_mode: str
    result_type: str
    agency: UnitOut | None
    legal_time: TimeOut | None
    time_variants: list[TimeVariantOut]
    valid_from: dt.date
    valid_to: dt.date | None
    status: str


class ProcedureListOut(Schema):
    count: int
    items: list[ProcedureSummaryOut]


class ProcedureOut(ProcedureSummaryOut):
    label: str
    applicant_types: list[str]
    receiving_units: list[UnitOut]
    partial_online_reason: str
    result_name: str
    result_is_paper: bool | None
    sequence: str
    manner: str
    dossier_sets: int | None
    legal_time_note: str
    target_time: TimeOut | None
    deadline_policy: str
    clock_start: str = Field("receipt", description="the event the time limit counts from: receipt, or a later "
                                                   "event an officer records (evaluation_result, exam_result)")
    requirements: str
    fee_status: str
    fees: list[FeeOut]
    documents: list[DocumentOut]
    steps: list[StepOut]
    legal_basis: list[LegalBasisOut]
    eform: list[dict[str, Any]] = Field(default_factory=list, description=(
        "the application's e-form (Decree 118/2025 Art. 15): the fields a dossier's form_data answers, each "
        "with key, type (text, integer, decimal, choice, date), label {vi, en}, required, min, max, max_length, "
        "choices, unit, help, search; [] for none (docs/catalogue-schema.md)"))
    not_captured: list[str]


class ListQuery(Schema):
    q: str = ""
    field: str = ""
    level: Level | None = None
    online_mode: OnlineMode | None = None
    agency: str = ""
    as_of: Day | None = None
    limit: int = limit_field(20, 100)
    offset: Offset = 0


def _caller(request: HttpRequest) -> Any:
    """The bearer token's user, else the session's (anonymous included): these reads are public."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = authenticate_token(header[7:].strip())
        if user is None:
            raise DomainError(_("Sign in or send a valid bearer token."), code="unauthenticated", status=401)
        return user
    return request.user


def _flatten(snap: dict[str, Any]) -> dict[str, Any]:
    version = {k: v for k, v in snap["version"].items() if k not in {"id", "published_at", "source", "notes"}}
    return {**snap["procedure"], **version}


@router.get("", response={200: ProcedureListOut, 400: ErrorOut, 401: ErrorOut}, summary="List and search")
def list_procedures(request: HttpRequest, params: Query[ListQuery]) -> dict[str, Any]:
    """Procedures with a version in force on ``as_of`` (today), filtered and searched (``q`` ignores
    diacritics, matches word prefixes and the usual abbreviations: GPXD, CCHN, CCNL, PCCC, BCNCKT)."""
    filters = selectors.Filters(
        q=params.q, field=params.field, level=params.level.value if params.level else "",
        online_mode=params.online_mode.value if params.online_mode else "", agency=params.agency,
        as_of=params.as_of,
    )
    listing = selectors.list_procedures(filters, _caller(request), params.limit, params.offset)
    return {"count": listing.count,
            "items": [selectors.summary(procedure, version) for procedure, version in listing.items]}


@router.get("/export", response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
            summary="Export the catalogue (administrators)")
def export(request: HttpRequest, format: exchange.ExportFormat = exchange.ExportFormat.JSON) -> HttpResponse:
    """The whole catalogue, drafts included, as JSON (the import schema), CSV or XLSX."""
    user = _caller(request)
    if not user.is_authenticated:
        raise DomainError(_("Sign in or send a valid bearer token."), code="unauthenticated", status=401)
    if not selectors.can_manage(user):
        raise PermissionDenied(_("Only catalogue administrators may export the catalogue."))
    content, content_type, extension = exchange.export_bytes(format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="motcua-catalogue.{extension}"'
    return response


@router.get("/{code}", response={200: ProcedureOut, 401: ErrorOut, 404: ErrorOut, 400: ErrorOut},
            summary="One procedure")
def detail(request: HttpRequest, code: str, as_of: Day | None = None) -> dict[str, Any]:
    """The procedure with its version in force on ``as_of`` (today): documents, fees, steps, legal time."""
    _procedure, version = selectors.published_procedure_and_version(code, _caller(request), as_of)
    return {**_flatten(selectors.snapshot(version)), "not_captured": gaps(version)}


class RetentionIn(Schema):
    retention_years: int | None = Field(
        description="Years a closed dossier is kept, counted from the end of the year it was closed, from the "
                    "agency's list of retention periods; null: kept permanently")


class RetentionOut(Schema):
    code: str
    retention_years: int | None


@router.put("/{code}/retention", response={200: RetentionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                          404: ErrorOut}, summary="Set the retention period of a procedure's dossiers")
def set_retention(request: HttpRequest, code: str, body: RetentionIn) -> dict[str, Any]:
    """Catalogue administrators only (403 otherwise, 401 anonymous). The period is the agency's: there is no
    default (docs/security.md, *Retention of the agencies' records*)."""
    user = _caller(request)
    if not getattr(user, "is_authenticated", False):
        raise DomainError(_("Sign in or send a valid bearer token."), code="unauthenticated", status=401)
    services.require_manager(user)
    procedure = selectors.visible_procedure(code, user)
    services.set_retention_years(procedure, body.retention_years, user=user)
    return {"code": procedure.code, "retention_years": procedure.retention_years}
