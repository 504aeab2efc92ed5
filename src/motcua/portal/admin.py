"""The administrators' view of the citizens' personal-data requests and consents (docs/security.md, "Personal
data rights"): a correction request is answered here until an agency queue exists."""

from __future__ import annotations

from django.contrib import admin

from .models import Consent, CorrectionRequest


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "dossier", "field", "state", "handled_at")
    list_filter = ("state", "field")
    search_fields = ("dossier__code", "dossier__reference")
    readonly_fields = ("user", "dossier", "field", "current_value", "requested_value", "reason", "created_at")
    fields = ("user", "dossier", "field", "current_value", "requested_value", "reason", "created_at", "state",
              "answer", "handled_at")


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("user", "purpose", "version", "given_at", "withdrawn_at")
    list_filter = ("purpose", "version")
    readonly_fields = ("user", "purpose", "version", "given_at")
