"""Every write of online payment: start an order, take the provider's notice, close abandoned orders, refund,
reconcile a day. The dossier itself moves only through ``dossiers.workflow.services.confirm_payment`` (6 → 4), in
the transaction that records the payment, exactly as when the desk confirms a payment by hand.

Rules that protect the money (Circular 01/2018 Art. 12(5) as amended, payment online of fees; Decree 45/2020
Art. 10: the amount is the one the procedure states):
- the amount is the payment request's, never the client's; a notice with another amount is refused and kept;
- one live order per payment request (reused while valid); ``order_id`` is the idempotency key: a repeated
  notice of a paid order changes nothing and is answered OK, so the provider stops retrying;
- every notice is kept, refused ones included (``PaymentCallback``).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.core.links import absolute
from motcua.core.text import nfc
from motcua.dossiers import files
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import services as workflow
from motcua.dossiers.workflow.choices import PaymentChannel
from motcua.dossiers.workflow.models import Payment
from motcua.integrations.models import (
    CallbackOutcome,
    OnlinePayment,
    PaymentCallback,
    PaymentReconciliation,
    PaymentState,
)

from . import providers
from .providers import BadMessage, BadSignature, Notice, Provider, ProviderUnavailable

logger = logging.getLogger(__name__)


def _provider(provider: Provider | None) -> Provider:
    if provider is not None:
        return provider
    if not providers.enabled():
        raise Conflict(_("Online payment is not available here: pay at the one-stop desk."), code="payment_off")
    return providers.get_provider()


def _order_id(payment: Payment) -> str:
    # Ours, unique, short and plain (letters and digits are what every platform accepts): the payment request's
    # number and 8 random hex digits.
    return f"MC{payment.pk:08d}{secrets.token_hex(4).upper()}"


def callback_url() -> str:
    return getattr(settings, "MOTCUA_PAYMENT_CALLBACK_URL", "") or absolute(reverse("integrations:payment-callback"))


def may_refund(user: User, dossier: Dossier) -> bool:
    """Those who may confirm a payment by hand: the desk of the receiving unit or the processing unit."""
    return user.is_authenticated and (
        has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)
        or (has_capability(user, Capability.PROCESS_DOSSIERS) and dossier_selectors.processes(user, dossier)))


# --- start ---------------------------------------------------------------------------------------------------

def start_payment(user: User, dossier: Dossier, *, provider: Provider | None = None) -> OnlinePayment:
    """The applicant (the dossier's own account, nobody else) starts paying the open payment request online: a
    new order at the provider for the request's amount, or the live one when it is still valid."""
    if not user.is_authenticated or dossier.owner_id != user.pk:
        raise PermissionDenied(_("Only the applicant's own account may pay this dossier online."), code="forbidden")
    p = _provider(provider)
    now = timezone.now()
    payment = _open_payment(dossier)
    live = OnlinePayment.objects.filter(payment=payment, state__in=[PaymentState.CREATED, PaymentState.PENDING]).first()
    if live is not None:
        if live.state == PaymentState.PENDING and live.expires_at > now + dt.timedelta(minutes=1):
            return live
        live = check_order(live, provider=p)  # it may have been paid meanwhile; else it is closed
        if live.state in (PaymentState.PAID, PaymentState.PENDING):
            return live
        if live.state == PaymentState.CREATED:  # never accepted by the provider (a crash between the two writes)
            OnlinePayment.objects.filter(pk=live.pk, state=PaymentState.CREATED).update(
                state=PaymentState.FAILED, closed_at=now, note="never accepted by the provider")
    validity = dt.timedelta(minutes=getattr(settings, "MOTCUA_PAYMENT_EXPIRY_MINUTES", 30))
    try:
        with transaction.atomic():
            online = OnlinePayment.objects.create(
                payment=payment, dossier=dossier, provider=p.name, kind=p.kind, order_id=_order_id(payment),
                amount_vnd=payment.amount_vnd, started_by=user, created_at=now, expires_at=now + validity)
    except IntegrityError as exc:  # another tab started it at the same instant
        raise Conflict(_("A payment of this dossier has just been started. Open the dossier again."),
                       code="payment_started") from exc
    description = nfc(_("Fees of dossier %(code)s") % {"code": dossier.public_id})[:200]
    order = providers.Order(order_id=online.order_id, amount_vnd=online.amount_vnd, description=description,
                            return_url=absolute(reverse("integrations:payment", args=[online.order_id])),
                            notify_url=callback_url(), expires_at=online.expires_at)
    try:
        checkout = p.create(order)
    except ProviderUnavailable:
        OnlinePayment.objects.filter(pk=online.pk).update(state=PaymentState.FAILED, closed_at=timezone.now(),
                                                          note="the provider refused or did not answer the order")
        raise
    expires = min(online.expires_at, checkout.expires_at) if checkout.expires_at else online.expires_at
    OnlinePayment.objects.filter(pk=online.pk, state=PaymentState.CREATED).update(
        state=PaymentState.PENDING, checkout_url=checkout.redirect_url[:1000], qr_payload=checkout.qr_payload,
        expires_at=expires)
    online.refresh_from_db()
    return online


def _open_payment(dossier: Dossier) -> Payment:
    if dossier.status != Status.PAYMENT_REQUESTED:
        raise Conflict(_("No payment is awaited for this dossier."), code="no_payment_awaited")
    payment = dossier.payments.filter(paid_at__isnull=True).order_by("id").first()
    if payment is None:
        raise Conflict(_("No payment is awaited for this dossier."), code="no_payment_awaited")
    return payment


# --- the provider's word: notices and queries -------------------------------------------------------------------

@dataclass
class CallbackAnswer:
    status: int
    body: dict[str, Any]
    outcome: str


def _log(online: OnlinePayment | None, order_id: str, body: bytes, valid: bool, outcome: str, detail: str = "") -> None:
    PaymentCallback.objects.create(online_payment=online, received_at=timezone.now(), order_id=order_id[:100],
                                   body=body.decode("utf-8", "replace")[:20000], signature_valid=valid,
                                   outcome=outcome, detail=detail[:500])


def handle_callback(body: bytes, headers: dict[str, str] | None = None, *,
                    provider: Provider | None = None) -> CallbackAnswer:
    """A notice posted by the provider: the signature checked, then the order and the amount; applied once.
    Every notice is logged with what was done with it. Answers what the provider is to be told."""
    p = _provider(provider)
    try:
        notice = p.parse_notice(body)
    except BadSignature:
        _log(None, "", body, False, CallbackOutcome.BAD_SIGNATURE)
        return CallbackAnswer(400, p.answer(False, "bad signature"), CallbackOutcome.BAD_SIGNATURE)
    except BadMessage as exc:
        _log(None, "", body, False, CallbackOutcome.INVALID, str(exc))
        return CallbackAnswer(400, p.answer(False, "unreadable"), CallbackOutcome.INVALID)
    with transaction.atomic():
        outcome, online, detail = _apply(notice)
    _log(online, notice.order_id, body, True, outcome, detail)
    if outcome in (CallbackOutcome.APPLIED, CallbackOutcome.DUPLICATE):
        if online is not None and online.state == PaymentState.PAID and not online.receipt_file:
            fetch_receipt(online, provider=p)
        return CallbackAnswer(200, p.answer(True, "OK"), outcome)
    return CallbackAnswer(400, p.answer(False, detail or outcome), outcome)


def check_order(online: OnlinePayment, *, provider: Provider | None = None) -> OnlinePayment:
    """Ask the provider about an order not yet paid here (a notice lost, a citizen back before the notice) and
    apply its answer; an order still unpaid past its validity is closed as abandoned."""
    p = _provider(provider)
    if online.state not in (PaymentState.CREATED, PaymentState.PENDING):
        return online
    try:
        notice: Notice | None = p.query(online.order_id)
    except ProviderUnavailable:
        notice = None
    now = timezone.now()
    if notice is not None and notice.status in (providers.PAID, providers.FAILED, providers.CANCELLED):
        with transaction.atomic():
            outcome, _online, detail = _apply(notice)
        if outcome == CallbackOutcome.AMOUNT_MISMATCH:
            logger.warning("Order %s: the provider reports another amount (%s)", online.order_id, detail)
    elif online.expires_at <= now and (notice is not None or online.state == PaymentState.CREATED):
        # Unpaid at the provider past its validity: abandoned. (Unreachable provider: asked again next time.)
        OnlinePayment.objects.filter(pk=online.pk, state__in=[PaymentState.CREATED, PaymentState.PENDING]).update(
            state=PaymentState.ABANDONED, closed_at=now)
    online.refresh_from_db()
    if online.state == PaymentState.PAID and not online.receipt_file:
        fetch_receipt(online, provider=p)
    return online


def _actor(dossier: Dossier, payment: Payment) -> User | None:
    """Who the confirmation names. An event names a natural person (``dossiers.events``) and there is no system
    account: the officer who requested the payment — the payment answers their request — else any officer of the
    receiving desk, as ``dossiers.follow`` names the receiving officer for a change no one made."""
    candidates = [payment.requested_by]
    candidates += list(User.objects.filter(is_active=True, role_assignments__unit__in=[dossier.receiving_unit])
                       .exclude(pk=payment.requested_by_id).distinct()[:20])
    for user in candidates:
        if user.is_active and may_refund(user, dossier):
            return user
    return None


def _apply(notice: Notice) -> tuple[str, OnlinePayment | None, str]:
    """Under the order's lock: what the notice (or the query's answer) changes. Returns (outcome, order, detail)."""
    online = (OnlinePayment.objects.select_for_update().select_related("payment", "dossier")
              .filter(order_id=notice.order_id).first())
    if online is None:
        return CallbackOutcome.UNKNOWN_ORDER, None, "no such order"
    if notice.amount_vnd != online.amount_vnd:
        return CallbackOutcome.AMOUNT_MISMATCH, online, f"amount {notice.amount_vnd} ≠ {online.amount_vnd}"
    now = timezone.now()
    if notice.status in (providers.FAILED, providers.CANCELLED):
        if online.state in (PaymentState.CREATED, PaymentState.PENDING):
            online.state, online.closed_at = PaymentState.FAILED, now
            online.save(update_fields=["state", "closed_at"])
            return CallbackOutcome.APPLIED, online, notice.status
        return CallbackOutcome.DUPLICATE, online, f"already {online.state}"
    if notice.status != providers.PAID:
        return CallbackOutcome.DUPLICATE, online, f"status {notice.status or '?'}: nothing to do"
    if online.state in (PaymentState.PAID, PaymentState.REFUNDED):
        return CallbackOutcome.DUPLICATE, online, "already paid"
    # Paid: also an order closed here as abandoned or failed that the citizen paid at the last moment — the money
    # is taken, so it is recorded.
    paid_at = min(notice.paid_at or now, now)
    online.state, online.paid_at, online.closed_at = PaymentState.PAID, paid_at, now
    online.transaction_id, online.receipt_number = notice.transaction_id[:100], notice.receipt_number[:100]
    online.receipt_url = notice.receipt_url[:1000]
    fields = ["state", "paid_at", "closed_at", "transaction_id", "receipt_number", "receipt_url"]
    payment = online.payment
    dossier = online.dossier
    if payment.paid_at is None and dossier.status == Status.PAYMENT_REQUESTED:
        actor = _actor(dossier, payment)
        if actor is None:
            online.note = "paid; no officer to name in the dossier's log: to be confirmed at the desk"
            fields.append("note")
        else:
            try:
                with transaction.atomic():  # a refusal of the dossier leaves the payment recorded all the same
                    workflow.confirm_payment(actor, dossier, channel=PaymentChannel.ONLINE,
                                             receipt_number=notice.receipt_number, paid_at=paid_at)
            except DomainError as exc:
                online.note = f"paid; not confirmed on the dossier: {exc.message}"[:500]
                fields.append("note")
            else:
                online.confirmed = True
                fields.append("confirmed")
    else:
        # The request was paid already (another order, or at the desk): the money is owed back.
        online.needs_refund, online.note = True, "paid twice: the payment request was already paid"
        fields += ["needs_refund", "note"]
    online.save(update_fields=fields)
    return CallbackOutcome.APPLIED, online, ""


def fetch_receipt(online: OnlinePayment, *, provider: Provider | None = None) -> bool:
    """Keep the provider's receipt (*biên lai điện tử*) with the payment; best effort: retried by ``expire``."""
    if not online.receipt_url or online.receipt_file:
        return False
    try:
        pdf = _provider(provider).fetch_receipt(online.receipt_url)
    except (ProviderUnavailable, Conflict) as exc:
        logger.warning("Receipt of %s not fetched: %s", online.order_id, exc)
        return False
    name = files.durable_save(f"payments/{timezone.now():%Y/%m}/{online.order_id}-bien-lai.pdf", pdf)
    if OnlinePayment.objects.filter(pk=online.pk, receipt_file="").update(receipt_file=name) == 0:
        files.discard([name])
        return False
    online.receipt_file.name = name
    return True


def expire_abandoned(*, provider: Provider | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: every live order past its validity is asked about once more (paid → recorded; else
    abandoned, the dossier still awaiting payment), and receipts not yet fetched are fetched."""
    p = _provider(provider)
    now = now or timezone.now()
    counts = {"checked": 0, "abandoned": 0, "paid": 0, "receipts": 0}
    for online in OnlinePayment.objects.filter(state__in=[PaymentState.CREATED, PaymentState.PENDING],
                                               expires_at__lte=now).order_by("id"):
        counts["checked"] += 1
        online = check_order(online, provider=p)
        if online.state == PaymentState.ABANDONED:
            counts["abandoned"] += 1
        elif online.state == PaymentState.PAID:
            counts["paid"] += 1
    for online in OnlinePayment.objects.filter(receipt_file="").exclude(receipt_url="").order_by("id")[:100]:
        counts["receipts"] += int(fetch_receipt(online, provider=p))
    return counts


# --- refund -----------------------------------------------------------------------------------------------------

def refund(user: User, online: OnlinePayment, reason: str, *, provider: Provider | None = None) -> OnlinePayment:
    """Return a paid order's money in full (a second payment of the same request, or fees the agency must not
    keep). The dossier is not moved: a refund does not reopen the payment request, nor undo its confirmation —
    staff who need the money again request a new payment (status 4 → 6) — and ``paid_online`` keeps saying how
    the request was paid. Who refunded, when and why stay on the order."""
    dossier = online.dossier
    if not may_refund(user, dossier):
        raise PermissionDenied(_("You may not refund payments of this dossier."), code="forbidden")
    reason = nfc(reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the refund."), code="invalid_input",
                          details={"fields": [{"field": "reason", "message": _("Give the reason for the refund.")}]})
    p = _provider(provider)
    with transaction.atomic():
        locked = OnlinePayment.objects.select_for_update().get(pk=online.pk)
        if locked.state != PaymentState.PAID:
            raise Conflict(_("Only a paid payment can be refunded."), code="not_refundable")
        refund_id = locked.refund_id or f"HT{locked.order_id}"[:40]
        if not locked.refund_id:
            OnlinePayment.objects.filter(pk=locked.pk).update(refund_id=refund_id)
    # The provider is asked outside any transaction; the refund id makes a retry of the same refund harmless.
    done = p.refund(online.order_id, online.transaction_id, online.amount_vnd, refund_id, reason[:200])
    with transaction.atomic():
        locked = OnlinePayment.objects.select_for_update().get(pk=online.pk)
        if locked.state == PaymentState.PAID:
            locked.state, locked.refunded_at, locked.refunded_by = PaymentState.REFUNDED, timezone.now(), user
            locked.refund_transaction_id, locked.refund_reason = done.transaction_id[:100], reason[:500]
            locked.needs_refund = False
            locked.save(update_fields=["state", "refunded_at", "refunded_by", "refund_transaction_id",
                                       "refund_reason", "needs_refund"])
    online.refresh_from_db()
    return online


# --- reconciliation -------------------------------------------------------------------------------------------------

def reconcile(day: dt.date, *, provider: Provider | None = None) -> PaymentReconciliation:
    """Check the provider's statement of ``day`` (Vietnam time) against the orders paid here that day, both ways:
    paid there and not here, paid here and not there, amounts that differ, refunded on one side only. The report
    replaces an earlier one of the same day; an unreachable provider is reported as such."""
    p = _provider(provider)
    start = dt.datetime.combine(day, dt.time(), tzinfo=providers.VN)
    ours = {o.order_id: o for o in OnlinePayment.objects.filter(
        provider=p.name, paid_at__gte=start, paid_at__lt=start + dt.timedelta(days=1),
        state__in=[PaymentState.PAID, PaymentState.REFUNDED])}
    report: dict[str, Any] = {"ran_at": timezone.now(), "lines_here": len(ours),
                              "total_here_vnd": sum(o.amount_vnd for o in ours.values()), "error": "",
                              "mismatches": [], "lines_there": 0, "total_there_vnd": 0}
    try:
        lines = p.statement(day)
    except ProviderUnavailable as exc:
        report["error"] = exc.message[:500]
        lines = None
    if lines is not None:
        there = {line.order_id: line for line in lines}
        report["lines_there"] = len(there)
        report["total_there_vnd"] = sum(line.amount_vnd for line in there.values())
        mismatches: list[dict[str, Any]] = []
        known = {o.order_id: o for o in OnlinePayment.objects.filter(order_id__in=list(there))}
        for order_id, line in sorted(there.items()):
            mine = ours.get(order_id) or known.get(order_id)
            if mine is None or mine.state not in (PaymentState.PAID, PaymentState.REFUNDED):
                mismatches.append({"kind": "missing_here", "order_id": order_id, "amount_there": line.amount_vnd,
                                   "amount_here": None, "state_here": mine.state if mine else "",
                                   "transaction_id": line.transaction_id})
            elif mine.amount_vnd != line.amount_vnd:
                mismatches.append({"kind": "amount", "order_id": order_id, "amount_there": line.amount_vnd,
                                   "amount_here": mine.amount_vnd, "dossier": mine.dossier.public_id})
            elif (line.status == providers.REFUNDED) != (mine.state == PaymentState.REFUNDED):
                mismatches.append({"kind": "state", "order_id": order_id, "amount_there": line.amount_vnd,
                                   "amount_here": mine.amount_vnd, "state_there": line.status,
                                   "state_here": mine.state, "dossier": mine.dossier.public_id})
        for order_id, mine in sorted(ours.items()):
            if order_id not in there:
                mismatches.append({"kind": "missing_there", "order_id": order_id, "amount_there": None,
                                   "amount_here": mine.amount_vnd, "dossier": mine.dossier.public_id})
        report["mismatches"] = mismatches
    row, _created = PaymentReconciliation.objects.update_or_create(provider=p.name, day=day, defaults=report)
    return row


def get_order(order_id: str) -> OnlinePayment:
    online = OnlinePayment.objects.select_related("dossier", "payment").filter(order_id=order_id).first()
    if online is None:
        raise NotFound(_("There is no such payment."), code="payment_not_found")
    return online
