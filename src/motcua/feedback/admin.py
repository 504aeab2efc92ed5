from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import admin_items, services  # noqa: F401 - admin_items registers the items (read-only)
from .models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Open311 clients. Adding one issues its key through ``services.issue_api_key`` and shows it once; only
    its digest is stored, so nothing here can show it again."""

    list_display = ["name", "prefix", "agency", "created_by", "created_at", "revoked_at"]
    list_filter = ["agency"]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        if obj is None:
            return ["name", "agency"]
        return ["name", "agency", "prefix", "digest", "created_by", "created_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        if obj is None:
            return []
        return ["name", "agency", "prefix", "digest", "created_by", "created_at", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: ApiClient | None = None) -> bool:
        return False  # items name their client: revoke, never delete

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            return
        client, key = services.issue_api_key(request.user, name=obj.name, agency=obj.agency)  # type: ignore[arg-type]
        obj.pk = client.pk
        obj.prefix, obj.digest, obj.created_by = client.prefix, client.digest, client.created_by
        self.message_user(request, _("Key issued. Copy it now, it will not be shown again: %(key)s")
                          % {"key": key}, messages.WARNING)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for client in queryset:
            services.revoke_api_key(request.user, client)  # type: ignore[arg-type]
