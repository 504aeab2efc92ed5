"""The administrators' page of the national catalogue (``/ket-noi/danh-muc-quoc-gia/``): what the latest
comparison found, each change field by field, and the buttons that apply one procedure's changes or all of
them (POST, CSRF). Only holders of ``MANAGE_CATALOGUE`` (the catalogue administrators) see or use it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.catalogue.choices import (
    ApplicantType,
    CopyKind,
    FeeKind,
    FeeStatus,
    Level,
    OnlineMode,
    TimeUnit,
    VersionStatus,
)
from motcua.core.errors import DomainError

from ..models import CatalogueComparison
from . import selectors, services, source

LABELS = {
    "name": gettext_lazy("Procedure name"), "field_name": gettext_lazy("Field"),
    "field_code": gettext_lazy("National field code"), "level": gettext_lazy("Level"),
    "online_mode": gettext_lazy("Online mode"), "applicant_types": gettext_lazy("Who may apply"),
    "result_name": gettext_lazy("Result"), "sequence": gettext_lazy("Order of implementation"),
    "manner": gettext_lazy("Manner of implementation"), "requirements": gettext_lazy("Requirements and conditions"),
    "legal_time": gettext_lazy("Time limit"), "legal_time_note": gettext_lazy("Time limit notes"),
    "fee_status": gettext_lazy("Whether fees apply"), "documents": gettext_lazy("Documents"),
    "fees": gettext_lazy("Fees"), "legal_basis": gettext_lazy("Legal basis"),
}
_CODES: dict[str, Any] = {"level": Level, "online_mode": OnlineMode, "fee_status": FeeStatus}


def _administrator(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not has_capability(user, Capability.MANAGE_CATALOGUE):
        raise PermissionDenied
    return user


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _item(field: str, item: dict[str, Any]) -> str:
    if field == "documents":
        bits = [item.get("name", ""), f"{item['copies']} ×" if item.get("copies") else "",
                _label(CopyKind, item["copy_kind"]) if item.get("copy_kind") else "", item.get("template_name", "")]
    elif field == "fees":
        amount = item.get("amount_vnd")
        bits = [item.get("name", ""), _label(FeeKind, item["kind"]) if item.get("kind") else "",
                f"{amount:,} đ".replace(",", ".") if isinstance(amount, int) else "", item.get("amount_rule", "")]
    else:
        bits = [item.get("instrument", ""), item.get("articles", "")]
    return " — ".join(str(b) for b in bits if b)


def show(field: str, value: Any) -> list[str]:
    """A value of the comparison as lines of text for the page."""
    if isinstance(value, list) and field in ("documents", "fees", "legal_basis"):
        return [_item(field, v) for v in value] or [_("(none)")]
    if field == "applicant_types":
        return [", ".join(_label(ApplicantType, v) for v in value) or _("(none)")]
    if field == "legal_time":
        return [f"{value['amount']} {_label(TimeUnit, value['unit'])}" if value else _("(none)")]
    if field in _CODES:
        return [_label(_CODES[field], value) if value else _("(none)")]
    return [str(value) if value not in ("", None) else _("(none)")]


def _rows(comparison: CatalogueComparison | None) -> dict[str, Any]:
    if comparison is None:
        return {"changed": [], "new": []}
    changed = []
    for entry in comparison.diff.get("changed", []):
        if entry.get("version"):
            entry = {**entry, "version": {**entry["version"],
                                          "status_label": _label(VersionStatus, entry["version"]["status"])}}
        changed.append({**entry, "rows": [
            {"label": LABELS.get(c["field"], c["field"]), "old": show(c["field"], c["old"]),
             "new": show(c["field"], c["new"]), "added": c.get("added", []), "removed": c.get("removed", []),
             "modified": c.get("modified", [])} for c in entry["changes"]]})
    new = []
    for entry in comparison.diff.get("new", []):
        new.append({**entry, "rows": [{"label": LABELS.get(k, k), "value": show(k, v)}
                                      for k, v in entry.get("values", {}).items()]})
    return {"changed": changed, "new": new}


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    comparison = selectors.latest_comparison()
    shown = comparison if comparison is None or comparison.ok else selectors.latest_successful()
    return render(request, "integrations/national_catalogue.html", {
        "latest": comparison, "comparison": shown, **_rows(shown), "url": source.configured_url(),
        "applications": selectors.recent_applications(),
    })


@login_required
@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    user = _administrator(request)
    comparison = get_object_or_404(CatalogueComparison, pk=request.POST.get("comparison") or 0, ok=True)
    codes = None if request.POST.get("all") else [c for c in request.POST.getlist("code") if c]
    if codes == []:
        messages.error(request, _("Choose a procedure to apply."))
        return HttpResponseRedirect(reverse("integrations:national-catalogue"))
    publish = request.POST.get("publish") == "1"
    try:
        outcome = services.apply_from_comparison(comparison, codes=codes, user=user, publish=publish)
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("integrations:national-catalogue"))
    done = [a for a in outcome.applied if a.action != "unchanged"]
    for applied in done:
        text = _("%(code)s: applied from %(day)s.") % {"code": applied.code,
                                                         "day": applied.valid_from.strftime("%d/%m/%Y")
                                                         if applied.valid_from else "-"}
        messages.success(request, f"{text} {applied.note}".strip())
    for applied in outcome.applied:
        if applied.action == "unchanged":
            messages.info(request, _("%(code)s: already in step, nothing to apply.") % {"code": applied.code})
    for error in outcome.errors:
        messages.error(request, _("%(code)s: not applied: %(reason)s") % {"code": error["code"],
                                                                          "reason": error["message"]})
    return HttpResponseRedirect(reverse("integrations:national-catalogue"))
