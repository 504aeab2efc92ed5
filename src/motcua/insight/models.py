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
