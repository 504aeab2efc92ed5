"""``/api/v1/notifications``: the notices sent about a subject (the evidence kept with a dossier), and the
providers' delivery receipts.

Reading needs a user allowed to read the subject (``selectors.can_view_subject``): the notices of a dossier
are read exactly by those to whom the dossier answers (its staff in scope, the inspector, its applicant);
others get 403, whether or not the dossier exists. Addresses are masked because the person reading them does
not need them to judge whether the applicant was told.
Receipts are posted by providers with the channel's shared secret (``OPTIONS["RECEIPT_SECRET"]``).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.core.api_schemas import ErrorOut, Offset, limit_field
from motcua.core.errors import DomainError, NotFound, PermissionDenied

from . import conf, selectors, services
from .channels import get_channel
from .models import DeliveryAttempt, Message

RECEIPT_SECRET_HEADER = "X-Motcua-Receipt-Secret"  # noqa: S105 (a header name)


class AttemptOut(Schema):
    number: int
    channel: str
    address: str
    status: str
    template_version: int | None
    provider_id: str
    provider_response: dict[str, Any]
    error: str
    queued_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    failed_at: dt.datetime | None


class MessageOut(Schema):
    id: int
    key: str
    language: str
    subject_ref: str
    recipient_name: str
    subject: str
    body: str
    template_version: int | None
    status: str
    channel: str
    plan: list[str]
    error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    failed_at: dt.datetime | None
    attempts: list[AttemptOut]


class MessageListOut(Schema):
    count: int
    items: list[MessageOut]


class MessageFilter(Schema):
    subject: str
    limit: int = limit_field(50, 200)
    offset: Offset = 0


class ReceiptOut(Schema):
    accepted: int
    unknown: int


def mask(address: str) -> str:
    """``an@example.com`` → ``a***@example.com``; ``0912345678`` → ``09******78``."""
    if "@" in address:
        local, _sep, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(address) <= 4:
        return "*" * len(address)
    return address[:2] + "*" * (len(address) - 4) + address[-2:]


def _attempt_out(attempt: DeliveryAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number, "channel": attempt.channel, "address": mask(attempt.address),
        "status": attempt.status, "template_version": attempt.template_version, "provider_id": attempt.provider_id,
        "provider_response": attempt.provider_response or {}, "error": attempt.error,
        "queued_at": attempt.queued_at, "sent_at": attempt.sent_at, "delivered_at": attempt.delivered_at,
        "failed_at": attempt.failed_at,
    }


def _message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk, "key": message.key, "language": message.language, "subject_ref": message.subject_ref,
        "recipient_name": message.recipient_name, "subject": message.subject, "body": message.body,
        "template_version": message.template_version, "status": message.status, "channel": message.channel,
        "plan": list(message.plan or []), "error": message.error, "created_at": message.created_at,
        "sent_at": message.sent_at, "delivered_at": message.delivered_at, "failed_at": message.failed_at,
        "attempts": [_attempt_out(a) for a in message.attempts.all()],
    }


def list_messages(request: HttpRequest, filters: Query[MessageFilter]) -> dict[str, Any]:
    """The notices sent about ``subject`` (e.g. ``dossier:<code>``), newest first, each with its delivery
    attempts. Addresses are masked."""
    if not selectors.can_view_subject(request.user, filters.subject):  # type: ignore[arg-type]
        raise PermissionDenied(_("You may not see the notices about this subject."))
    messages = selectors.messages_for(filters.subject)
    page = messages[filters.offset:filters.offset + filters.limit]
    return {"count": messages.count(), "items": [_message_out(m) for m in page]}


def post_receipt(request: HttpRequest, channel: str) -> dict[str, int]:
    """A provider reports that a message it accepted was delivered or failed. Send the channel's shared
    secret in the ``X-Motcua-Receipt-Secret`` header. Body: ``{"provider_id", "status", "detail"}`` or a
    list of them (or the provider's own format, if its adapter parses it)."""
    options = (conf.channels().get(channel) or {}).get("OPTIONS") or {}
    secret = str(options.get("RECEIPT_SECRET") or "")
    adapter = get_channel(channel)
    if not secret or adapter is None:
        raise NotFound(_("This channel does not accept delivery receipts."))
    given = request.headers.get(RECEIPT_SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise PermissionDenied(_("The receipt secret is wrong."))
    try:
        payload = json.loads(request.body or b"null")
    except ValueError as exc:
        raise DomainError(_("The body is not JSON."), code="invalid_input") from exc
    if not isinstance(payload, dict | list):
        raise DomainError(_("The body is not a receipt."), code="invalid_input")
    receipts = adapter.parse_receipt(payload)  # type: ignore[arg-type]
    accepted = sum(1 for receipt in receipts if services.record_receipt(channel, receipt))
    return {"accepted": accepted, "unknown": len(receipts) - accepted}


def make_router() -> Router:
    """The router, built by a function so that a test can mount its own copy on a separate API."""
    router = Router(tags=["notifications"])
    router.get("/notifications", response={200: MessageListOut, 401: ErrorOut, 403: ErrorOut},
               auth=STAFF_OR_CITIZEN, summary="Notices sent about a subject")(list_messages)
    router.post("/notifications/receipts/{channel}",
                response={200: ReceiptOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, auth=None,
                summary="Delivery receipt from a provider")(post_receipt)
    return router


router = make_router()
