"""The action plan of an assessment: the improvements the leader chose in the simulator, with their owners,
deadlines, expected gains and progress; added by the leader, updated by the leader or the item's owner."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError

from .. import services
from ..choices import PlanStatus
from ..forms import PlanItemAddForm, PlanItemUpdateForm
from ..models import ActionPlanItem, Assessment
from ..selectors import simulator
from .ranking import XLSX, _file, _user, may_plan, officers, simulator_page, viewable_assessment

CLOSED = (PlanStatus.DONE, PlanStatus.DROPPED)


def _items(assessment: Assessment) -> list[ActionPlanItem]:
    return list(assessment.plan.select_related("node", "owner").order_by("due", "pk"))


def _overdue(item: ActionPlanItem) -> bool:
    return item.due < timezone.localdate() and item.status not in CLOSED


def _target(item: ActionPlanItem) -> str:
    if item.target_value is not None:
        return simulator.pct(float(item.target_value))
    return _("%(points)s points") % {"points": item.target_points}


def plan_page(request: HttpRequest, assessment: Assessment, *, failed: ActionPlanItem | None = None,
              failed_form: PlanItemUpdateForm | None = None, status: int = 200) -> HttpResponse:
    user = _user(request)
    lead = services.leads(user, assessment.agency)
    lines: list[dict[str, Any]] = []
    items = _items(assessment)
    for item in items:
        editable = lead or (user is not None and item.owner_id == user.pk)
        form = None
        if editable:
            form = (failed_form if failed is not None and failed.pk == item.pk else
                    PlanItemUpdateForm(initial={"status": item.status, "progress": item.progress},
                                       prefix=f"item-{item.pk}"))
        lines.append({"item": item, "overdue": _overdue(item), "target": _target(item), "form": form})
    expected = sum((i.expected_gain for i in items), Decimal(0))
    still = sum((i.expected_gain for i in items if i.status != PlanStatus.DROPPED), Decimal(0))
    done = sum((i.expected_gain for i in items if i.status == PlanStatus.DONE), Decimal(0))
    return render(request, "scorecards/plan.html", {
        "assessment": assessment, "tree": assessment.tree, "lines": lines, "expected": expected,
        "still": still, "done": done, "overdue": sum(1 for i in lines if i["overdue"]),
        "leader": lead}, status=status)


@login_required
@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    return plan_page(request, viewable_assessment(request, pk))


@login_required
@require_POST
def plan_add(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = viewable_assessment(request, pk)
    user = _user(request)
    if not services.leads(user, assessment.agency):
        raise PermissionDenied
    leaves = [o.node for o in sorted(simulator.opportunities(assessment), key=lambda o: o.node.position)]
    form = PlanItemAddForm(request.POST, leaves, officers(assessment.agency))
    if not may_plan(user, assessment):
        return simulator_page(request, assessment, plan_form=form, status=409,
                              plan_error=_("The assessment is locked."))
    if not form.is_valid():
        return simulator_page(request, assessment, plan_form=form, status=400)
    data = form.cleaned_data
    node = form.leaves[data["node"]]
    try:
        item = services.plan_improvement(
            assessment, node, action=data["action"], owner=form.officers[data["owner"]], due=data["due"],
            by=user,  # type: ignore[arg-type]
            target_value=data["target_value"] if node.automatic else None,
            target_points=None if node.automatic and data["target_value"] else data["target_points"])
    except DomainError as exc:
        form.add_domain_error(exc)
        return simulator_page(request, assessment, plan_form=form, status=exc.status)
    messages.success(request, _("Added to the action plan: %(code)s, expected gain %(gain)s points.")
                     % {"code": node.code, "gain": item.expected_gain})
    return redirect("scorecards:plan", pk=assessment.pk)


@login_required
@require_POST
def plan_item(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(ActionPlanItem.objects.select_related("assessment__agency", "assessment__tree"),
                             pk=item_pk)
    assessment = item.assessment
    user = _user(request)
    if not (services.leads(user, assessment.agency) or (user is not None and item.owner_id == user.pk)):
        raise PermissionDenied
    form = PlanItemUpdateForm(request.POST, prefix=f"item-{item.pk}")
    if not form.is_valid():
        return plan_page(request, assessment, failed=item, failed_form=form, status=400)
    try:
        services.update_plan_item(item, status=form.cleaned_data["status"], progress=form.cleaned_data["progress"],
                                  by=user)  # type: ignore[arg-type]
    except DomainError as exc:
        form.add_domain_error(exc)
        return plan_page(request, assessment, failed=item, failed_form=form, status=exc.status)
    messages.success(request, _("Action-plan item %(code)s updated.") % {"code": item.node.code})
    return redirect(reverse("scorecards:plan", kwargs={"pk": assessment.pk}) + f"#item-{item.pk}")


@login_required
@require_GET
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    import xlsxwriter

    assessment = viewable_assessment(request, pk)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet = workbook.add_worksheet("Ke hoach")
    sheet.write(0, 0, f"{assessment.agency.name} — {assessment.tree.name}", bold)
    header = ["Tiêu chí / Criterion", "Hành động / Action", "Người phụ trách / Owner", "Hạn / Deadline",
              "Mục tiêu / Target", "Điểm dự kiến tăng / Expected gain", "Trạng thái / Status",
              "Tiến độ / Progress", "Quá hạn / Overdue"]
    sheet.write_row(1, 0, header, bold)
    row: Any = 2
    total = Decimal(0)
    for row, item in enumerate(_items(assessment), start=2):
        sheet.write(row, 0, f"{item.node.code}. {item.node.name}")
        sheet.write(row, 1, item.action)
        sheet.write(row, 2, str(item.owner))
        sheet.write_datetime(row, 3, dt.datetime.combine(item.due, dt.time()), day)
        sheet.write(row, 4, _target(item))
        sheet.write_number(row, 5, float(item.expected_gain))
        sheet.write(row, 6, item.get_status_display())
        sheet.write(row, 7, item.progress)
        sheet.write(row, 8, "x" if _overdue(item) else "")
        total += item.expected_gain
    sheet.write(row + 1, 4, "Tổng / Total", bold)
    sheet.write_number(row + 1, 5, float(total), bold)
    sheet.set_column(0, 1, 40)
    workbook.close()
    return _file(buffer.getvalue(), XLSX, f"ke-hoach-{assessment.agency.code}-{assessment.tree.year}.xlsx")


urls: list[URLPattern] = [
    path("danh-gia/<int:pk>/ke-hoach/", plan, name="plan"),
    path("danh-gia/<int:pk>/ke-hoach/them/", plan_add, name="plan_add"),
    path("danh-gia/<int:pk>/ke-hoach.xlsx", plan_xlsx, name="plan_xlsx"),
    path("ke-hoach/<int:item_pk>/", plan_item, name="plan_item"),
]
