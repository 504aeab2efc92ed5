"""The dossier API, mounted at the API root (/api/v1/dossiers..., /api/v1/registers/...). Thin: parse,
call a service or selector, shape the answer."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field
from pydantic import ValidationError as PydanticError

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core import exports as core_exports
from motcua.core.api_schemas import Day, ErrorOut, Offset, check_day, limit_field
from motcua.core.dbrouter import replica_reads
from motcua.core.errors import DomainError, PermissionDenied
from motcua.core.exports_views import describe as describe_export

from . import actions, deadlines, exports, files, issuing, retention, risk, schemas, selectors, services, serving
from .choices import Status
from .models import Dossier, ProcessingStep
from .schemas import DossierDetailOut, DossierIn, DossierListOut, DossierOut, QueueOut
from .workflow import selectors as wf_selectors

router = Router(tags=["dossiers"], auth=STAFF_OR_CITIZEN)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}

_MULTIPART_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": schemas.openapi_schema(DossierIn)},
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
        "form_data": d.form_data or {},
        "submitted_at": d.submitted_at, "received_at": d.received_at, "due_at": d.due_at,
        "clock_start_at": d.clock_start_at, "clock_waits_for": deadlines.waits_for(d),
        "transfer_due_at": d.transfer_due_at, "receipt_url": _receipt_url(d), "rule_set": d.rules.get("key", ""),
        "fees_due_vnd": d.fees_due_vnd, "fees_paid_vnd": d.fees_paid_vnd,
        "original_due_at": d.original_due_at, "late_flagged_at": d.late_flagged_at, "risk_at": d.risk_at,
    }


def step_out(s: ProcessingStep, classified: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": s.pk, "order": s.order, "name": s.name, "unit": _unit(s.unit) if s.unit else None, "role": s.role,
            "officer": s.actor.get_full_name() if s.actor else None, "started_at": s.started_at,
            "due_at": s.due_at, "ended_at": s.ended_at, "outcome": s.outcome, "note": s.note, "open": s.open,
            "classification": classified}


def _detail(detail: wf_selectors.DossierDetail, full_personal: bool) -> dict[str, Any]:
    d = detail.dossier
    body = dossier_out(d, full_personal)
    current = next((s for s in detail.steps if s.pk == d.current_step_id), None)
    body["current_step"] = current.name if current else None
    body["assigned_to"] = current.actor.get_full_name() if current and current.actor else None
    body["result_method"] = d.result_method
    body["identity_level"] = d.identity_level
    body["result_address"] = d.result_address if full_personal else selectors.mask_address(d.result_address)
    body["collection"] = {
        "collector_name": d.collector_name, "collector_signed": d.collector_signed,
        "collector_id_number": d.collector_id_number if full_personal else selectors.mask(d.collector_id_number),
        "postal_tracking": d.postal_tracking} if d.returned_at else {}
    attachments: dict[int | None, list[dict[str, Any]]] = {}
    for f in detail.attachments:
        attachments.setdefault(f.document_id, []).append(
            {"id": f.pk, "name": f.original_name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
             "url": serving.file_url(d, f)})
    body["documents"] = [
        {"order": doc.order, "name": doc.name, "required": doc.required, "provided": doc.provided,
         "scanned_at_desk": doc.scanned_at_desk, "reused_digitised": doc.reused_digitised,
         "files": attachments.get(doc.pk, [])} for doc in detail.documents]
    body["events"] = [
        {"seq": e.seq, "kind": e.kind, "at": e.at, "actor": e.actor.get_full_name(), "status_before": e.status_before,
         "status_after": e.status_after, "reason": e.reason, "data": e.data}
        for e in detail.events]
    body["steps"] = [step_out(s, detail.step_classes.get(s.pk)) for s in detail.steps]
    body["consultations"] = [
        {"id": c.pk, "unit": _unit(c.unit), "question": c.question, "asked_at": c.asked_at, "due_at": c.due_at,
         "answered_at": c.answered_at, "answer": c.answer, "agrees": c.agrees, "late": c.late,
         "deemed_agreed": c.deemed_agreed, "silence_is_consent": c.silence_is_consent}
        for c in detail.consultations]
    # One-stop inter-agency: each agency's part, its transfer slip, deadline and result; ``responsible``: the
    # late dossier is attributed to it.
    body["parts"] = [
        {"agency": _unit(p.agency), "lead": p.lead, "order": p.order, "part": p.part, "slip": p.slip_reference,
         "sent_at": p.sent_at, "due_at": p.due_at, "ended_at": p.ended_at, "answer": p.answer,
         "result": getattr(p, "judged", ""), "responsible": getattr(p, "responsible", False)}
        for p in detail.parts]
    a = detail.apology
    # A draft waits for the head of the agency's signature (``issued`` false, no letter yet); ``late``: signed
    # after the limit for apologising (Decree 61/2018 Art. 19(9)).
    body["apology"] = None if a is None else {
        "reason": a.reason, "original_due_at": a.original_due_at, "new_due_at": a.new_due_at,
        "issued": a.issued, "drafted_at": a.drafted_at,
        "drafted_by": a.drafted_by.get_full_name() if a.drafted_by else "",
        "approved_at": a.approved_at, "approved_by": a.approved_by.get_full_name() if a.approved_by else "",
        "issued_at": a.issued_at, "issued_by": a.issued_by.get_full_name() if a.issued_by else "",
        "limit": a.limit, "late": a.late,
        "form_url": f"/api/v1/dossiers/{d.public_id}/forms/apology" if a.issued else None}
    # The papers of the sign-off chain (refusal after appraisal, supplement request during processing): who
    # drafted, approved and signed each, and when.
    body["drafts"] = [
        {"id": p.pk, "kind": p.kind, "stage": p.stage, "reason": p.reason, "drafted_at": p.drafted_at,
         "drafted_by": p.drafted_by.get_full_name(), "approved_at": p.approved_at,
         "approved_by": p.approved_by.get_full_name() if p.approved_by else "", "signed_at": p.signed_at,
         "signed_by": p.signed_by.get_full_name() if p.signed_by else ""} for p in detail.drafts]
    body["results"] = [
        {"id": r.pk, "kind": r.kind, "number": r.number, "issued_on": r.issued_on, "signer": r.signer_name,
         "reason": r.reason, "file": r.attachment_id, "returned_at": r.returned_at, "return_method": r.return_method,
         "file_url": f"/api/v1/dossiers/{d.public_id}/files/{r.attachment_id}" if r.attachment_id else None}
        for r in detail.results]
    body["payments"] = [
        {"id": p.pk, "amount_vnd": p.amount_vnd, "description": p.description, "requested_at": p.requested_at,
         "paid_at": p.paid_at, "channel": p.channel, "receipt_number": p.receipt_number} for p in detail.payments]
    body["classification"] = detail.classification
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


def intake_from(payload: DossierIn) -> services.Intake:
    data = payload.dict()
    return services.Intake(
        procedure=data["procedure"], applicant=services.Applicant(**data["applicant"]),
        representative=data.get("representative") or {}, subject=data["subject"], sets=data["sets"],
        documents=[services.DocumentInput(**d) for d in data["documents"]], time_variant=data["time_variant"],
        receiving_unit=data["receiving_unit"], channel=data["channel"], outcome=data["outcome"],
        reason=data["reason"], missing=[services.MissingItem(**m) for m in data["missing"]],
        respond_working_days=data.get("respond_working_days"),
        result_method=data["result_method"], result_address=data["result_address"],
        form_data=data.get("form_data"))


def _show(request: HttpRequest, user: User, d: Dossier) -> bool:
    """Full personal data for those who need it; each such read by staff is logged."""
    full = selectors.may_see_personal_data(user, d)
    if full and selectors.is_staff_reader(user, d):
        services.record_personal_data_view(user, d, request.path)
    elif selectors.is_staff_reader(user, d):  # a masked read is an opening too, logged like the page's
        services.record_opening(user, d, request.path)
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
    status: int | None = Field(None, ge=0, le=99)
    procedure: str = ""
    date_from: Day | None = None
    date_to: Day | None = None
    q: str = ""
    form_field: str = Field("", max_length=40, description="a searchable field of the application's e-form, "
                                                           "e.g. plot_number (empty: any searchable field)")
    form_value: str = Field("", max_length=200, description="the exact value of that e-form field, e.g. 125")
    limit: int = limit_field(20, 100)
    offset: Offset = 0


@router.get("/dossiers", response={200: DossierListOut, **ERRORS}, summary="Search dossiers (staff)")
def list_dossiers(request: HttpRequest, filters: Query[ListQuery]) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    if not selectors.is_staff(user):
        raise PermissionDenied(_("Only staff may search dossiers."), code="forbidden")
    qs = selectors.search(user, selectors.Filters(filters.status, filters.procedure, filters.date_from,
                                                  filters.date_to, filters.q, filters.form_field, filters.form_value))
    items = list(qs[filters.offset:filters.offset + filters.limit])
    return {"count": qs.count(), "items": [dossier_out(d, False) for d in items]}


@router.get("/dossiers/{code}", response={200: DossierDetailOut, **ERRORS}, summary="A dossier")
def get_dossier(request: HttpRequest, code: str) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    shown: list[bool] = []
    detail = wf_selectors.dossier_detail(user, code, before_history=lambda d: shown.append(_show(request, user, d)))
    return _detail(detail, shown[0])


def _action_input(request: HttpRequest) -> tuple[dict[str, Any], list[files.Upload]]:
    """The action's input as plain data and its files: a JSON body, or multipart with the JSON in ``data``
    and the files in ``file`` (one) or ``documents.<order>`` (per document)."""
    raw: str | bytes = (request.POST.get("data") or "{}") if request.content_type == "multipart/form-data" else (
        request.body or b"{}")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(_("The request body is not valid JSON."), code="invalid_input") from exc
    if not isinstance(data, dict):
        raise DomainError(_("The request body must be a JSON object."), code="invalid_input")
    uploads: list[files.Upload] = []
    for key in request.FILES:
        order_text = key.split(".", 1)[1] if key.startswith("documents.") else ""
        if key != "file" and not order_text.isdigit():
            raise DomainError(_("Name each file field documents.<number of the document>."), code="invalid_input")
        for upload in request.FILES.getlist(key):
            uploads.append(files.Upload(name=upload.name or "", stream=upload,
                                        document_order=int(order_text) if order_text else None))  # type: ignore[arg-type]
    return data, uploads


def _act(request: HttpRequest, code: str, slug: str) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    dossier = selectors.get_visible(user, code)
    spec = actions.get(slug)
    actions.check(user, dossier, spec)  # 403 / 409 before the input is read
    data, uploads = _action_input(request)
    dossier = actions.perform(user, dossier, slug, data, uploads)
    return dossier_out(dossier, selectors.may_see_personal_data(user, dossier))


def _action_doc(spec: actions.ActionSpec) -> dict[str, Any]:
    """The request body of one action, from its input schema (inlined: every reference resolves)."""
    schema = schemas.openapi_schema(spec.input)
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if spec.uploads:
        file_part = ({"file": {"type": "string", "format": "binary", "description": "The digitised result"}}
                     if spec.uploads == "file" else
                     {"documents.1": {"type": "string", "format": "binary",
                                      "description": "Files for document number 1; likewise documents.2, ..."}})
        content["multipart/form-data"] = {"schema": {"type": "object", "properties": {
            "data": {"type": "string", "description": "The JSON body above, as a string"}, **file_part}}}
    return {"requestBody": {"content": content, "required": False}}


def _action_operation(spec: actions.ActionSpec) -> None:
    def operation(request: HttpRequest, code: str) -> dict[str, Any]:
        return _act(request, code, spec.slug)

    operation.__name__ = "action_" + spec.slug.replace("-", "_")
    with translation.override("en"):
        summary, help_text = str(spec.label), str(spec.help)
    statuses = ", ".join(str(x) for x in sorted(spec.statuses))
    router.add_api_operation(
        f"/dossiers/{{code}}/actions/{spec.slug}", ["POST"], operation, response={200: DossierOut, **ERRORS},
        summary=summary, description=f"{help_text}\n\nFrom statuses {statuses}. Refused with 403 for who may not "
        "take it, 409 when the dossier's status does not allow it, 400 for bad input.",
        openapi_extra=_action_doc(spec), operation_id=operation.__name__)


for _spec in actions.REGISTRY.values():
    _action_operation(_spec)


@router.post("/dossiers/{code}/actions/{action}", response={404: ErrorOut}, include_in_schema=False)
def unknown_action(request: HttpRequest, code: str, action: str) -> dict[str, Any]:
    """Any other slug: 404 naming the actions there are."""
    return _act(request, code, action)


# Enumerations, not free strings: an unknown bucket used to list the whole queue, an unknown sort to sort by due.
QueueBucket = Literal["", "overdue", "step_overdue", "due_today", "at_risk", "mine", "to_take", "to_sign"]
QueueSort = Literal["due", "-due", "dossier_due", "-dossier_due", "received", "-received", "code", "-code"]


class QueueQuery(Schema):
    bucket: QueueBucket = Field(
        "", description="overdue (the dossier's promised date passed), step_overdue (the step's own deadline "
                        "passed), due_today (the step) or at_risk; or one of my own views: mine (assigned to me), "
                        "to_take (waiting for me to take), to_sign (waiting for my review or signature)")
    q: str = Field("", description="a dossier code, an ID number or part of the applicant's name")
    procedure: str = ""
    status: int | None = Field(None, ge=0, le=99)
    mine: bool = Field(False, description="only the steps assigned to me")
    sort: QueueSort = Field("due", description="due, dossier_due, received, code; prefix - for descending")
    limit: int = limit_field(50, 200)
    offset: Offset = 0


def queue_item(step: ProcessingStep, now: dt.datetime) -> dict[str, Any]:
    d = step.dossier
    return {"step": step_out(step), "state": wf_selectors.row_state(step, now), "dossier": {
        "code": d.code, "reference": d.reference, "status_code": d.status, "status": str(Status(d.status).label),
        "procedure": {"code": d.procedure.code, "name": d.procedure.name}, "applicant_name": d.applicant_name,
        "received_at": d.received_at, "due_at": d.due_at, "original_due_at": d.original_due_at,
        "risk_at": d.risk_at, "late_flagged_at": d.late_flagged_at}, "risk": risk_out(d)}


def risk_out(d: Dossier) -> dict[str, Any] | None:
    """The lateness model's word on the dossier (``risk``), when it has scored it."""
    predicted: risk.Risk | None = getattr(d, "predicted_risk", None)
    if predicted is None:
        return None
    return {"probability": round(predicted.probability, 4), "at_risk": predicted.at_risk,
            "expected_finish": predicted.expected_finish, "reasons": predicted.reasons}


@router.get("/queues/mine", response={200: QueueOut, **ERRORS}, summary="My work queue")
def my_queue(request: HttpRequest, filters: Query[QueueQuery]) -> dict[str, Any]:
    """The open steps I work on or may take, assign or sign: the dossier past its promised date (overdue), the
    step past its own deadline, the step due today, and at risk (the working time left is below what the
    remaining steps are planned to take), with the counts of each."""
    user: User = request.auth  # type: ignore[attr-defined]
    if not selectors.is_staff(user):
        raise PermissionDenied(_("Only staff have a work queue."), code="forbidden")
    queue = wf_selectors.queue_for(user, wf_selectors.QueueFilters(
        bucket=filters.bucket, q=filters.q, procedure=filters.procedure, status=filters.status, mine=filters.mine,
        sort=filters.sort), limit=filters.limit, offset=filters.offset)
    return {"count": queue.count, "counts": queue.counts, "items": [queue_item(s, queue.now) for s in queue.items]}


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get("/dossiers/{code}/forms/{form}", response={200: None, **ERRORS},
            summary="A legal form as PDF: the issued copy, or a preview marked as such (X-Form-Preview: 1)")
def get_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """Reading issues nothing: the issued form when there is one, else a preview that carries
    "BẢN XEM TRƯỚC — CHƯA PHÁT HÀNH" and the header ``X-Form-Preview: 1`` (issue it with POST)."""
    user: User = request.auth  # type: ignore[attr-defined]
    dossier = selectors.get_visible(user, code)
    return form_response(dossier, form, request.build_absolute_uri("/"), user, request.path)


@router.post("/dossiers/{code}/forms/{form}", response={200: None, **ERRORS},
             summary="Issue a legal form (once; the issued PDF is returned)")
def issue_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """Issue the form: its number, stored file and ``form_issued`` event, once. A second request (or ten at
    once) returns the form already issued."""
    user: User = request.auth  # type: ignore[attr-defined]
    dossier = selectors.get_visible(user, code)
    issued = issuing.issue(user, dossier, form, request.build_absolute_uri("/"))
    return _pdf(issuing.read(issued), f"{dossier.public_id}-{issued.role}.pdf")


@router.get("/dossiers/{code}/transfer-slips/{order}", response={200: None, **ERRORS},
            summary="The transfer slip of one agency's part of an inter-agency dossier, as PDF")
def get_transfer_slip(request: HttpRequest, code: str, order: int) -> HttpResponse:
    """The slip (*phiếu chuyển xử lý*) that sent part ``order`` to its agency, with its work and deadline."""
    user: User = request.auth  # type: ignore[attr-defined]
    dossier = selectors.get_visible(user, code)
    filename, pdf = issuing.transfer_slip(dossier, order)
    return _pdf(pdf, filename)


@router.get("/dossiers/{code}/files/{file_id}", response={200: None, 404: ErrorOut, 410: ErrorOut, **ERRORS},
            summary="A file of the dossier: inline for PDF and images, else (or with ?download=1) as an attachment")
def get_file(request: HttpRequest, code: str, file_id: int, download: bool = False) -> FileResponse:
    """For those who may see the dossier (404 for anyone else, as for the dossier); each opening by staff is
    logged as a ``personal_data_viewed`` event naming the file. ``Cache-Control: no-store``; an inline file
    carries ``Content-Security-Policy: sandbox``. 410 ``file_missing`` when the storage lost the file."""
    user: User = request.auth  # type: ignore[attr-defined]
    return serving.open_file(user, code, file_id, download=download, where=request.path)


def form_response(dossier: Dossier, form: str, base_url: str, reader: User | None = None,
                  where: str = "") -> HttpResponse:
    """The issued copy of the form, or a preview marked as such; masked for a reader who may not see the
    personal data, and logged (``issuing.for_reading``)."""
    filename, pdf, is_preview = issuing.for_reading(dossier, form, base_url, reader, where)
    response = _pdf(pdf, filename)
    if is_preview:
        response[issuing.PREVIEW_HEADER] = "1"
    return response


def _range(request: HttpRequest) -> tuple[dt.date, dt.date]:
    try:
        first = dt.date.fromisoformat(request.GET.get("from", ""))
        last = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError as exc:
        raise DomainError(_("Give the dates as from=YYYY-MM-DD&to=YYYY-MM-DD."), code="invalid_range") from exc
    check_day(first, "from")
    check_day(last, "to")
    if last < first or (last - first).days > 366:
        raise DomainError(_("The range must run forwards and span at most 366 days."), code="invalid_range")
    return first, last


def _in_background(request: HttpRequest, kind: str) -> HttpResponse | None:
    """A register of more dossiers than a request should render is built by a task (``core.exports``): 202 with
    the export's state and its address in ``Location`` (a browser is sent to the page that follows it, 303)."""
    user: User = request.auth  # type: ignore[attr-defined]
    if not selectors.is_staff(user):
        raise PermissionDenied(_("Only staff may read the register."), code="forbidden")
    wanted = exports.params(*_range(request))
    if not core_exports.in_background(kind, user, wanted):
        return None
    job = core_exports.start(kind, user, wanted)
    info = describe_export(job)
    if "text/html" in request.headers.get("Accept", ""):
        see_other = HttpResponseRedirect(info["page_url"])
        see_other.status_code = 303  # the page to follow, fetched with GET
        return see_other
    response = HttpResponse(json.dumps(info, cls=DjangoJSONEncoder), status=202, content_type="application/json")
    response["Location"] = f"/api/v1/exports/{job.pk}"
    return response


def _register(request: HttpRequest) -> tuple[User, list[Dossier], dt.date, dt.date]:
    user: User = request.auth  # type: ignore[attr-defined]
    if not selectors.is_staff(user):
        raise PermissionDenied(_("Only staff may read the register."), code="forbidden")
    first, last = _range(request)
    dossiers = services.rows_for_export(user, list(selectors.received_between(user, first, last)), request.path)
    return user, dossiers, first, last


_RANGE_DOC = {"parameters": [
    {"in": "query", "name": name, "required": True, "description": "YYYY-MM-DD; at most 366 days from `from` to `to`",
     "schema": {"type": "string", "format": "date"}} for name in ("from", "to")]}


@router.get("/registers/dossiers.xlsx", response={200: None, **ERRORS}, openapi_extra=_RANGE_DOC,
            summary="The dossier register (form 06/07) as XLSX, ?from=YYYY-MM-DD&to=YYYY-MM-DD")
@replica_reads
def register_xlsx(request: HttpRequest) -> HttpResponse:
    if (queued := _in_background(request, exports.XLSX)) is not None:
        return queued
    _, dossiers, first, last = _register(request)
    response = HttpResponse(issuing.renderer().register_xlsx(dossiers, first, last),
                            content_type=files.CONTENT_TYPES[files.XLSX])
    response["Content-Disposition"] = f'attachment; filename="so-theo-doi-ho-so-{first}-{last}.xlsx"'
    return response


@router.get("/registers/dossiers.pdf", response={200: None, **ERRORS}, openapi_extra=_RANGE_DOC,
            summary="The dossier register (form 06/07) as PDF, ?from=YYYY-MM-DD&to=YYYY-MM-DD")
@replica_reads
def register_pdf(request: HttpRequest) -> HttpResponse:
    if (queued := _in_background(request, exports.PDF)) is not None:
        return queued
    user, dossiers, first, last = _register(request)
    return _pdf(issuing.renderer().register_pdf(user, dossiers, first, last), f"so-theo-doi-ho-so-{first}-{last}.pdf")


# --- retention: destruction lists (``retention``; docs/security.md, *Retention of the agencies' records*) --------

class DestructionListOut(Schema):
    id: int
    agency: dict[str, str]
    status: str
    status_label: str
    prepared_at: dt.datetime
    decision: str
    approved_by: str | None
    approved_at: dt.datetime | None
    done_at: dt.datetime | None
    dossiers: int


class DestructionItemOut(Schema):
    dossier: str
    procedure: str
    closed_at: dt.datetime
    kept_until: dt.date
    done_at: dt.datetime | None


class DestructionListDetailOut(DestructionListOut):
    items: list[DestructionItemOut]


class DestructionDecisionIn(Schema):
    """Either ``decision`` (the number and date as one line) or ``number`` and ``decided_on`` apart, as the staff
    page sends them: the date is then checked (not in the future, not before the list was prepared)."""

    decision: str | None = Field(None, description="The number and date of the head of the agency's decision, "
                                                   "one line")
    number: str | None = Field(None, description="The decision's number alone, e.g. 12/QĐ-SXD")
    decided_on: dt.date | None = Field(None, description="The date the head of the agency signed the decision")


def _staff(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


@router.get("/destruction-lists", response={200: list[DestructionListOut], **ERRORS},
            summary="Destruction lists of dossiers past their retention period (leaders, administrators)")
def destruction_lists(request: HttpRequest) -> list[dict[str, Any]]:
    return [retention.list_out(d) for d in retention.visible_lists(_staff(request))[:200]]


@router.get("/destruction-lists/{list_id}", response={200: DestructionListDetailOut, **ERRORS},
            summary="One destruction list with its dossiers")
def destruction_list(request: HttpRequest, list_id: int) -> dict[str, Any]:
    found = retention.get_list(_staff(request), list_id)
    return {**retention.list_out(found), "items": [retention.item_out(i) for i in retention.items(found)]}


@router.post("/destruction-lists/{list_id}/approve", response={200: DestructionListOut, **ERRORS},
             summary="Record the head of the agency's decision approving a destruction list")
def approve_destruction_list(request: HttpRequest, list_id: int, body: DestructionDecisionIn) -> dict[str, Any]:
    """The dossiers of the approved list are anonymised by the next run of `motcua dossiers retention` (daily in
    the scheduler); nothing is anonymised before an approval. 409 when the list was already decided."""
    user = _staff(request)
    if body.number is None and body.decided_on is None:
        return retention.list_out(retention.approve(user, list_id, body.decision or ""))
    if body.decision is not None:
        message = _("Give either the decision as one line or its number and date, not both.")
        raise DomainError(message, code="invalid_input",
                          details={"fields": [{"field": "decision", "message": message}]})
    return retention.list_out(retention.approve_decision(user, list_id, body.number or "", body.decided_on))
