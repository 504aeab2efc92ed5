"""The insight app's own tables; none of them is a dossier's (the app writes nothing to dossiers)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# --- Integrity flags (issue 22; docs/insight-integrity.md) ----------------------------------------------------


class Rule(models.TextChoices):
    """The integrity rules (``integrity.rules``), each with its checks. Operating choices, not law."""

    RESUBMIT = "resubmit", _("Withdrawn and resubmitted")
    SUPPLEMENT = "supplement", _("Supplement requested late or repeatedly")
    BACKDATING = "backdating", _("Receipt time unlike its record")
    BURST = "burst", _("Burst of closures")
    DATE_CHANGE = "date_change", _("Promised date or procedure changed outside an apology")
    APOLOGY_ROUTINE = "apology_routine", _("Apologies used as routine")
    LINKED = "linked", _("Figures that differ if linked dossiers are one")


# The checks of each rule (``Flag.kind``; ``integrity.rules`` documents each).
KIND_LABELS = {
    "resubmitted": _("Resubmitted soon after a withdrawal"),
    "last_share": _("Supplement asked in the last part of the time"),
    "after_window": _("Supplement asked after the window for asking it"),
    "repeated_linked": _("More than one supplement across linked dossiers"),
    "receipt_vs_record": _("Receipt time far from when the record was created"),
    "out_of_order": _("Event dated before the one recorded before it"),
    "off_hours_receipt": _("Desk receipt outside opening hours"),
    "unusual_hours": _("Closures at unusual hours"),
    "month_end": _("Closures bunched on a month's last working day"),
    "due_changed": _("Promised date moved without an apology"),
    "reclassified": _("Procedure changed after intake"),
    "officer": _("An officer's apologies far above their peers'"),
    "procedure": _("A procedure's apologies far above its peers'"),
    "late_as_one": _("On time alone, late if counted with the withdrawn dossier"),
}


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class FlagState(models.TextChoices):
    OPEN = "open", pgettext_lazy("integrity flag", "To review")
    ACCEPTED = "accepted", pgettext_lazy("integrity flag", "Confirmed")
    DISMISSED = "dismissed", pgettext_lazy("integrity flag", "Dismissed")


class Flag(models.Model):
    """One pattern found by an integrity rule, with its evidence (event ids and instants, never personal
    data), to be reviewed. ``fingerprint`` names the pattern (the rule, its check (``kind``) and what it is about): a
    re-scan updates an open flag and leaves a reviewed one alone, so a dismissed pattern is not raised again."""

    rule = models.CharField(pgettext_lazy("integrity flag", "rule"), max_length=20, choices=Rule.choices)
    kind = models.CharField(_("check"), max_length=30)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    state = models.CharField(_("state"), max_length=10, choices=FlagState.choices, default=FlagState.OPEN)
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    # The dossier the flag is about (None for a flag about an officer or a procedure) and every dossier its
    # evidence names (ids), for the summaries and the ground truth of the generator.
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    dossier_ids = models.JSONField(default=list, blank=True)
    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey("catalogue.Procedure", verbose_name=_("procedure"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("when it happened"))
    evidence = models.JSONField(_("evidence"), default=dict)
    found_at = models.DateTimeField(_("found at"))
    seen_at = models.DateTimeField(_("last seen by a scan"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("integrity flag")
        verbose_name_plural = _("integrity flags")
        ordering = ["-severity", "-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["state", "agency"], name="flag_state_agency"),
            models.Index(fields=["rule", "state"], name="flag_rule_state"),
            models.Index(fields=["officer"], name="flag_officer"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=1) & Q(severity__lte=3), name="flag_severity_range"),
            models.CheckConstraint(condition=Q(state__in=FlagState.values), name="flag_state_valid"),
            models.CheckConstraint(condition=Q(rule__in=Rule.values), name="flag_rule_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}/{self.kind} #{self.pk}"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


# --- end of integrity flags -----------------------------------------------------------------------------------


# --- Lateness prediction (docs/insight-prediction.md, docs/insight-model-card.md) --------------------------------


class LatenessModel(models.Model):
    """A trained lateness model (``motcua insight train``): the artefact's bytes and their HMAC, checked before
    the bytes are ever unpickled (``prediction.artefact``), with what it was trained on and how it did on the
    dossiers received after those it learned from."""

    created_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    library = models.CharField(_("library"), max_length=100)
    examples = models.PositiveIntegerField(_("training examples"), default=0)
    dossiers = models.PositiveIntegerField(_("dossiers learned from"), default=0)
    history_from = models.DateTimeField(_("history from"), null=True, blank=True)
    history_to = models.DateTimeField(_("history to"), null=True, blank=True)
    # AUC, Brier score, late rate, calibration deciles of the model and of the fixed rule on the test slice.
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    artefact = models.BinaryField(_("artefact"))
    artefact_hmac = models.CharField(_("artefact HMAC-SHA-256"), max_length=64)
    active = models.BooleanField(_("in use"), default=False)

    class Meta:
        verbose_name = _("lateness model")
        verbose_name_plural = _("lateness models")
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="insight_one_active_model")]

    def __str__(self) -> str:
        return f"v{self.pk} ({self.created_at:%Y-%m-%d})"


class Prediction(models.Model):
    """The prediction of one open dossier by the model in use (``motcua insight score``): replaced at each
    scoring, deleted once the dossier is no longer being processed. Nothing is written to the dossier."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(LatenessModel, on_delete=models.CASCADE, related_name="predictions")
    scored_at = models.DateTimeField(_("scored at"))
    probability = models.FloatField(_("probability of finishing late"))
    at_risk = models.BooleanField(_("at risk"), default=False)  # probability ≥ MOTCUA_INSIGHT_RISK_THRESHOLD
    expected_finish = models.DateTimeField(_("expected finish"), null=True, blank=True)
    # The features that push the probability up most, as data: [{"code": ..., "weight": ..., values...}],
    # rendered in the reader's language by ``prediction.reasons.render``.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    class Meta:
        verbose_name = _("lateness prediction")
        verbose_name_plural = _("lateness predictions")
        indexes = [models.Index(fields=["-probability"], name="insight_pred_probability"),
                   models.Index(fields=["dossier"], condition=models.Q(at_risk=True), name="insight_pred_at_risk")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.probability:.2f}"
