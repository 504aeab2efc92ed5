"""The public ranking of the agencies on a tree (with its exports) and the simulator of an assessment.

A published tree's ranking is public; an open tree's is provisional and shown to the council and to those who
see every assessment only. Reads through ``selectors``; the simulator's plan form posts to ``plans.plan_add``.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.accounts.models import OrgUnit, User

from .. import services
from ..choices import AssessmentStatus, TreeStatus
from ..forms import PlanItemAddForm, SimulatorForm, leaf_field
from ..models import Assessment, Tree
from ..selectors import assessments as assessment_selectors
from ..selectors import ranking as ranking_selectors
from ..selectors import simulator

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if user.is_authenticated else None  # type: ignore[return-value]


def sees_provisional(user: User | None) -> bool:
    """The council and those who see every assessment read a ranking before it is published."""
    return services.sees_all(user) or services.is_council(user)


def visible_tree(request: HttpRequest, pk: int) -> Tree:
    tree = get_object_or_404(Tree, pk=pk)
    if tree.status == TreeStatus.PUBLISHED:
        return tree
    if tree.status == TreeStatus.OPEN and sees_provisional(_user(request)):
        return tree
    raise Http404


def change_label(change: int | None) -> tuple[str, str]:
    """("↑8", "up 8") for the eyes and the screen readers; ("", "") with no previous rank."""
    if change is None:
        return "", ""
    if change > 0:
        return f"↑{change}", _("up %(n)s") % {"n": change}
    if change < 0:
        return f"↓{-change}", _("down %(n)s") % {"n": -change}
    return "=", _("unchanged")


def bands_sentence(tree: Tree) -> str:
    if not tree.bands:
        return ""
    parts = ", ".join(_("%(code)s from %(min)s points") % {"code": b["code"], "min": _plain(b["min"])}
                      for b in tree.bands)
    return _("The band is the class a total reaches: %(bands)s; below the lowest, no band.") % {"bands": parts}


def _plain(value: Any) -> str:
    """9.0 → "9", 8.5 → "8.5"."""
    return f"{Decimal(str(value)).normalize():f}"


def _rows(data: dict[str, Any], user: User | None) -> list[dict[str, Any]]:
    out = []
    for r in data["rows"]:
        arrow, spoken = change_label(r.change)
        out.append({"row": r, "arrow": arrow, "spoken": spoken,
                    "cells": [(r.areas.get(a.pk), r.area_ranks.get(a.pk)) for a in data["areas"]],
                    "link": services.may_view(user, r.assessment)})
    return out


@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    statuses = [TreeStatus.PUBLISHED, TreeStatus.OPEN] if sees_provisional(user) else [TreeStatus.PUBLISHED]
    trees = Tree.objects.filter(status__in=statuses).order_by("-year", "scheme")
    return render(request, "scorecards/rankings.html", {"trees": trees})


@require_GET
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    tree = visible_tree(request, pk)
    data = ranking_selectors.ranking(tree)
    return render(request, "scorecards/ranking.html", {
        **data, "lines": _rows(data, _user(request)), "bands_sentence": bands_sentence(tree),
        "provisional": tree.status != TreeStatus.PUBLISHED})


def _table(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The ranking as a header (Vietnamese / English) and rows, for the exports."""
    header = ["Hạng / Rank", "Đơn vị / Agency", "Tổng điểm / Total", "Xếp loại / Band"]
    for a in data["areas"]:
        header += [f"{a.code}. {a.name} / Area {a.code}", f"Hạng {a.code} / Rank {a.code}"]
    header += ["Hạng năm trước / Last year's rank", "Thay đổi / Change"]
    rows = []
    for r in data["rows"]:
        line: list[Any] = [r.rank, r.agency.name, _num(r.total), (r.band or {}).get("code", "")]
        for a in data["areas"]:
            line += [_num(r.areas.get(a.pk)), r.area_ranks.get(a.pk)]
        line += [r.previous_rank, r.change]
        rows.append(line)
    return header, rows


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _file(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _title(tree: Tree, provisional: bool) -> str:
    title = f"{tree.name} — {tree.decision}" if tree.decision else tree.name
    return f"{title} (Tạm tính, chưa công bố / Provisional, not published)" if provisional else title


@require_GET
def ranking_csv(request: HttpRequest, pk: int) -> HttpResponse:
    tree = visible_tree(request, pk)
    header, rows = _table(ranking_selectors.ranking(tree))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_title(tree, tree.status != TreeStatus.PUBLISHED)])
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in line] for line in rows])
    # A byte-order mark, so that spreadsheet programs read the Vietnamese right.
    return _file(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8",
                 f"xep-hang-{tree.scheme}-{tree.year}.csv")


@require_GET
def ranking_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    import xlsxwriter

    tree = visible_tree(request, pk)
    header, rows = _table(ranking_selectors.ranking(tree))
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("Xep hang")
    sheet.write(0, 0, _title(tree, tree.status != TreeStatus.PUBLISHED), bold)
    sheet.write_row(1, 0, header, bold)
    for i, line in enumerate(rows, start=2):
        sheet.write_row(i, 0, line)
    sheet.set_column(1, 1, 40)
    sheet.freeze_panes(2, 2)
    workbook.close()
    return _file(buffer.getvalue(), XLSX, f"xep-hang-{tree.scheme}-{tree.year}.xlsx")


# --- the simulator ----------------------------------------------------------------------------------------


def viewable_assessment(request: HttpRequest, pk: int) -> Assessment:
    assessment = get_object_or_404(Assessment.objects.select_related("tree", "agency"), pk=pk)
    if not services.may_view(_user(request), assessment):
        raise PermissionDenied
    return assessment


def officers(agency: OrgUnit) -> list[User]:
    """The agency's own officers (those who may own an item of its action plan)."""
    return assessment_selectors.officers_of(agency)


def may_plan(user: User | None, assessment: Assessment) -> bool:
    return services.leads(user, assessment.agency) and assessment.status != AssessmentStatus.LOCKED


def simulator_page(request: HttpRequest, assessment: Assessment, *, plan_form: PlanItemAddForm | None = None,
                   status: int = 200, plan_error: str = "") -> HttpResponse:
    """The simulator of ``assessment`` for the query in ``request.GET`` (also re-rendered by ``plan_add``)."""
    user = _user(request)
    ops = simulator.opportunities(assessment)
    leaves = [o.node for o in sorted(ops, key=lambda o: o.node.position)]
    form = SimulatorForm(request.GET or None, leaves)
    result = None
    if form.is_bound and form.is_valid():
        result = simulator.simulate(assessment, form.changes())
        for code, message in result["errors"].items():
            name = leaf_field(code)
            if name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, f"{code}: {message}")
        if result["errors"] and status == 200:
            status = 400
        names = sees_provisional(user) or assessment.tree.status == TreeStatus.PUBLISHED
        result["show_names"] = names
    elif form.is_bound and status == 200:
        status = 400
    planning = may_plan(user, assessment)
    if planning and plan_form is None:
        plan_form = PlanItemAddForm(None, leaves, officers(assessment.agency))
    lines = [{"op": o, "field": form[leaf_field(o.node.code)]} for o in ops]
    return render(request, "scorecards/simulator.html", {
        "assessment": assessment, "tree": assessment.tree, "lines": lines, "form": form, "result": result,
        "plan_form": plan_form if planning else None, "plan_error": plan_error,
        "leader": services.leads(user, assessment.agency)}, status=status)


@login_required
@require_GET
def simulator_view(request: HttpRequest, pk: int) -> HttpResponse:
    return simulator_page(request, viewable_assessment(request, pk))


urls: list[URLPattern] = [
    path("xep-hang/", rankings, name="rankings"),
    path("xep-hang/<int:pk>/", ranking, name="ranking"),
    path("xep-hang/<int:pk>.xlsx", ranking_xlsx, name="ranking_xlsx"),
    path("xep-hang/<int:pk>.csv", ranking_csv, name="ranking_csv"),
    path("danh-gia/<int:pk>/mo-phong/", simulator_view, name="simulator"),
]
