"""The dossier API, mounted at the API root (/api/v1/dossiers..., /api/v1/registers/...). Thin: parse,
call a service or selector, shape the answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import ValidationError as PydanticError

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.api_schemas import ErrorOut
from motcua.core.errors import DomainError, PermissionDenied
from motcua.documents import services as documents

from . import files, selectors, services
from .choices import Status
from .models import Dossier
from .schemas import ActionIn, DossierDetailOut, DossierIn, DossierListOut, DossierOut

router = Router(tags=["dossiers"], auth=STAFF_OR_CITIZEN)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}

_MULTIPART_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/DossierIn"}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "data": {"type": "string", "description": "DossierIn as JSON"},
                "documents.<order>": {"type": "string", "format": "binary",
                                      "description": "Files for document number <order> (repeatable)"},
            }}},
        },
        "required": True,
    }
}


def _unit(unit: Any) -> dict[str, str]:
    return {"code": unit.code, "name": unit.name}


def _receipt_url(d: Dossier) -> str | None:
    return f"/api/v1/dossiers/{d.code}/forms/receipt" if d.code else None


def dossier_out(d: Dossier, full_personal: bool) -> dict[str, Any]:
    personal = selectors.personal_data(d, full_personal)
    return {
        "code": d.code, "reference": d.reference, "status": str(Status(d.status).label), "status_code": d.status,
        "channel": d.channel, "procedure": {"code": d.snapshot["procedure"]["code"],
                                            "name": d.snapshot["procedure"]["name"],
                                            "version": d.procedure_version_id},
        "receiving_unit": _unit(d.receiving_unit), "processing_unit": _unit(d.processing_unit),
        "applicant": {"kind": d.applicant_kind, "name": d.applicant_name, **personal}, "subject": d.subject,
        "submitted_at": d.submitted_at, "received_at": d.received_at, "due_at": d.due_at,
        "transfer_due_at": d.transfer_due_at, "receipt_url": _receipt_url(d), "rule_set": d.rules.get("key", ""),
        "fees_due_vnd": d.fees_due_vnd, "fees_paid_vnd": d.fees_paid_vnd,
    }


def _detail(d: Dossier, full_personal: bool) -> dict[str, Any]:
    body = dossier_out(d, full_personal)
    attachments: dict[int | None, list[dict[str, Any]]] = {}
    for a in d.attachments.all():
        attachments.setdefault(a.document_id, []).append(
            {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256})
    body["documents"] = [
        {"order": doc.order, "name": doc.name, "required": doc.required, "provided": doc.provided,
         "scanned_at_desk": doc.scanned_at_desk, "reused_digitised": doc.reused_digitised,
         "files": attachments.get(doc.pk, [])} for doc in d.documents.all()]
    body["events"] = [
        {"seq": e.seq, "kind": e.kind, "at": e.at, "actor": e.actor.get_full_name(), "status_before": e.status_before,
         "status_after": e.status_after, "reason": e.reason, "data": e.data}
        for e in d.events.select_related("actor").order_by("seq")]
    return body


def _parse_intake(request: HttpRequest) -> tuple[DossierIn, list[files.Upload]]:
    try:
        if request.content_type == "multipart/form-data":
            payload = DossierIn.model_validate_json(request.POST.get("data", ""))
        else:
            payload = DossierIn.model_validate_json(request.body or b"")
    except PydanticError as exc:
        fields = [{"field": ".".join(str(p) for p in e.get("loc", [])), "message": e.get("msg", "")}
                  for e in exc.errors()]
        raise DomainError(_("The request is not valid: check the fields listed."), code="invalid_input",
                          details={"fields": fields}) from exc
    uploads = []
    for key in request.FILES:
        order_text = key.split(".", 1)[1] if key.startswith("documents.") else ""
        if not order_text.isdigit():
            raise DomainError(_("Name each file field documents.<number of the document>."), code="invalid_input")
        for upload in request.FILES.getlist(key):
            uploads.append(files.Upload(name=upload.name or "", stream=upload, document_order=int(order_text)))
    return payload, uploads


def intake_from(payload: DossierIn | ActionIn) -> services.Intake:
    assert isinstance(payload, DossierIn)
    data = payload.dict()
    return services.Intake(
        procedure=data["procedure"], applicant=services.Applicant(**data["applicant"]),
        representative=data.get("representative") or {}, subject=data["subject"], sets=data["sets"],
        documents=[services.DocumentInput(**d) for d in data["documents"]], time_variant=data["time_variant"],
        receiving_unit=data["receiving_unit"], channel=data["channel"], outcome=data["outcome"],
        reason=data["reason"], missing=[services.MissingItem(**m) for m in data["missing"]])


def _show(request: HttpRequest, user: User, d: Dossier) -> bool:
    """Full personal data for those who need it; each such read by staff is logged."""
    full = selectors.may_see_personal_data(user, d)
    if full and selectors.is_staff_reader(user, d):
        services.record_personal_data_view(user, d, request.path)
    return full


@router.post("/dossiers", response={201: DossierOut, **ERRORS}, openapi_extra=_MULTIPART_DOC,
             summary="Receive a dossier at the desk, or submit one online")
def create_dossier(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    """A desk officer's request receives the dossier (status 2) unless ``outcome`` asks for a supplement (5)
    or refuses it (3); a citizen's creates an online submission (status 1). JSON, or multipart with the
    JSON in ``data`` and files in ``documents.<order>``."""
    user: User = request.auth  # type: ignore[attr-defined]
    payload, uploads = _parse_intake(request)
    intake = intake_from(payload)
    if has_capability(user, Capability.RECEIVE_DOSSIERS):
        dossier = services.receive_at_desk(user, intake, uploads)
    elif has_capability(user, Capability.SUBMIT_DOSSIERS):
        dossier = services.submit_online(user, intake, uploads)
    else:
        raise PermissionDenied(_("You may not file or receive dossiers."), code="forbidden")
    dossier = Dossier.objects.select_related("receiving_unit", "processing_unit").get(pk=dossier.pk)
    return 201, dossier_out(dossier, True)


class ListQuery(Schema):
    status: int | None = None
    procedure: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    limit: int = 20
    offset: int = 0


@router.get("/dossiers", response={200: DossierListOut, **ERRORS}, summary="Search dossiers (staff)")
def list_dossiers(request: HttpRequest, filters: Query[ListQuery]) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    if not selectors.is_staff(user):
        raise PermissionDenied(_("Only staff may search dossiers."), code="forbidden")
    limit = max(1, min(filters.limit, 100))
    qs = selectors.search(user, selectors.Filters(filters.status, filters.procedure, filters.date_from,
                                                  filters.date_to, filters.q))
    items = list(qs[max(filters.offset, 0):max(filters.offset, 0) + limit])
    return {"count": qs.count(), "items": [dossier_out(d, False) for d in items]}


@router.get("/dossiers/{code}", response={200: DossierDetailOut, **ERRORS}, summary="A dossier")
def get_dossier(request: HttpRequest, code: str) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    dossier = selectors.get_visible(user, code)
    return _detail(dossier, _show(request, user, dossier))


def _run_action(user: User, dossier: Dossier, action: str, body: ActionIn) -> Dossier:
    if action == "accept":
        return services.accept(user, dossier, time_variant=body.time_variant)
    if action == "refuse":
        return services.refuse_intake(user, dossier, body.reason)
    if action == "request-supplement":
        missing = [services.MissingItem(m.document, m.reason) for m in body.missing]
        return services.request_supplement(user, dossier, missing, body.reason)
    if action == "submit-supplement":
        docs = [services.DocumentInput(**d.dict()) for d in body.documents]
        return services.submit_supplement(user, dossier, docs, note=body.reason)
    if action == "transfer":
        return services.transfer(user, dossier)
    if action == "request-withdrawal":
        return services.request_withdrawal(user, dossier, body.reason)
    if action == "stop":
        return services.stop(user, dossier, body.reason)
    raise DomainError(_("Unknown action."), code="unknown_action", status=404,
                      details={"actions": list(services.ACTIONS)})


@router.post("/dossiers/{code}/actions/{action}", response={200: DossierOut, **ERRORS},
             summary="Move a dossier: accept, refuse, request-supplement, submit-supplement, transfer, "
                     "request-withdrawal, stop")
def act(request: HttpRequest, code: str, action: str, body: ActionIn | None = None) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    dossier = selectors.get_visible(user, code)
    dossier = _run_action(user, dossier, action, body or ActionIn.model_validate({}))
    dossier = Dossier.objects.select_related("receiving_unit", "processing_unit").get(pk=dossier.pk)
    return dossier_out(dossier, selectors.may_see_personal_data(user, dossier))


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get("/dossiers/{code}/forms/{form}", response={200: None, **ERRORS}, summary="A legal form as PDF")
def get_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    user: User = request.auth  # type: ignore[attr-defined]
    dossier = selectors.get_visible(user, code)
    issued = documents.issue(user, dossier, form, request.build_absolute_uri("/"))
    return _pdf(documents.read(issued), f"{dossier.public_id}-{issued.role}.pdf")


def _range(request: HttpRequest) -> tuple[dt.date, dt.date]:
    try:
        first = dt.date.fromisoformat(request.GET.get("from", ""))
        last = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError as exc:
        raise DomainError(_("Give the dates as from=YYYY-MM-DD&to=YYYY-MM-DD."), code="invalid_range") from exc
    if last < first or (last - first).days > 366:
        raise DomainError(_("The range must run forwards and span at most 366 days."), code="invalid_range")
    return first, last


def _register(request: HttpRequest) -> tuple[User, list[Dossier], dt.date, dt.date]:
    user: User = request.auth  # type: ignore[attr-defined]
    if not selectors.is_staff(user):
        raise PermissionDenied(_("Only staff may read the register."), code="forbidden")
    first, last = _range(request)
    return user, list(selectors.received_between(user, first, last)), first, last


@router.get("/registers/dossiers.xlsx", response={200: None, **ERRORS},
            summary="The dossier register (form 06/07) as XLSX, ?from=YYYY-MM-DD&to=YYYY-MM-DD")
def register_xlsx(request: HttpRequest) -> HttpResponse:
    _, dossiers, first, last = _register(request)
    response = HttpResponse(documents.register_xlsx(dossiers, first, last),
                            content_type=files.CONTENT_TYPES[files.XLSX])
    response["Content-Disposition"] = f'attachment; filename="so-theo-doi-ho-so-{first}-{last}.xlsx"'
    return response


@router.get("/registers/dossiers.pdf", response={200: None, **ERRORS},
            summary="The dossier register (form 06/07) as PDF, ?from=YYYY-MM-DD&to=YYYY-MM-DD")
def register_pdf(request: HttpRequest) -> HttpResponse:
    user, dossiers, first, last = _register(request)
    return _pdf(documents.register_pdf(user, dossiers, first, last), f"so-theo-doi-ho-so-{first}-{last}.pdf")
