"""The outbox of the synchronisation with the National Public Service Portal (DVCQG).

One ``SyncRecord`` per record DVCQG is owed (a ``HoSo`` state of a dossier, a ``TienTrinh`` step of its
history), written in the transaction of the dossier change that caused it (``dossiers.dispatch`` writers), so
that nothing is synced that did not commit and nothing committed is never synced. The worker pushes each
dossier's records in the order they were written, with the record's key as the idempotency key, retries with
exponential backoff, and sets a record aside (dead) when DVCQG refuses it or the attempts run out; an
administrator replays it (docs/integrations.md).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SyncState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    ACKED = "acked", _("Acknowledged by DVCQG")
    DEAD = "dead", _("Set aside: needs an administrator")


class RecordKind(models.TextChoices):
    """The record shapes of national-portal-sync.md: the dossier (§2, with its lists of documents,
    supplements, fees and results) and one processing step (§3)."""

    HOSO = "HoSo", _("Dossier (HoSo)")
    TIENTRINH = "TienTrinh", _("Processing step (TienTrinh)")


class SyncRecord(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    # The dossier event that caused the record (None for a record written by ``motcua dvcqg backfill``).
    event = models.ForeignKey("dossiers.DossierEvent", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    kind = models.CharField(_("record"), max_length=20, choices=RecordKind.choices)
    # The idempotency key sent with the record: the same key is the same record, however often it is sent.
    key = models.CharField(max_length=120, unique=True)
    # The record in the canonical field names of national-portal-sync.md, dates as ISO 8601 in UTC; the
    # configured mapping (``dvcqg.mapping``) renames fields and formats dates when it is sent.
    payload = models.JSONField(default=dict)
    state = models.CharField(_("state"), max_length=10, choices=SyncState.choices, default=SyncState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A worker that took the record holds it until then; one that died lets it go when it passes.
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    ack = models.JSONField(_("acknowledgement"), null=True, blank=True)
    acked_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    replays = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("record for DVCQG")
        verbose_name_plural = _("records for DVCQG")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["dossier", "id"], name="sync_dossier_order"),
            models.Index(fields=["state", "next_attempt_at"], name="sync_due",
                         condition=Q(state="pending")),
            models.Index(fields=["kind", "state", "dossier"], name="sync_acked_kind"),
        ]

    def __str__(self) -> str:
        return self.key


class Reconciliation(models.Model):
    """What DVCQG should hold against what it says it holds, for the dossiers received in a period
    (national-portal-sync.md §5: reconcile regularly)."""

    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    expected = models.PositiveIntegerField(_("dossiers DVCQG should hold"), default=0)
    acknowledged = models.PositiveIntegerField(_("acknowledged"), default=0)
    remote = models.PositiveIntegerField(_("held by DVCQG"), default=0)
    # Each list holds {"code": ..., ...}: missing = acknowledged or owed here but absent there; mismatched =
    # there with another status or promised date; unknown = there and not here; unsent = not acknowledged yet.
    missing = models.JSONField(default=list)
    mismatched = models.JSONField(default=list)
    unknown = models.JSONField(default=list)
    unsent = models.JSONField(default=list)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("reconciliation with DVCQG")
        verbose_name_plural = _("reconciliations with DVCQG")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day}"

    @property
    def all_clear(self) -> bool:
        return not (self.error or self.missing or self.mismatched or self.unknown)
