from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import DomainError

from . import selectors, services
from .models import Campaign, Counter, Criterion, Factor, Questionnaire, Stratum

# --- questionnaires, their factors and criteria -----------------------------------------------------------------
# A questionnaire that answers name is frozen (``services.check_editable``): its pages are read-only and say so;
# "Make a new version" copies it (``services.new_version``) into the next version, which is edited instead.


class _FrozenMixin:
    """Read-only, with no add or delete, when the questionnaire the object belongs to is frozen."""

    def _questionnaire_of(self, obj: Any) -> Questionnaire | None:
        raise NotImplementedError

    def _frozen(self, obj: Any) -> bool:
        q = self._questionnaire_of(obj) if obj is not None else None
        return bool(q is not None and q.pk and q.frozen)


class _FrozenPage(_FrozenMixin, admin.ModelAdmin):
    """A frozen questionnaire's (or factor's) own page says why it cannot be changed, and cannot be deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> Any:
        obj = self.get_object(request, object_id)
        if obj is not None and self._frozen(obj) and request.method == "GET":
            self.message_user(request, _("This questionnaire already has answers and cannot be changed; make a new "
                                         "version (action “Make a new version”)."), messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)


class _FrozenInline(_FrozenMixin, admin.TabularInline):
    """The rows of a frozen questionnaire's page: read-only, none added or deleted."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if self._frozen(obj) else []

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class FactorInline(_FrozenInline):
    model = Factor
    extra = 0
    fields = ["position", "code", "name", "name_en"]
    show_change_link = True

    def _questionnaire_of(self, obj: Any) -> Questionnaire | None:
        return obj  # the page's object is the questionnaire itself


@admin.register(Questionnaire)
class QuestionnaireAdmin(_FrozenPage):
    list_display = ["code", "version", "title", "valid_from", "valid_to", "per_dossier", "active"]
    list_filter = ["code", "active", "per_dossier"]
    search_fields = ["code", "title"]
    inlines = [FactorInline]
    actions = ["make_new_version"]
    fields = ["code", "version", "title", "title_en", "valid_from", "valid_to", "scale_max", "scale_labels",
              "satisfied_from", "asks_comment", "per_dossier", "active"]

    def _questionnaire_of(self, obj: Any) -> Questionnaire | None:
        return obj

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self._frozen(obj):
            # What an answer means is fixed; only whether the version is offered may still change.
            return [f for f in self.fields if f != "active"]
        return []

    def save_model(self, request: HttpRequest, obj: Questionnaire, form: Any, change: bool) -> None:
        if change and set(form.changed_data) - {"active"}:
            services.check_editable(obj)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Make a new version"))
    def make_new_version(self, request: HttpRequest, queryset: QuerySet[Questionnaire]) -> None:
        for q in queryset:
            copy = services.new_version(q)
            self.message_user(request, _("%(title)s: version %(version)s created, valid from today.")
                              % {"title": q.title, "version": copy.version}, messages.SUCCESS)


class CriterionInline(_FrozenInline):
    model = Criterion
    extra = 0
    fields = ["position", "code", "text", "text_en", "about_officer", "allows_na", "overall"]

    def _questionnaire_of(self, obj: Any) -> Questionnaire | None:
        return obj.questionnaire  # the page's object is the factor


@admin.register(Factor)
class FactorAdmin(_FrozenPage):
    """A factor and its criteria (reached from its questionnaire's page)."""

    list_display = ["questionnaire", "position", "code", "name"]
    list_filter = ["questionnaire"]
    fields = ["questionnaire", "position", "code", "name", "name_en"]
    inlines = [CriterionInline]

    def _questionnaire_of(self, obj: Any) -> Questionnaire | None:
        return obj.questionnaire

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self._frozen(obj):
            return self.fields
        return ["questionnaire"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Factor, form: Any, change: bool) -> None:
        services.check_editable(obj.questionnaire)
        super().save_model(request, obj, form, change)


# --- campaigns ----------------------------------------------------------------------------------------------------
# Created here or through the API; once created, what defines the draw is read-only (the seed and the frame make
# it reproducible). Sending, reminding and closing are actions that call the services.


class CampaignAddForm(forms.ModelForm):
    """The bounds ``services.create_campaign`` holds, checked as form errors next to their fields."""

    class Meta:
        model = Campaign
        fields = ["questionnaire", "name", "unit", "period_from", "period_to", "margin", "expected_share",
                  "expected_response_rate"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("period_from"), data.get("period_to")
        if first and last and last < first:
            self.add_error("period_to", _("The end of the period is before its start."))
        bounds = {"margin": (0, Decimal("0.5")), "expected_share": (0, Decimal("0.999")),
                  "expected_response_rate": (0, Decimal("1"))}
        for name, (low, high) in bounds.items():
            value = data.get(name)
            if value is not None and not low < value <= high:
                self.add_error(name, _("Give a number between %(low)s and %(high)s.") % {"low": low, "high": high})
        return data


class StratumInline(admin.TabularInline):
    model = Stratum
    extra = 0
    fields = readonly_fields = ("key", "procedure_code", "dossier_channel", "population", "sample")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "questionnaire", "unit", "period_from", "period_to", "status", "sample_size",
                    "sent_at"]
    list_filter = ["status"]
    inlines = [StratumInline]
    actions = ["send", "remind", "close"]
    add_fields = ["questionnaire", "name", "unit", "period_from", "period_to", "margin", "expected_share",
                  "expected_response_rate"]
    shown = [*add_fields, "seed", "status", "population", "sample_size", "created_by", "created_at", "sent_at",
             "reminded_at", "closes_at", "rates"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fields if obj is None else self.shown

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [] if obj is None else self.inlines  # a draft has no strata until it is sent

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.shown

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # answers name their campaign: close it, never delete

    @admin.display(description=_("response rates"))
    def rates(self, obj: Campaign) -> str:
        data = selectors.campaign_rates(obj)
        # Answered of invited, overall then per stratum.
        rows = [(_("All"), data["answered"], data["invited"], _pct(data["rate"]))]
        rows += [(s["key"], s["answered"], s["invited"], _pct(s["rate"])) for s in data["strata"]]
        return format_html_join("", "<div>{}: {} / {} ({})</div>", rows)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and has_capability(request.user,  # type: ignore[arg-type]
                                                                       Capability.ADMINISTER)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = CampaignAddForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        if change:
            return
        made = services.create_campaign(
            request.user, obj.questionnaire, obj.name, obj.period_from, obj.period_to,  # type: ignore[arg-type]
            unit=obj.unit, margin=float(obj.margin), expected_share=float(obj.expected_share),
            expected_response_rate=float(obj.expected_response_rate))
        obj.pk, obj.seed, obj.created_by, obj.created_at = made.pk, made.seed, made.created_by, made.created_at
        obj.status = made.status

    def _run(self, request: HttpRequest, queryset: QuerySet[Campaign], call: Any, done: str) -> None:
        for campaign in queryset:
            try:
                call(campaign, request.user)
            except DomainError as exc:
                self.message_user(request, f"{campaign}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{campaign}: {done}", messages.SUCCESS)

    @admin.action(description=_("Draw the sample and send the invitations"))
    def send(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._run(request, queryset, services.send_invitations, str(_("invitations sent.")))

    @admin.action(description=_("Send the reminder"))
    def remind(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._run(request, queryset, services.remind, str(_("reminder sent.")))

    @admin.action(description=_("Close"))
    def close(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._run(request, queryset, services.close, str(_("closed.")))


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


# --- desk counters -----------------------------------------------------------------------------------------------

@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    """The desk counters a kiosk is set up at (``views.kiosk``). A counter answers name is kept: switch it off
    (``active``) rather than delete it, so that the answers' desk keeps a name."""

    list_display = ["name", "code", "unit", "active"]
    list_filter = ["active", "unit"]
    search_fields = ["name", "code", "unit__name"]
    autocomplete_fields = ["unit"]
