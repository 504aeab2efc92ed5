"""The catalogue kept in step with the national procedures database: each comparison made, and each national
change applied to the local catalogue (who applied what, when)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CatalogueComparison(models.Model):
    """One comparison of the national procedure records with the local catalogue (``motcua national-catalogue
    check``, or ``compare FILE``). ``diff`` holds the report (``compare.Comparison.as_json``), ``records`` the
    national records of the new and changed procedures as they were read, so that the page applies exactly
    what the administrator saw. A failed fetch is kept too (``ok`` false, ``error``): the page says the check
    is failing."""

    created_at = models.DateTimeField(_("compared at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    source = models.CharField(_("source"), max_length=1000)
    ok = models.BooleanField(_("read"), default=True)
    error = models.TextField(_("error"), blank=True)
    new_count = models.PositiveIntegerField(_("new procedures"), default=0)
    changed_count = models.PositiveIntegerField(_("changed procedures"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged procedures"), default=0)
    local_only_count = models.PositiveIntegerField(_("local-only procedures"), default=0)
    error_count = models.PositiveIntegerField(_("bad records"), default=0)
    diff = models.JSONField(_("differences"), default=dict, blank=True)
    records = models.JSONField(_("national records"), default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    notified = models.BooleanField(_("administrators told"), default=False)

    class Meta:
        verbose_name = _("national catalogue comparison")
        verbose_name_plural = _("national catalogue comparisons")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def behind(self) -> bool:
        return self.ok and (self.new_count + self.changed_count) > 0


class CatalogueApplication(models.Model):
    """The audit trail of the national changes applied: who applied which procedure's changes, into which
    version, from which source. Append-only (written by ``national_catalogue.services`` only)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created as a draft")
        UPDATED = "updated", _("New version")
        UPDATED_DRAFT = "updated_draft", _("Draft updated")

    applied_at = models.DateTimeField(_("applied at"), default=timezone.now, db_index=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    applied_by_name = models.CharField(_("applied by (name)"), max_length=255, blank=True)
    code = models.CharField(_("national code"), max_length=40, db_index=True)
    procedure = models.ForeignKey("catalogue.Procedure", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    version = models.ForeignKey("catalogue.ProcedureVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    action = models.CharField(_("what was done"), max_length=20, choices=Action.choices)
    valid_from = models.DateField(_("valid from"))
    published = models.BooleanField(_("published"), default=False)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=1000, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("national change applied")
        verbose_name_plural = _("national changes applied")
        ordering = ["-applied_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.get_action_display()} {self.applied_at:%Y-%m-%d %H:%M}"
