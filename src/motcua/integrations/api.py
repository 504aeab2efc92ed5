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
from motcua.core.api_schemas import ErrorOut
from motcua.core.errors import NotFound
from motcua.core.links import absolute
from motcua.dossiers.models import Dossier

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
