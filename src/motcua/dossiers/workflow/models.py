"""Rows of the internal processing: the steps a dossier runs through, consultations, the apology, the
result and payments. Writes go through ``workflow.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import DraftKind, PaymentChannel, ResultKind, ReturnMethod, StepOutcome


class ProcessingStep(models.Model):
    """One step of the dossier's internal process, copied from the procedure version's snapshot when the
    dossier reaches the processing unit (Circular 01/2018 Art. 8: the province's internal procedure).
    Steps with the same ``order`` form a parallel group; the dossier moves on when the group has ended.

    ``budget_seconds`` is the step's planned working time: its own budget from the snapshot, or, for a
    step without one, an equal share of the legal time the budgeted steps leave. ``due_at`` is set when
    the step starts, from the legal clock, and never later than the dossier's promised return."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=500)
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, blank=True)
    budget_amount = models.DecimalField(_("budget"), max_digits=6, decimal_places=2, null=True, blank=True)
    budget_unit = models.CharField(_("budget unit"), max_length=20, blank=True)
    budget_seconds = models.PositiveIntegerField(_("planned working time (s)"), default=0)
    produces = models.JSONField(_("forms produced"), default=list, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="processing_steps")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("step due"), null=True, blank=True)
    # The instant the budget counts from (the start, or the arrival of the complete dossier after a
    # supplement), so that a calendar change recomputes ``due_at`` (``dossiers.follow``).
    due_from = models.DateTimeField(_("budget counts from"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=StepOutcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Open work items: ``open`` is True between start and end (a plain column so the queues use an index).
    open = models.BooleanField(default=False)
    # The part of an inter-agency dossier this step belongs to (a participating agency's own internal steps);
    # None: the lead agency's process, as for a dossier of one agency.
    part = models.ForeignKey("dossiers.AgencyPart", verbose_name=_("agency's part"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="steps")

    class Meta:
        verbose_name = _("processing step")
        verbose_name_plural = _("processing steps")
        ordering = ["dossier_id", "order", "id"]
        indexes = [
            models.Index(fields=["actor", "due_at"], condition=Q(open=True), name="step_open_actor"),
            models.Index(fields=["unit", "role", "due_at"], condition=Q(open=True), name="step_open_unit"),
            models.Index(fields=["dossier", "order"], name="step_dossier_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class AgencyPart(models.Model):
    """One agency's part of an inter-agency dossier (*một cửa liên thông*, dossier-lifecycle.md §5): sent with a
    transfer slip (*phiếu chuyển xử lý*) that states the work and the deadline, processed in the agency's own
    queue through its own steps, ended when its last step ends (its answer is the last step's note). The lead
    agency's part is the dossier's own process and ends with the result. Each part's time is measured against
    its share of the legal time, so that a late dossier is attributed to the agency that caused it."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="parts")
    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="dossier_parts")
    lead = models.BooleanField(_("lead agency"), default=False)
    order = models.PositiveSmallIntegerField(_("order"))
    part = models.CharField(_("its part of the work"), max_length=500)
    share_seconds = models.PositiveIntegerField(_("its share of the time (working seconds)"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=StepOutcome.choices, blank=True)
    answer = models.TextField(_("its answer"), blank=True)
    late = models.BooleanField(_("late"), default=False)
    # The transfer slip: numbered in the register of the unit that sends it (Decree 30/2020 Art. 15).
    slip_reference = models.CharField(_("transfer slip"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("agency's part")
        verbose_name_plural = _("agencies' parts")
        ordering = ["dossier_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "agency"], name="agencypart_unique")]
        indexes = [models.Index(fields=["agency", "due_at"], condition=Q(ended_at__isnull=True, sent_at__isnull=False),
                                name="agencypart_open")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.agency_id}"

    @property
    def open(self) -> bool:
        return self.sent_at is not None and self.ended_at is None


class Consultation(models.Model):
    """A request for the opinion of another unit or agency, with its own deadline. For construction
    permits a consulted agency that does not answer within 2 working days is deemed to agree (Decree
    217/2026 Art. 54); elsewhere an answer after the deadline is recorded as late."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="consultations")
    step = models.ForeignKey(ProcessingStep, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="consultations")
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("consulted unit"), on_delete=models.PROTECT,
                             related_name="consultations")
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(_("asked at"))
    due_at = models.DateTimeField(_("answer due"))
    # The working days given to answer, so that a calendar change recomputes ``due_at`` (``dossiers.follow``).
    days = models.DecimalField(_("working days to answer"), max_digits=5, decimal_places=2, null=True, blank=True)
    silence_is_consent = models.BooleanField(_("no answer in time means agreement"), default=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answer = models.TextField(_("answer"), blank=True)
    agrees = models.BooleanField(_("agrees"), null=True, blank=True)
    late = models.BooleanField(_("answered late"), default=False)
    deemed_agreed_at = models.DateTimeField(_("deemed to agree at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["dossier_id", "asked_at", "id"]
        indexes = [models.Index(fields=["unit", "due_at"], condition=Q(answered_at__isnull=True,
                                                                         deemed_agreed_at__isnull=True),
                                name="consultation_pending")]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.unit_id}"

    @property
    def deemed_agreed(self) -> bool:
        return self.deemed_agreed_at is not None

    @property
    def pending(self) -> bool:
        return self.answered_at is None and self.deemed_agreed_at is None


class Apology(models.Model):
    """The apology and new promised date (form 04), once per dossier (Decree 61/2018 Art. 19(9)). An officer of
    the processing unit drafts it (the reason, the new date); the head of the agency signs it (Circular
    03/2025 form 04: "Thủ trưởng cơ quan"), which issues the letter: the new date then replaces the promised
    one on the dossier, the original stays here and on the dossier. Until it is signed (``issued_at`` empty)
    it is a draft, which the officer may redraft. Signed after the limit for apologising (one working day
    before the due date), it is still issued, with ``late`` set."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="apology")
    reason = models.TextField(_("reason for the delay"))
    original_due_at = models.DateTimeField(_("original promised return"))
    new_due_at = models.DateTimeField(_("new promised return"))
    drafted_at = models.DateTimeField(_("drafted at"), null=True, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # Checked by the head of division before the leader signs (the same sign-off as a result, Decree 61/2018
    # Art. 19(1)-(2): the officer appraises and submits, the head reviews, the leader signs).
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("signed and issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    # The limit for apologising that applied (the close of the last working day before the due date), and
    # whether the letter was signed after it.
    limit = models.DateTimeField(_("to be sent by"), null=True, blank=True)
    late = models.BooleanField(_("issued late"), default=False)
    form = models.ForeignKey("dossiers.IssuedForm", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")

    class Meta:
        verbose_name = _("apology")
        verbose_name_plural = _("apologies")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.new_due_at:%Y-%m-%d}"

    @property
    def issued(self) -> bool:
        """Signed by the head of the agency and issued (not a draft)."""
        return self.issued_at is not None


class PaperDraft(models.Model):
    """A paper the processing agency sends the applicant in its own name, on its way through the sign-off
    chain of a result: an officer drafts it, the head of division checks it, the leader signs it, and only
    the signature sends it (Decree 61/2018 Art. 19: the officer appraises and submits, the result is signed
    by the competent leader). Two kinds: the refusal after appraisal (the written answer with the reason,
    Decree 61/2018 Art. 19(8)) and the supplement request during processing (Art. 19(4)). Until it is
    signed it may be drafted again, which clears the approval. Who did each step, and when, is kept here
    and in the dossier's events."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(_("kind"), max_length=20, choices=DraftKind.choices)
    reason = models.TextField(_("reason"))
    # What the action was asked with (a supplement's list of missing documents), replayed at the signature.
    data = models.JSONField(default=dict, blank=True)
    drafted_at = models.DateTimeField(_("drafted at"))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT,
                                   related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("draft paper")
        verbose_name_plural = _("draft papers")
        ordering = ["dossier_id", "drafted_at", "id"]
        constraints = [
            # One draft of a kind at a time on a dossier: a new draft replaces the one not signed.
            models.UniqueConstraint(fields=["dossier", "kind"], condition=models.Q(signed_at__isnull=True),
                                    name="paperdraft_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind}"

    @property
    def stage(self) -> str:
        """"drafted", "approved" or "signed"."""
        return "signed" if self.signed_at else "approved" if self.approved_at else "drafted"


class Result(models.Model):
    """The result of processing: the permit, licence or decision, or the refusal letter after appraisal,
    with its number, date, signer and digitised file (a 766 indicator 4.1 input)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="results")
    kind = models.CharField(_("kind"), max_length=20, choices=ResultKind.choices, default=ResultKind.RESULT)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signer"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("signer"), max_length=255, blank=True)
    attachment = models.ForeignKey("dossiers.Attachment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_method = models.CharField(_("how it was returned"), max_length=10, choices=ReturnMethod.choices,
                                     blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["dossier_id", "recorded_at", "id"]

    def __str__(self) -> str:
        return self.number or self.kind


class Payment(models.Model):
    """A request to pay the fees or other financial obligations (status 6) and its confirmation."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="payments")
    amount_vnd = models.BigIntegerField(_("amount (VND)"))
    description = models.CharField(_("what for"), max_length=500, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=PaymentChannel.choices, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=100, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["dossier_id", "requested_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.amount_vnd}"
