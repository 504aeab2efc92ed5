"""``/api/v1/feedback``: submission (anyone, the channel ``api``), the published answers (anyone), the sender's
tracking with the receipt's secret, and for staff the list and search, an item's detail and one operation per
registered action (``actions.ACTIONS``), as the dossier API does. Thin: parse, call a service or selector,
shape the answer.

Who reads what (``access.py``): the agency's officers read its items with the sender's data; a tree-wide
reader (the inspector, the administrator) reads every item with the sender's data masked and acts on none;
an officer of another agency gets 404, as for a dossier; the public reads published answers, never a sender.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field
from pydantic import ValidationError as PydanticError

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import OrgUnit, User
from motcua.core.api_schemas import ErrorOut, Offset, field_message, limit_field
from motcua.core.errors import DomainError, PermissionDenied
from motcua.dossiers import files
from motcua.dossiers.schemas import openapi_schema
from motcua.dossiers.selectors import mask, mask_address

from . import access, actions, deadlines, selectors, services, throttle
from .choices import EventKind, Status
from .models import FeedbackItem
from .schemas import (
    Code,
    FeedbackDetailOut,
    FeedbackIn,
    FeedbackListOut,
    FollowedUpOut,
    FollowUpIn,
    InfoIn,
    PublicAnswerOut,
    PublicListOut,
    ReactIn,
    SenderItemOut,
    SubmittedOut,
    Text,
)

router = Router(tags=["feedback"], auth=STAFF_OR_CITIZEN)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
# Anyone may call these: no 401 or 403, but a 429 when a client sends too many.
PUBLIC_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


def _throttle(request: HttpRequest, scope: str) -> None:
    allowed = throttle.allow_submit(request) if scope == "submit" else throttle.allow_lookup(request)
    if not allowed:
        raise DomainError(_("Too many requests from your connection. Wait a few minutes and try again."),
                          code="throttled", status=429)


# --- shaping -------------------------------------------------------------------------------------------------

def _unit(unit: OrgUnit | None) -> dict[str, Any] | None:
    return None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.name}


def _sender(item: FeedbackItem, full: bool) -> dict[str, Any]:
    if full:
        return {"name": item.sender_name, "phone": item.sender_phone, "email": item.sender_email,
                "id_number": item.sender_id_number, "address": item.sender_address, "masked": False}
    return {"name": item.sender_name, "phone": mask(item.sender_phone, 0, 3), "email": mask(item.sender_email, 1, 0),
            "id_number": mask(item.sender_id_number, 0, 3), "address": mask_address(item.sender_address),
            "masked": True}


def _full_sender(user: User, item: FeedbackItem) -> bool:
    """The sender's data in full for the agency's own officers (who handle it); masked for a tree-wide reader,
    as a dossier's applicant is for the inspector (DESIGN.md, Privacy)."""
    return access.Access(user, item).sees_sender


def item_out(item: FeedbackItem, full_sender: bool) -> dict[str, Any]:
    return {
        "code": item.code, "status": item.status, "status_label": str(Status(item.status).label),
        "topic": item.topic, "kind": item.kind, "channel": item.channel, "title": item.title,
        "agency": _unit(item.agency), "division": _unit(item.division),
        "assignee": {"id": item.assignee.pk, "name": item.assignee.get_full_name()} if item.assignee else None,
        "field": {"id": item.field.pk, "name": item.field.name} if item.field else None,
        "received_at": item.received_at, "answer_due": item.answer_due, "publish_due": item.publish_due,
        "next_due": deadlines.agency_due(item), "extended": item.extended_at is not None, "hidden": item.hidden,
        "sender": _sender(item, full_sender),
    }


def _code(item: FeedbackItem | None) -> str | None:
    return item.code if item is not None else None


def detail_out(user: User, item: FeedbackItem) -> dict[str, Any]:
    now = timezone.now()
    body = item_out(item, _full_sender(user, item))
    body.update({
        "content": item.content, "proposal": item.proposal, "address_string": item.address_string,
        "lat": float(item.lat) if item.lat is not None else None,
        "long": float(item.long) if item.long is not None else None,
        "procedure": item.procedure.code if item.procedure else None,
        "dossier": item.dossier.code if item.dossier else None,
        "officers": [{"id": o.pk, "name": o.get_full_name()} for o in item.officers.all()],
        "reason": item.reason, "forwarded_to": item.forwarded_to, "duplicate_of": _code(item.duplicate_of),
        "follow_up_of": _code(item.follow_up_of), "forwarded_from": _code(item.forwarded_from),
        "info_request": item.info_request, "answer": item.answer, "review": item.review or {},
        "public_title": item.public_title, "public_content": item.public_content,
        "public_answer": item.public_answer, "publication_channels": item.publication_channels,
        "published_at": item.published_at, "reaction": item.reaction, "finding": item.finding,
        "finding_note": item.finding_note, "on_time": deadlines.on_time(item, now),
        "steps": [{"step": c.step, "label": c.label, "due_at": c.due_at, "done_at": c.done_at, "met": c.met,
                   "late": c.met is False} for c in deadlines.steps(item, now)],
        "history": [{"seq": e.seq, "kind": e.kind, "label": str(EventKind(e.kind).label), "at": e.at,
                     "actor": e.actor.get_full_name() if e.actor else "", "data": e.data}
                    for e in selectors.history(item)],
        "attachments": [{"id": f.pk, "name": f.name, "content_type": f.content_type, "size": f.size,
                         "sha256": f.sha256, "public": f.public} for f in item.attachments.all()],
        "actions": [a.slug for a in actions.offered(user, item)],
    })
    return body


def public_out(item: FeedbackItem) -> dict[str, Any]:
    # Only the redacted texts the approver checked (services.publish refuses any that still hold the
    # sender's data); never title, content or answer as written.
    return {"code": item.code, "agency": item.agency.name, "field": item.field.name if item.field else None,
            "kind": item.kind, "title": item.public_title, "question": item.public_content,
            "answer": item.public_answer, "received_at": item.received_at, "published_at": item.published_at}


def sender_out(item: FeedbackItem) -> dict[str, Any]:
    answered = item.status in (Status.APPROVED, Status.PUBLISHED)
    return {"code": item.code, "status": item.status, "status_label": str(Status(item.status).label),
            "agency": item.agency.name, "title": item.title, "content": item.content,
            "received_at": item.received_at, "answer_due": item.answer_due,
            "info_request": item.info_request if item.status == Status.INFO_REQUESTED else "",
            "reason": item.reason, "forwarded_to": item.forwarded_to, "merged_into": _code(item.duplicate_of),
            "answer": item.answer if answered else "", "reaction": item.reaction,
            "may_react": answered and not item.reaction, "may_follow_up": answered,
            "may_provide_info": item.status == Status.INFO_REQUESTED}


# --- submission (anyone) -------------------------------------------------------------------------------------

_SUBMIT_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": openapi_schema(FeedbackIn)},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "data": {"type": "string", "description": "FeedbackIn as JSON"},
                "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                          "description": f"photos or documents (PDF, images), at most {services.MAX_FILES}; "
                                         "checked by their content"}}}},
        },
        "required": True,
    }
}


def _parse_submission(request: HttpRequest) -> tuple[FeedbackIn, list[files.Upload]]:
    """JSON, or multipart with the JSON in ``data`` and the files in ``files`` (repeatable)."""
    try:
        if request.content_type == "multipart/form-data":
            body = FeedbackIn.model_validate_json(request.POST.get("data", ""))
        else:
            body = FeedbackIn.model_validate_json(request.body or b"")
    except PydanticError as exc:
        fields = [{"field": ".".join(str(p) for p in e.get("loc", [])), "message": field_message(dict(e))}
                  for e in exc.errors()]
        raise DomainError(_("The request is not valid: check the fields listed."), code="invalid_input",
                          details={"fields": fields}) from exc
    uploads = []
    for key in request.FILES:
        if key != "files":
            raise DomainError(_("Send the files in the field named files."), code="invalid_input")
        uploads += [files.Upload(name=f.name or "", stream=f) for f in request.FILES.getlist(key)]
    return body, uploads


@router.post("", response={201: SubmittedOut, **PUBLIC_ERRORS, 413: ErrorOut}, auth=None,
             openapi_extra=_SUBMIT_DOC, summary="Send a feedback or petition (anyone, no sign-in)")
def submit(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    """Receives the item on the ``api`` channel: its code, its deadlines from the agency's calendar and the
    sender's tracking address (it carries the secret: whoever has it reads the item and the answer). Rate
    limited per client (429 ``throttled``). Feedback on a regulation needs no name; one about a dossier or an
    officer needs the name and a phone, an e-mail or an address. JSON, or multipart with the JSON in
    ``data`` and photos or documents in ``files``."""
    _throttle(request, "submit")
    body, uploads = _parse_submission(request)
    agency = None
    if body.agency_code:
        agency = OrgUnit.objects.filter(code=body.agency_code.strip()).first()
        if agency is None:
            raise DomainError(_("No agency has this code."), code="not_found", details={"field": "agency_code"})
    data = services.Submission(
        title=body.title, content=body.content, agency=agency, topic=body.topic, kind=body.kind,
        proposal=body.proposal, field_id=body.field_id, procedure_code=body.procedure_code,
        dossier_code=body.dossier_code, address_string=body.address_string, lat=body.lat, long=body.long,
        name=body.name, phone=body.phone, email=body.email, id_number=body.id_number, address=body.address,
        language=translation.get_language() or "vi", uploads=uploads)
    item = services.submit(data, channel="api")
    return 201, {"code": item.code, "status": item.status, "status_label": str(Status(item.status).label),
                 "received_at": item.received_at, "tracking_url": services.tracking_url(item),
                 "secret": item.secret, "deadlines": {
                     "reject_due": item.reject_due, "forward_due": item.forward_due, "info_due": item.info_due,
                     "answer_due": item.answer_due, "publish_due": item.publish_due}}


# --- published answers (anyone) ------------------------------------------------------------------------------

class PublicQuery(Schema):
    q: Text = Field("", max_length=200, description="words of the question or the answer; diacritics optional")
    agency_id: int | None = Field(None, ge=1, le=2**31 - 1)
    field_id: int | None = Field(None, ge=1, le=2**31 - 1)
    year: int | None = Field(None, ge=2000, le=2100)
    limit: int = limit_field(20, 100)
    offset: Offset = 0


@router.get("/public", response={200: PublicListOut, **PUBLIC_ERRORS}, auth=None,
            summary="Published answers (anyone)")
def public_answers(request: HttpRequest, filters: Query[PublicQuery]) -> dict[str, Any]:
    """Answers to feedback on regulations, as published after the redaction step (Decree 20/2008 Art. 19),
    newest first; no data of any sender."""
    qs = selectors.public_answers(selectors.PublicQuery(q=filters.q, agency_id=filters.agency_id,
                                                        field_id=filters.field_id, year=filters.year))
    items = list(qs[filters.offset:filters.offset + filters.limit])
    return {"count": qs.count(), "items": [public_out(i) for i in items]}


@router.get("/public/{code}", response={200: PublicAnswerOut, **PUBLIC_ERRORS}, auth=None,
            summary="One published answer (anyone)")
def public_answer(request: HttpRequest, code: Code) -> dict[str, Any]:
    return public_out(selectors.public_answer(code))


# --- the sender, with the receipt's secret -------------------------------------------------------------------

@router.get("/track/{code}", response={200: SenderItemOut, **PUBLIC_ERRORS}, auth=None,
            summary="Follow my feedback with its code and the receipt's secret")
def track(request: HttpRequest, code: Code, secret: Text = "") -> dict[str, Any]:
    """One answer (404) for an unknown code and a wrong secret, so codes cannot be probed; rate limited per
    client (429)."""
    _throttle(request, "track")
    return sender_out(selectors.item_for_sender(code, secret))


def _own(request: HttpRequest, code: Code, secret: str) -> FeedbackItem:
    _throttle(request, "track")
    return selectors.item_for_sender(code, secret)


@router.post("/track/{code}/react", response={200: SenderItemOut, **PUBLIC_ERRORS}, auth=None,
             summary="Say whether the answer satisfied me (once)")
def react(request: HttpRequest, code: Code, body: ReactIn) -> dict[str, Any]:
    """Counts for 766 indicator 5.3; 409 before an answer or after a first reaction."""
    item = services.react(_own(request, code, body.secret), reaction=body.reaction, secret=body.secret)
    return sender_out(item)


@router.post("/track/{code}/info", response={200: SenderItemOut, **PUBLIC_ERRORS}, auth=None,
             summary="Give the information the agency asked for")
def provide_info(request: HttpRequest, code: Code, body: InfoIn) -> dict[str, Any]:
    """Only while the agency waits for it (409 otherwise). Files are not taken here (the tracking page takes
    them)."""
    item = services.provide_info(_own(request, code, body.secret), secret=body.secret, text=body.text)
    return sender_out(item)


@router.post("/track/{code}/follow-up", response={201: FollowedUpOut, **PUBLIC_ERRORS}, auth=None,
             summary="Follow up the answer: a new item linked to this one")
def follow_up(request: HttpRequest, code: Code, body: FollowUpIn) -> tuple[int, dict[str, Any]]:
    """The item's history is never edited: the follow-up is a new item with its own code and secret; it
    counts against 766 indicator 5.3 for the first. 409 before an answer."""
    new = services.follow_up(_own(request, code, body.secret), content=body.content, secret=body.secret)
    return 201, {"code": new.code, "follow_up_of": code, "tracking_url": services.tracking_url(new),
                 "secret": new.secret}


# --- staff ---------------------------------------------------------------------------------------------------

class ListQuery(Schema):
    view: str = Field("open", description="open, mine, unclassified, due_today, overdue, at_risk, approved, "
                                          "closed, all, spam")
    q: Text = Field("", max_length=200, description="a code, or words of the title or the content")
    agency_id: int | None = Field(None, ge=1, le=2**31 - 1)
    field_id: int | None = Field(None, ge=1, le=2**31 - 1)
    division_id: int | None = Field(None, ge=1, le=2**31 - 1)
    status: str = Field("", max_length=20, description="one of the statuses (empty: any)")
    topic: str = Field("", max_length=20, description="regulation or conduct (empty: both)")
    limit: int = limit_field(20, 100)
    offset: Offset = 0


def _staff(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not access.is_staff_reader(user):
        raise PermissionDenied(_("Only staff may search feedback."), code="forbidden")
    return user


@router.get("", response={200: FeedbackListOut, **ERRORS}, summary="Search feedback (staff)")
def list_items(request: HttpRequest, filters: Query[ListQuery]) -> dict[str, Any]:
    """The items the caller reads: the agency's officers their agency's, the inspector every agency's (the
    sender's data masked). The due views follow the agency's next date (publication once approved, else the
    answer)."""
    user = _staff(request)
    if filters.status and filters.status not in Status.values:
        raise DomainError(_("Unknown status."), code="invalid_input", details={"field": "status"})
    qs = selectors.staff_items(user, view=filters.view, q=filters.q, agency_id=filters.agency_id,
                               field_id=filters.field_id, division_id=filters.division_id, status=filters.status,
                               topic=filters.topic)
    items = list(qs[filters.offset:filters.offset + filters.limit])
    return {"count": qs.count(), "items": [item_out(i, _full_sender(user, i)) for i in items]}


@router.get("/{code}", response={200: FeedbackDetailOut, **ERRORS}, summary="A feedback item (staff)")
def get_item(request: HttpRequest, code: Code) -> dict[str, Any]:
    """With its deadlines judged now (each step met, late or still in time), its history, its files'
    metadata and the actions the caller may take. 404 for anyone who may not read it."""
    user: User = request.auth  # type: ignore[attr-defined]
    return detail_out(user, selectors.item_for_staff(user, code))


def _action_input(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(_("The request body is not valid JSON."), code="invalid_input") from exc
    if not isinstance(data, dict):
        raise DomainError(_("The request body must be a JSON object."), code="invalid_input")
    if _has_nul(data):  # PostgreSQL refuses NUL in text: a 400 here, never a 500 at the database
        raise DomainError(_("The request is not valid."), code="invalid_input")
    return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _act(request: HttpRequest, code: Code, slug: str) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    item = selectors.item_for_staff(user, code)
    item = actions.take(user, item, slug, _action_input(request))
    return detail_out(user, selectors.item_for_staff(user, item.code))


def _action_operation(action: actions.Action) -> None:
    def operation(request: HttpRequest, code: Code) -> dict[str, Any]:
        return _act(request, code, action.slug)

    operation.__name__ = "feedback_action_" + action.slug.replace("-", "_")
    with translation.override("en"):
        summary = str(action.label)
    statuses = ", ".join(sorted(action.statuses))
    router.add_api_operation(
        f"/{{code}}/actions/{action.slug}", ["POST"], operation, response={200: FeedbackDetailOut, **ERRORS},
        summary=summary, description=f"From statuses: {statuses}. Refused with 404 for who may not read the "
        "item, 403 for who may not take this action, 409 when the item's status does not allow it, 400 for bad "
        "input.", openapi_extra={"requestBody": {"content": {"application/json": {
            "schema": openapi_schema(action.schema)}}, "required": False}},
        operation_id=operation.__name__)


for _action in actions.ACTIONS.values():
    _action_operation(_action)


@router.post("/{code}/actions/{slug}", response={404: ErrorOut}, include_in_schema=False)
def unknown_action(request: HttpRequest, code: Code, slug: str) -> dict[str, Any]:
    """Any other slug: 404."""
    return _act(request, code, slug)
