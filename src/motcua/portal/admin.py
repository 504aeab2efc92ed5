"""The administrators' view of the citizens' personal-data requests and consents (docs/security.md, "Personal
data rights"): read only. A correction request is answered by the agency that holds the dossier, in its queue
(``/du-lieu-ca-nhan/yeu-cau/``), so that an accepted correction goes through the dossier's history."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Consent, CorrectionRequest


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "dossier", "field", "state", "handled_at")
    list_filter = ("state", "field")
    search_fields = ("dossier__code", "dossier__reference")
    fields = ("user", "dossier", "field", "current_value", "requested_value", "reason", "created_at", "due_at",
              "state", "answer", "handled_at", "handled_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("user", "purpose", "version", "given_at", "withdrawn_at")
    list_filter = ("purpose", "version")
    readonly_fields = ("user", "purpose", "version", "given_at")
