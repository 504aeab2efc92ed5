"""The integrations API (mounted at /api/v1/integrations/)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.api_schemas import ErrorOut
from motcua.core.errors import NotFound, PermissionDenied
from motcua.core.links import absolute
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.models import Dossier

from .dvcqg import selectors as sync_selectors
from .dvcqg import services as sync_services
from .models import OnlinePayment
from .payments import selectors as payment_selectors
from .payments import services as payment_services

router = Router(tags=["integrations"])

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- online payment (docs/integrations-payments.md) -------------------------------------------------------------

class OnlinePaymentOut(Schema):
    order_id: str
    dossier: str
    amount_vnd: int
    state: str
    kind: int
    checkout_url: str
    qr_payload: str
    expires_at: dt.datetime
    paid_at: dt.datetime | None
    receipt_number: str
    receipt_url: str
    needs_refund: bool
    refunded_at: dt.datetime | None


class RefundIn(Schema):
    reason: str


def _out(online: OnlinePayment) -> dict[str, Any]:
    return {"order_id": online.order_id, "dossier": online.dossier.public_id, "amount_vnd": online.amount_vnd,
            "state": online.state, "kind": online.kind, "checkout_url": online.checkout_url if online.live else "",
            "qr_payload": online.qr_payload if online.live else "", "expires_at": online.expires_at,
            "paid_at": online.paid_at, "receipt_number": online.receipt_number,
            "receipt_url": absolute(reverse("integrations:payment-receipt", args=[online.order_id]))
            if online.receipt_file else "", "needs_refund": online.needs_refund, "refunded_at": online.refunded_at}


@router.post("/payments/dossiers/{code}", auth=STAFF_OR_CITIZEN, response={201: OnlinePaymentOut, **ERRORS},
             summary="Pay a dossier's awaited fees online (the applicant)")
def start_payment(request: HttpRequest, code: str) -> tuple[int, dict[str, Any]]:
    """An order at the payment provider for the amount the agency requested (never an amount sent by the client),
    or the live one while it is valid: send the applicant to ``checkout_url`` or show ``qr_payload``."""
    user = cast(User, request.user)
    dossier = Dossier.objects.filter(owner=user, code=code).first() or Dossier.objects.filter(
        owner=user, reference=code).first()
    if dossier is None:
        raise NotFound(_("There is no dossier %(code)s.") % {"code": code[:100]}, code="dossier_not_found")
    return 201, _out(payment_services.start_payment(user, dossier))


@router.get("/payments/{order_id}", auth=STAFF_OR_CITIZEN, response={200: OnlinePaymentOut, **ERRORS},
            summary="An online payment (its applicant, or staff who may see its dossier)")
def get_payment(request: HttpRequest, order_id: str) -> dict[str, Any]:
    return _out(payment_selectors.visible_order(cast(User, request.user), order_id))


@router.post("/payments/{order_id}/refund", auth=STAFF_OR_CITIZEN, response={200: OnlinePaymentOut, **ERRORS},
             summary="Refund a paid online payment in full (the desk or the processing unit)")
def refund_payment(request: HttpRequest, order_id: str, body: RefundIn) -> dict[str, Any]:
    user = cast(User, request.user)
    online = payment_selectors.visible_order(user, order_id)
    return _out(payment_services.refund(user, online, body.reason))


# --- DVCQG synchronisation (docs/integrations.md) ------------------------------------------------------------

class SyncRecordOut(Schema):
    id: int
    dossier: str
    kind: str
    key: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime | None
    acked_at: dt.datetime | None
    last_error: str


class DossierSyncOut(Schema):
    dossier: str
    state: str
    acked: int
    pending: int
    dead: int
    last_acked_at: dt.datetime | None
    last_error: str
    records: list[SyncRecordOut]


class SyncSummaryOut(Schema):
    configured: bool
    enabled: bool
    acked: int
    pending: int
    held_back: int
    dead: int
    dead_records: list[SyncRecordOut]


def _record(r: Any, code: str) -> dict[str, Any]:
    return {"id": r.pk, "dossier": code, "kind": r.kind, "key": r.key, "state": r.state, "attempts": r.attempts,
            "next_attempt_at": r.next_attempt_at, "acked_at": r.acked_at, "last_error": r.last_error}


def _staff_or_404(request: HttpRequest, code: str) -> Dossier:
    user = cast(User, request.auth)  # type: ignore[attr-defined]
    if not dossier_selectors.is_staff(user):
        raise NotFound(_("No dossier with this code."))
    return dossier_selectors.get_visible(user, code)


@router.get("/sync/dossiers/{code}", auth=STAFF_OR_CITIZEN, response={200: DossierSyncOut, **ERRORS},
            summary="A dossier's synchronisation with DVCQG (staff who may see the dossier)")
def dossier_sync(request: HttpRequest, code: str) -> dict[str, Any]:
    dossier = _staff_or_404(request, code)
    info = sync_selectors.dossier_sync(dossier, last=50)
    return {"dossier": dossier.public_id, "state": info.state, "acked": info.acked, "pending": info.pending,
            "dead": info.dead, "last_acked_at": info.last_acked_at, "last_error": info.last_error,
            "records": [_record(r, dossier.public_id) for r in reversed(info.records)]}


def _administrator(request: HttpRequest) -> User:
    user = cast(User, request.auth)  # type: ignore[attr-defined]
    if not has_capability(user, Capability.ADMINISTER):
        raise PermissionDenied(_("Only an administrator may do this."), code="forbidden")
    return user


@router.get("/sync", auth=STAFF_OR_CITIZEN, response={200: SyncSummaryOut, **ERRORS},
            summary="The outbox to DVCQG: counts and the records set aside (administrators)")
def sync_summary(request: HttpRequest) -> dict[str, Any]:
    _administrator(request)
    s = sync_selectors.summary()
    return {"configured": s["configured"], "enabled": s["enabled"], "acked": s["acked"], "pending": s["pending"],
            "held_back": s["blocked"], "dead": s["dead"],
            "dead_records": [_record(r, r.dossier.public_id) for r in s["dead_records"]]}


@router.post("/sync/records/{record_id}/replay", auth=STAFF_OR_CITIZEN, response={200: SyncRecordOut, **ERRORS},
             summary="Send a record set aside again (administrators)")
def sync_replay(request: HttpRequest, record_id: int) -> dict[str, Any]:
    record = sync_services.replay(_administrator(request), record_id)
    return _record(record, Dossier.objects.only("code", "reference").get(pk=record.dossier_id).public_id)
