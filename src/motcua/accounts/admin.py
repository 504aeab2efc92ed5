from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db import IntegrityError, models
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import identifiers, services
from .models import ApiToken, OrgUnit, RoleAssignment, User

# django-otp's own admin page of TOTP devices shows each person's secret key and its QR code to any
# administrator: taken away. An administrator resets a person's second factor from the people's list instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["receives_for"]
    # Agencies' sites are served over HTTPS; also the default from Django 6.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        services.save_unit(obj)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


class PersonChangeForm(UserChangeForm):
    """The person's page: the e-mail and phone in their stored form (``identifiers``), refused next to the field
    when another account holds them (issue 21), rather than by the database on saving."""

    def clean_email(self) -> str:
        email = identifiers.canonical_email(self.cleaned_data.get("email", ""))
        if email and self._others().annotate(email_lower=Lower("email")).filter(email_lower=email).exists():
            raise forms.ValidationError(_("Another account already has this e-mail address."), code="email_taken")
        return email

    def clean_phone(self) -> str:
        phone = identifiers.canonical_phone(self.cleaned_data.get("phone", ""))
        if phone and self._others().filter(phone=phone).exists():
            raise forms.ValidationError(_("Another account already has this phone number."), code="phone_taken")
        return phone

    def _others(self) -> models.QuerySet[User]:
        return User.objects.exclude(pk=self.instance.pk) if self.instance.pk else User.objects.all()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PersonChangeForm
    list_display = ["username", "full_name", "unit", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone"]
    autocomplete_fields = ["unit"]
    inlines = [RoleAssignmentInline]
    actions = ["reset_second_factor"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("motcua"), {"fields": ("full_name", "phone", "unit", "applicant_kind", "organisation_name",
                                   "organisation_tax_code", "preferred_language")}),
    )

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as exc:
            # The form found the address free, and another account took it before this save (the database's
            # uniqueness, issue 21): nothing was saved (the admin's save is one transaction); say so, not a 500.
            taken = identifiers.conflict(exc)
            if taken is None:
                raise
            message = {"email": _("Another account already has this e-mail address."),
                       "phone": _("Another account already has this phone number.")}.get(
                taken, _("Another account already has this username."))
            self.message_user(request, _("Nothing was saved: %(reason)s") % {"reason": message}, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Reset two-step sign-in (lost phone): the person sets it up again"))
    def reset_second_factor(self, request: HttpRequest, queryset: Any) -> None:
        # Each removed device is written to the audit log with this administrator as the actor (apps.py).
        people = 0
        for user in queryset:
            if services.reset_second_factor(user):
                people += 1
        self.message_user(request, ngettext(
            "Two-step sign-in reset for %(count)d person.", "Two-step sign-in reset for %(count)d people.", people,
        ) % {"count": people}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "name", "created_at", "expires_at", "revoked_at", "last_used_at"]
    search_fields = ["user__username", "name", "prefix"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "last_used_at", "created_at"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, clear = services.create_token(obj.user, obj.name, obj.expires_at)
        obj.pk = token.pk
        obj.prefix = token.prefix
        self.message_user(
            request,
            _("Token created. Copy it now, it will not be shown again: %(token)s") % {"token": clear},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            services.revoke_token(token)
