from __future__ import annotations

import io
import zipfile
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from . import exchange
from .models import Assessment, LegalDocument, Node, Score, ScoreChange, Tree

# --- criteria trees -------------------------------------------------------------------------------------
# A tree is imported (the page "cai-cach/cay/nhap/" or ``motcua scorecards import``), where its sums, measures
# and rules are checked. A draft may still be touched up here; once its first assessment opened it is frozen
# (``Tree.frozen``): its pages are read-only and say so, and next year's tree is imported instead.

NODE_FIELDS: list[Any] = ["position", "code", "parent", "name", "name_en", "max_points", "method", "metric", "rule",
                          "target", "steps", "guidance", "evidence_required"]


def _frozen(tree: Tree | None) -> bool:
    return bool(tree is not None and tree.pk and tree.frozen)


class NodeInline(admin.TabularInline):
    model = Node
    extra = 0
    fields = NODE_FIELDS
    ordering = ["position"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        self._tree = obj  # the parent choices are the criteria of the same tree
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            tree = getattr(self, "_tree", None)
            kwargs["queryset"] = Node.objects.filter(tree=tree) if tree is not None and tree.pk else Node.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return NODE_FIELDS if _frozen(obj) else []

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Tree)
class TreeAdmin(admin.ModelAdmin):
    list_display = ["year", "scheme", "name", "status", "frozen_at", "published_at"]
    list_filter = ["status", "scheme", "year"]
    search_fields = ["name", "scheme", "decision"]
    fields = ["scheme", "year", "name", "name_en", "decision", "bands", "appeal_days", "data_from", "data_to",
              "status", "frozen_at", "published_at"]
    inlines = [NodeInline]
    actions = ["export_json"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if _frozen(obj):
            return self.fields
        return ["scheme", "year", "status", "frozen_at", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # imported, where the tree is checked whole

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> Any:
        obj = self.get_object(request, object_id)
        if obj is not None and _frozen(obj) and request.method == "GET":
            self.message_user(request, _("This tree is frozen: assessment has started on it, so it cannot be changed. "
                                         "Import next year's tree instead."), messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Export as JSON"))
    def export_json(self, request: HttpRequest, queryset: QuerySet[Tree]) -> HttpResponse:
        trees = list(queryset)
        if len(trees) == 1:
            response = HttpResponse(exchange.tree_json(trees[0]), content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{_file_name(trees[0])}.json"'
            return response
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for tree in trees:
                archive.writestr(f"{_file_name(tree)}.json", exchange.tree_json(tree))
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="cay-tieu-chi.zip"'
        return response


def _file_name(tree: Tree) -> str:
    return f"cay-tieu-chi-{tree.scheme}-{tree.year}"


# --- assessments and their history: read-only here --------------------------------------------------------
# Every score and status changes through the services (which log it in ``ScoreChange``); the history is never
# edited, here or anywhere.


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


SCORE_FIELDS: list[Any] = ["node", "self_points", "auto_points", "appraised_points", "appeal_points", "decided_points",
                           "final_points", "owner"]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    fields = readonly_fields = SCORE_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(_ReadOnly):
    list_display = ["agency", "tree", "status", "self_total", "total", "computed_at"]
    list_filter = ["status", "tree"]
    search_fields = ["agency__name", "agency__code"]
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(_ReadOnly):
    list_display = ["assessment", "node", "self_points", "auto_points", "appraised_points", "final_points"]
    list_filter = ["assessment__tree"]
    search_fields = ["assessment__agency__name", "node__code"]


@admin.register(ScoreChange)
class ScoreChangeAdmin(_ReadOnly):
    list_display = ["at", "assessment", "stage", "score", "old", "new", "by"]
    list_filter = ["stage", "assessment__tree"]
    search_fields = ["assessment__agency__name", "reason"]
    date_hierarchy = "at"


# --- the legal-document register ------------------------------------------------------------------------


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "agency", "issued_on", "review_status", "reviewed_on"]
    list_filter = ["review_status", "agency"]
    search_fields = ["number", "title", "issuer"]
    date_hierarchy = "issued_on"
    autocomplete_fields = ["agency"]
    readonly_fields = ["updated_by"]
