"""Issued legal forms: each PDF issued for a dossier is stored with it and logged as an event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuedForm(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="issued_forms")
    role = models.CharField(_("form"), max_length=30)
    form_set = models.CharField(_("form set"), max_length=10)
    number = models.CharField(_("form number"), max_length=5)
    # Forms issued once (a receipt, a refusal) are served again from here; the control sheet is issued
    # anew at each request, since its trail grows.
    version = models.PositiveSmallIntegerField(default=1)
    file = models.FileField(max_length=300)
    sha256 = models.CharField(max_length=64)
    # The hash of the last event the form reflects: the control sheet is issued again when the trail grew.
    basis = models.CharField(max_length=64, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()

    class Meta:
        verbose_name = _("issued form")
        verbose_name_plural = _("issued forms")
        ordering = ["dossier_id", "role", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "role", "version"], name="issuedform_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.role} v{self.version}"
