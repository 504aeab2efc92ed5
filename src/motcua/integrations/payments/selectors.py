"""Reads of online payment: the panel of the citizen's dossier page (``portal`` includes it), an order as one
who may see its dossier sees it, the staff's list, the reconciliation reports, and the DVCQG flag
``DuocThanhToanTrucTuyen`` of a dossier for the national sync."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import NotFound
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.integrations.models import OnlinePayment, PaymentReconciliation, PaymentState

from . import providers


def enabled() -> bool:
    return providers.enabled()


def for_dossier(dossier: Dossier) -> list[OnlinePayment]:
    return list(OnlinePayment.objects.filter(dossier=dossier).order_by("-created_at", "-id"))


def panel(dossier: Dossier, user: User) -> dict[str, Any]:
    """What the applicant's dossier page shows of payment: the amount awaited, whether it may be paid online here
    (the button), the live order if one is under way, and the orders made, with their receipts."""
    awaiting = None
    if dossier.status == Status.PAYMENT_REQUESTED:
        awaiting = dossier.payments.filter(paid_at__isnull=True).order_by("id").first()
    orders = for_dossier(dossier)
    live = next((o for o in orders if o.state in (PaymentState.CREATED, PaymentState.PENDING)), None)
    return {"awaiting": awaiting, "may_pay_online": awaiting is not None and enabled() and dossier.owner_id == user.pk,
            "live": live, "orders": orders}


def visible_order(user: User, order_id: str) -> OnlinePayment:
    """The order, for the applicant or a member of staff who may see its dossier; ``NotFound`` otherwise, as for
    the dossier."""
    online = (OnlinePayment.objects.select_related("dossier", "payment", "refunded_by")
              .filter(order_id=order_id[:40]).first()) if user.is_authenticated else None
    if online is None or not (online.dossier.owner_id == user.pk
                              or dossier_selectors.visible(user).filter(pk=online.dossier_id).exists()):
        raise NotFound(_("There is no such payment."), code="payment_not_found")
    return online


def staff_list(user: User, code: str = "", state: str = "") -> QuerySet[OnlinePayment]:
    """The orders of the dossiers ``user`` may see (staff), newest first; by dossier code, by state."""
    rows = OnlinePayment.objects.filter(dossier__in=dossier_selectors.visible(user).exclude(owner=user))
    if code:
        rows = rows.filter(Q(dossier__code=code) | Q(dossier__reference=code) | Q(order_id=code))
    if state in PaymentState.values:
        rows = rows.filter(state=state)
    return rows.select_related("dossier").order_by("-created_at", "-id")


def reports(limit: int = 60) -> list[PaymentReconciliation]:
    return list(PaymentReconciliation.objects.order_by("-day", "provider")[:limit])


def online_payment_kind(dossier: Dossier) -> int | None:
    """DVCQG ``DuocThanhToanTrucTuyen`` of the dossier: 1 (DVCQG platform) or 2 (a ministry's or the province's
    gateway) when its payment request was confirmed by an online payment here, else None."""
    row = (OnlinePayment.objects.filter(dossier=dossier, confirmed=True).order_by("-paid_at", "-id")
           .values_list("kind", flat=True).first())
    return int(row) if row is not None else None
