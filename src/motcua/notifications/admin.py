"""Templates are edited by administrators; messages and attempts are read-only evidence.

A template that does not compile or does not render with the key's sample context is refused with the
error next to the field; saving new text creates a new version (``services.save_template``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.permissions import Capability, has_capability

from . import defaults, services
from .models import DeliveryAttempt, Message, MessageTemplate
from .rendering import RenderError, check_syntax, render


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and (
        user.is_superuser or has_capability(user, Capability.ADMINISTER)))  # type: ignore[arg-type]


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["key", "language", "channel", "subject", "body", "valid_from", "is_active", "note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("subject", "body"):
            source = cleaned.get(name)
            if source is None:
                continue
            try:
                check_syntax(source)
            except RenderError as exc:
                self.add_error(name, _("The template does not compile: %(error)s") % {"error": exc})
        if not self.errors and cleaned.get("body") is not None:
            try:
                render(cleaned.get("subject") or "", cleaned["body"],
                       defaults.sample_context(cleaned.get("key", "")), cleaned.get("language") or "vi")
            except RenderError as exc:
                raise forms.ValidationError(
                    _("The template fails with the sample context: %(error)s") % {"error": exc}) from exc
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["key", "language", "channel", "version", "valid_from", "is_active", "created_at"]
    list_filter = ["key", "language", "channel", "is_active"]
    search_fields = ["key", "subject", "body", "note"]
    readonly_fields = ["version", "preview", "variables", "created_by", "created_at"]
    fields = ["key", "language", "channel", "version", "subject", "body", "variables", "preview", "valid_from",
              "is_active", "note", "created_by", "created_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # messages point at the versions they used

    @admin.display(description=gettext_lazy("variables"))
    def variables(self, obj: MessageTemplate) -> str:
        return ", ".join(defaults.VARIABLES.get(obj.key, [])) or "-"

    @admin.display(description=gettext_lazy("preview with sample data"))
    def preview(self, obj: MessageTemplate) -> str:
        if obj.pk is None:
            return "-"
        try:
            rendered = render(obj.subject, obj.body, defaults.sample_context(obj.key), obj.language)
        except RenderError as exc:
            return format_html('<p class="errornote">{}</p>', _("Rendering error: %(error)s") % {"error": exc})
        return format_html('<strong>{}</strong><pre class="message-preview">{}</pre>',
                           rendered.subject, rendered.body)

    def save_model(self, request: HttpRequest, obj: MessageTemplate, form: Any, change: bool) -> None:
        services.save_template(obj, request.user, list(form.changed_data) if change else None)
        if change and any(name in services.CONTENT_FIELDS for name in form.changed_data):
            self.message_user(request, _("Saved as version %(version)s; the earlier version is kept.")
                              % {"version": obj.version}, messages.INFO)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "channel", "address", "status", "provider_id", "error", "queued_at", "sent_at",
              "delivered_at", "failed_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "key", "recipient_name", "subject_ref", "status", "channel", "template_version"]
    list_filter = ["status", "key", "channel", "language"]
    search_fields = ["subject_ref", "recipient_name", "subject"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    readonly_fields = ("key", "language", "recipient_name", "subject_ref", "plan", "subject", "body", "template",
                       "template_version", "status", "channel", "error", "next_attempt_at", "created_at",
                       "sent_at", "delivered_at", "failed_at")
    fields = readonly_fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
