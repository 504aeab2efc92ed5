"""Administration of the catalogue at /quan-tri/: procedures, versions with their parts, publication,
cloning a version to start the next one, and the diff between two versions. Every write goes through
``services``; only holders of ``Capability.MANAGE_CATALOGUE`` see these pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core.errors import DomainError

from . import exchange, selectors, services
from .forms import CloneForm
from .models import (
    Fee,
    Field,
    LegalBasis,
    Participant,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    Step,
    TimeVariant,
)
from .parts import missing_parts


class ManagerOnly:
    """Admin pages of the catalogue are for catalogue administrators only."""

    def _allowed(self, request: HttpRequest) -> bool:
        return selectors.can_manage(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


def _export_action(fmt: str, label: Any) -> Any:
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Procedure]) -> HttpResponse:
        content, content_type, extension = exchange.export_bytes(fmt, queryset)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="motcua-catalogue.{extension}"'
        return response

    action.__name__ = f"export_{fmt}"
    return admin.action(description=label)(action)


@admin.register(Field)
class FieldAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]

    def save_model(self, request: HttpRequest, obj: Field, form: Any, change: bool) -> None:
        services.require_manager(request.user)  # type: ignore[arg-type]
        services.save_field(obj.name, obj.code)


class VersionLinkInline(ManagerOnly, admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    fields = ["link", "label", "valid_from", "valid_to", "status"]
    readonly_fields = ["link", "label", "valid_from", "valid_to", "status"]
    can_delete = False
    show_change_link = False
    verbose_name_plural = gettext_lazy("versions (open one to edit it)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("version"))
    def link(self, obj: ProcedureVersion) -> str:
        url = reverse("admin:catalogue_procedureversion_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, str(obj))


@admin.register(Procedure)
class ProcedureAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["code", "name", "field", "level", "online_mode", "agency", "published_versions"]
    list_filter = ["level", "online_mode", "field"]
    search_fields = ["code", "name", "name_folded"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["receiving_units"]
    inlines = [VersionLinkInline]
    actions = [
        _export_action("json", gettext_lazy("Export the selected procedures as JSON")),
        _export_action("csv", gettext_lazy("Export the selected procedures as CSV")),
        _export_action("xlsx", gettext_lazy("Export the selected procedures as XLSX")),
    ]

    @admin.display(description=gettext_lazy("published versions"))
    def published_versions(self, obj: Procedure) -> int:
        return obj.versions.filter(status="published").count()

    def save_model(self, request: HttpRequest, obj: Procedure, form: Any, change: bool) -> None:
        services.save_procedure(obj, user=request.user)  # type: ignore[arg-type]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.refresh_search(form.instance)

    def delete_model(self, request: HttpRequest, obj: Procedure) -> None:
        services.delete_procedure(obj, user=request.user)  # type: ignore[arg-type]


class VersionForm(forms.ModelForm):
    class Meta:
        model = ProcedureVersion
        exclude: list[str] = []  # the admin's fieldsets choose the fields
        widgets = {"eform": forms.Textarea(attrs={"rows": 16, "cols": 100, "spellcheck": "false"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        candidate = self.instance
        concrete = {f.name for f in ProcedureVersion._meta.concrete_fields}
        for name, value in data.items():
            if name in concrete:
                setattr(candidate, name, value)
        try:
            services.validate_version(candidate)
        except DomainError as exc:
            field = exc.details.get("field")
            raise ValidationError({field: exc.message} if field in self.fields else exc.message) from exc
        return data


class _PartInline(ManagerOnly):
    extra = 0

    def _editable(self, obj: ProcedureVersion | None) -> bool:
        return obj is None or not obj.is_published

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request) and self._editable(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request) and self._editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request) and self._editable(obj)


class TimeVariantInline(_PartInline, admin.TabularInline):
    model = TimeVariant


class LegalBasisInline(_PartInline, admin.TabularInline):
    model = LegalBasis


class DocumentInline(_PartInline, admin.StackedInline):
    model = RequiredDocument


class FeeInline(_PartInline, admin.StackedInline):
    model = Fee


class StepInline(_PartInline, admin.TabularInline):
    model = Step
    autocomplete_fields = ["unit"]


class ParticipantInline(_PartInline, admin.TabularInline):
    model = Participant
    autocomplete_fields = ["agency"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ManagerOnly, admin.ModelAdmin):
    form = VersionForm
    list_display = ["__str__", "label", "valid_from", "valid_to", "status", "missing"]
    list_filter = ["status", "procedure__field"]
    search_fields = ["procedure__code", "procedure__name", "label"]
    autocomplete_fields = ["procedure"]
    readonly_fields = ["status", "published_at", "published_by", "created_from", "missing"]
    inlines = [TimeVariantInline, LegalBasisInline, DocumentInline, FeeInline, StepInline, ParticipantInline]
    actions = ["publish", "unpublish"]
    change_form_template = "catalogue/admin/version_change_form.html"
    fieldsets = [
        (None, {"fields": ["procedure", "label", "valid_from", "valid_to", "status", "published_at",
                           "published_by", "created_from", "missing"]}),
        (gettext_lazy("Order and manner (Decree 63/2010 Art. 8(2)(b), (c))"), {"fields": ["sequence", "manner"]}),
        (gettext_lazy("Dossier and time limit (Art. 8(2)(d), (đ))"), {"fields": [
            "dossier_sets", "legal_time_amount", "legal_time_unit", "legal_time_note", "target_time_amount",
            "target_time_unit", "deadline_policy", "clock_start"]}),
        (gettext_lazy("One-stop inter-agency"), {"fields": ["interagency_mode"]}),
        (gettext_lazy("Exceptions of sector law to the general rule set"), {"fields": [
            "supplement_working_days", "supplement_rule"]}),
        (gettext_lazy("Fees, requirements, source (Art. 8(3))"), {"fields": [
            "fee_status", "requirements", "source", "notes"]}),
        (gettext_lazy("Application e-form (Decree 118/2025 Art. 15)"), {"fields": ["eform"]}),
    ]

    @admin.display(description=gettext_lazy("missing parts"))
    def missing(self, obj: ProcedureVersion) -> str:
        if not obj.pk:
            return ""
        return "; ".join(str(p.label) for p in missing_parts(obj)) or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_published:
            # Frozen: a dossier may have been received under it. Unpublish or clone to change it.
            return [f for fs in self.fieldsets for f in fs[1]["fields"]]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: bool) -> None:
        services.save_version(obj, user=request.user)  # type: ignore[arg-type]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.has_changed():
            services.ensure_editable(form.instance)
        super().save_formset(request, form, formset, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        try:
            services.after_parts_saved(form.instance)
        except DomainError as exc:
            # Bad input changes nothing: undo the whole save and say why.
            transaction.set_rollback(True)
            self.message_user(request, _("Nothing was saved: %(reason)s") % {"reason": exc.message},
                              messages.ERROR)

    def delete_model(self, request: HttpRequest, obj: ProcedureVersion) -> None:
        services.delete_version(obj, user=request.user)  # type: ignore[arg-type]

    @admin.action(description=gettext_lazy("Publish the selected versions"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset.select_related("procedure"):
            try:
                services.publish_version(version, user=request.user)  # type: ignore[arg-type]
                self.message_user(request, _("Published %(version)s.") % {"version": version}, messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)

    @admin.action(description=gettext_lazy("Unpublish the selected versions"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset:
            services.unpublish_version(version, user=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Unpublished %(count)d version(s).") % {"count": queryset.count()})

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("<int:pk>/clone/", self.admin_site.admin_view(self.clone_view), name="catalogue_version_clone"),
            path("<int:pk>/diff/", self.admin_site.admin_view(self.diff_view), name="catalogue_version_diff"),
            path("<int:pk>/publish/", self.admin_site.admin_view(self.publish_view),
                 name="catalogue_version_publish"),
        ]
        return own + super().get_urls()

    def _version_or_403(self, request: HttpRequest, pk: int) -> ProcedureVersion:
        if not self._allowed(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=pk)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = self._version_or_403(request, pk)
        if request.method == "POST":
            try:
                if request.POST.get("action") == "unpublish":
                    services.unpublish_version(version, user=request.user)  # type: ignore[arg-type]
                    self.message_user(request, _("Unpublished %(version)s.") % {"version": version})
                else:
                    services.publish_version(version, user=request.user)  # type: ignore[arg-type]
                    self.message_user(request, _("Published %(version)s.") % {"version": version},
                                      messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:catalogue_procedureversion_change", args=[pk]))

    def clone_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = self._version_or_403(request, pk)
        form = CloneForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                clone = services.clone_version(source, valid_from=form.cleaned_data["valid_from"],
                                               label=form.cleaned_data["label"],
                                               user=request.user)  # type: ignore[arg-type]
            except DomainError as exc:
                form.add_error("valid_from", exc.message)
            else:
                self.message_user(request, _("Created the draft %(version)s; %(source)s now ends the day before.")
                                  % {"version": clone, "source": source}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:catalogue_procedureversion_change", args=[clone.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "source": source,
                   "form": form, "title": _("Start the next version of %(version)s") % {"version": source}}
        return TemplateResponse(request, "catalogue/admin/clone.html", context)

    def diff_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = self._version_or_403(request, pk)
        siblings = list(ProcedureVersion.objects.filter(procedure=version.procedure).exclude(pk=pk)
                        .order_by("valid_from"))
        other_id = request.GET.get("other", "")
        other = next((v for v in siblings if str(v.pk) == other_id), None)
        if other is None and siblings:
            earlier = [v for v in siblings if v.valid_from < version.valid_from]
            other = earlier[-1] if earlier else siblings[0]
        changes = []
        if other is not None:
            old, new = (other, version) if other.valid_from < version.valid_from else (version, other)
            changes = selectors.diff_versions(selectors.get_version(old.pk), selectors.get_version(new.pk))
        else:
            old = new = version
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "version": version,
                   "other": other, "siblings": siblings, "changes": changes, "old": old, "new": new,
                   "title": _("Compare versions of %(code)s") % {"code": version.procedure.code}}
        return TemplateResponse(request, "catalogue/admin/diff.html", context)
