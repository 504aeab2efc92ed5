"""Feedback items in the admin at /quan-tri/: read-only, for administrators who must look at a row as it is
stored (support, audit). Every change goes through the services and the staff pages (``/phan-anh/can-bo/``),
which check the roles and record the history; nothing is added, edited or deleted here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.accounts.permissions import Capability, has_capability

from .models import FeedbackEvent, FeedbackItem


def _administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and (
        user.is_superuser or has_capability(user, Capability.ADMINISTER)))  # type: ignore[arg-type]


class _ReadOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _administrator(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing acknowledged to a sender is ever deleted; spam is hidden, not removed


class FeedbackEventInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = FeedbackEvent
    fields = ("seq", "kind", "actor", "at", "data")
    readonly_fields = ("seq", "kind", "actor", "at", "data")
    extra = 0
    can_delete = False
    ordering = ["seq"]


@admin.register(FeedbackItem)
class FeedbackItemAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "agency", "topic", "kind", "channel", "status", "received_at", "answer_due",
                    "published_at", "hidden"]
    list_filter = ["status", "topic", "kind", "channel", "hidden", "agency", "reaction", "finding"]
    search_fields = ["code", "title"]
    date_hierarchy = "received_at"
    list_select_related = ["agency"]
    inlines = [FeedbackEventInline]
    # Shown as stored, the tracking secret excluded: it is the sender's key to the tracking page.
    exclude = ["secret", "public_folded"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in FeedbackItem._meta.fields if f.name not in self.exclude] + ["officers"]
