"""Online payment of fees and charges (``motcua.integrations.payments``): one row per order sent to the payment
provider for a dossier's payment request (``dossiers.Payment``), every notice the provider posted, and the daily
reconciliation against the provider's statement. Writes go through ``payments.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PaymentState(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    ABANDONED = "abandoned", _("Abandoned (expired)")
    FAILED = "failed", _("Failed or cancelled")
    REFUNDED = "refunded", _("Refunded")


#: The states of an order that may still be paid: at most one per payment request.
LIVE_STATES = (PaymentState.CREATED, PaymentState.PENDING)


class OnlinePayment(models.Model):
    """An order sent to the payment provider for the amount of one payment request. ``order_id`` is ours,
    unique, and the idempotency key of every exchange about it: a notice repeated by the provider finds the
    order already paid and changes nothing."""

    payment = models.ForeignKey("dossiers.Payment", verbose_name=_("payment request"), on_delete=models.PROTECT,
                                related_name="online_payments")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT,
                                related_name="online_payments")
    provider = models.CharField(_("provider"), max_length=20)
    # DVCQG ``DuocThanhToanTrucTuyen``: 1 on the DVCQG platform, 2 on a ministry's or the province's gateway.
    kind = models.PositiveSmallIntegerField(_("paid on (DVCQG code)"))
    order_id = models.CharField(_("order number"), max_length=40, unique=True)
    amount_vnd = models.BigIntegerField(_("amount (VND)"))
    state = models.CharField(_("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.CREATED)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("valid until"))
    checkout_url = models.URLField(_("payment page"), max_length=1000, blank=True)
    qr_payload = models.TextField(_("QR code content"), blank=True)
    transaction_id = models.CharField(_("provider's transaction"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The electronic receipt (*biên lai điện tử*, Decree 123/2020/NĐ-CP) issued for the payment by the provider.
    receipt_number = models.CharField(_("receipt number"), max_length=100, blank=True)
    receipt_url = models.URLField(_("receipt at the provider"), max_length=1000, blank=True)
    receipt_file = models.FileField(_("receipt file"), max_length=300, blank=True)
    # Whether this payment confirmed the dossier's payment request (6 → 4). False for a payment that arrived when
    # the request was already paid (paid twice): it waits for a refund.
    confirmed = models.BooleanField(_("confirmed the payment request"), default=False)
    needs_refund = models.BooleanField(_("to be refunded"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    refund_id = models.CharField(_("refund number"), max_length=40, blank=True)
    refund_transaction_id = models.CharField(_("provider's refund transaction"), max_length=100, blank=True)
    refund_reason = models.CharField(_("reason for the refund"), max_length=500, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("refunded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["payment"], condition=Q(state__in=["created", "pending"]),
                                    name="onlinepayment_one_live"),
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="onlinepayment_amount_positive"),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="onlinepayment_state"),
                   models.Index(fields=["paid_at"], name="onlinepayment_paid_at")]

    def __str__(self) -> str:
        return self.order_id

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES


class CallbackOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    DUPLICATE = "duplicate", _("Already applied (repeated notice)")
    BAD_SIGNATURE = "bad_signature", _("Refused: bad signature")
    UNKNOWN_ORDER = "unknown_order", _("Refused: unknown order")
    AMOUNT_MISMATCH = "amount_mismatch", _("Refused: amount differs")
    INVALID = "invalid", _("Refused: unreadable")


class PaymentCallback(models.Model):
    """A notice posted by the provider, kept as it came (the body, whether its signature held, what was done
    with it), refused ones included: the trail of every claim that money arrived."""

    online_payment = models.ForeignKey(OnlinePayment, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="callbacks")
    received_at = models.DateTimeField(_("received at"))
    order_id = models.CharField(_("order number"), max_length=100, blank=True)
    body = models.TextField(_("body"))
    signature_valid = models.BooleanField(_("signature valid"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallbackOutcome.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("payment notice")
        verbose_name_plural = _("payment notices")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.outcome}"


class PaymentReconciliation(models.Model):
    """The check of one day's statement of the provider against our paid orders (``payments.services.reconcile``),
    run again for the same day it replaces the report. ``mismatches``: a list of ``{"kind", "order_id",
    "amount_here", "amount_there", ...}``; kinds: ``missing_here`` (paid there, not here), ``missing_there``
    (paid here, not there), ``amount`` (the amounts differ), ``state`` (refunded on one side only)."""

    provider = models.CharField(_("provider"), max_length=20)
    day = models.DateField(_("day"))
    ran_at = models.DateTimeField(_("checked at"))
    lines_there = models.PositiveIntegerField(_("lines in the statement"), default=0)
    lines_here = models.PositiveIntegerField(_("payments recorded here"), default=0)
    total_there_vnd = models.BigIntegerField(_("total in the statement (VND)"), default=0)
    total_here_vnd = models.BigIntegerField(_("total recorded here (VND)"), default=0)
    mismatches = models.JSONField(_("mismatches"), default=list, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("payment reconciliation")
        verbose_name_plural = _("payment reconciliations")
        ordering = ["-day", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="reconciliation_unique_day")]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.error
