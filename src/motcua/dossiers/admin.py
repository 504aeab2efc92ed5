"""The rule sets, edited by administrators at /quan-tri/ with their history (django-auditlog).

A row changes what dossiers received from its ``valid_from`` on keep; a dossier already received keeps
its own copy (``Dossier.rules``), so an edit never moves a dossier in flight."""

from __future__ import annotations

from typing import Any

from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.accounts.permissions import Capability, has_capability

from .choices import DestructionStatus
from .models import DestructionItem, DestructionList, RuleSet


class _Administrators:
    """Seen by the administrators only (the capability, or a superuser), as staff."""

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and (
            user.is_superuser or has_capability(user, Capability.ADMINISTER)))  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


@admin.register(RuleSet)
class RuleSetAdmin(_Administrators, AuditlogHistoryAdminMixin, admin.ModelAdmin):
    list_display = ["valid_from", "supplement_working_days", "supplement_rule", "refusal_status", "online_clock_from",
                    "consultation_working_days", "step_working_days", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["valid_from", "basis", "note", "supplement_working_days", "supplement_rule", "refusal_status",
              "online_clock_from", "consultation_working_days", "step_working_days", *readonly_fields]
    show_auditlog_history_link = True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The last row stays: receipts need a rule set in force.
        return self._allowed(request) and RuleSet.objects.count() > 1


class DestructionItemInline(admin.TabularInline):
    model = DestructionItem
    fields = ["dossier", "closed_at", "kept_until", "done_at"]
    readonly_fields = ["dossier", "closed_at", "kept_until", "done_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DestructionList)
class DestructionListAdmin(_Administrators, admin.ModelAdmin):
    """The destruction lists, read only: a list is decided on the staff page (``/ho-so/tieu-huy/<id>/``, linked
    from here), through the API or the command (``retention.approve``), which check who may, and carried out by
    ``motcua dossiers retention``."""

    list_display = ["pk", "agency", "status", "prepared_at", "decision", "approved_by", "approved_at", "done_at",
                    "staff_page"]
    list_filter = ["status"]
    readonly_fields = ["agency", "status", "prepared_at", "decision", "approved_by", "approved_at", "done_at",
                       "staff_page"]
    fields = ["agency", "status", "prepared_at", "decision", "approved_by", "approved_at", "done_at", "staff_page"]
    inlines = [DestructionItemInline]

    @admin.display(description=_("Staff page"))
    def staff_page(self, obj: DestructionList) -> str:
        # The administrator records the head's decision there, with the same checks as the API.
        url = reverse("dossiers:destruction_list", args=[obj.pk])
        label = _("Record the decision") if obj.status == DestructionStatus.PROPOSED else _("Open the list")
        return format_html('<a href="{}">{}</a>', url, label)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
