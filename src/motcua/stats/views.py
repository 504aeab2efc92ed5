"""Statistics pages, mounted at /thong-ke/: dashboards (director, division head, province), the dossiers
behind a number, the ranking of agencies, the periodic report (XLSX, PDF) and the public transparency page
with its open data. Thin: check the right, parse the period, call a selector, render."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.core import exports as core_exports
from motcua.core.dbrouter import replica_reads
from motcua.core.pagecache import public_page
from motcua.insight.prediction import selectors as prediction_selectors
from motcua.surveys import selectors as survey_selectors

from . import charts, evaluation, interagency, kpi, pakn, reports, selectors, services
from . import exports as report_exports
from .forms import Period, PeriodForm, period_from, status
from .models import IssuedReport

PAGE_SIZE = 50


def _viewer(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not selectors.may_view_stats(user):
        raise PermissionDenied
    return user


def _unit_or_province(user: User, code: str | None) -> OrgUnit | None:
    """The unit of ``code`` in the user's scope, or the province (``code`` empty) for tree-wide viewers."""
    if code:
        return selectors.unit_for(user, code)
    if not selectors.sees_province(user):
        raise PermissionDenied
    return None


def drill_url(unit: OrgUnit | None, measure: str, period: Period, **extra: Any) -> str:
    query = {"measure": measure, "from": period.first.isoformat(), "to": period.last.isoformat(),
             **({"unit": unit.code} if unit else {}), **{k: v for k, v in extra.items() if v is not None}}
    return f"{reverse('stats:dossiers')}?{urlencode(query)}"


FEEDBACK_QUEUE = "/phan-anh/can-bo/"


def feedback_url(unit: OrgUnit | None, period: Period, handled: bool = False, **filters: Any) -> str:
    """The staff queue of feedback (``feedback.selectors.staff_items``) filtered to the items behind a number:
    received in the period (``tu``/``den``), or being handled in it (``handled=1``), counted by the statistics
    (``thong_ke=1``: neither spam nor merged), of the unit."""
    query: dict[str, Any] = {"xem": "all", "tu": period.first.isoformat(), "den": period.last.isoformat(),
                             "thong_ke": 1}
    if handled:
        query["handled"] = 1
    if unit is not None:
        query["division" if unit.kind == UnitKind.DIVISION else "agency"] = unit.pk
    query.update({k: v for k, v in filters.items() if v not in (None, "")})
    return f"{FEEDBACK_QUEUE}?{urlencode(query)}"


def satisfaction_section(unit: OrgUnit | None, scope: kpi.Scope, period: Period) -> list[dict[str, Any]]:
    """The satisfaction indices of a dashboard, one row per questionnaire with answers in the period (the
    per-dossier rating, the SIPAS survey), read from the surveys app with its suppression under the minimum
    group, each with the link to its full results."""
    rows = []
    for code in survey_selectors.codes_answered(scope.unit_ids, period.first, period.last):
        score = survey_selectors.department_score(scope.unit_ids, period.first, period.last, code)
        query = {"questionnaire": code, "from": period.first.isoformat(), "to": period.last.isoformat()}
        if unit is not None:
            query["unit"] = unit.code
        rows.append({**score, "title": survey_selectors.title_of(code),
                     "url": f"{reverse('surveys:results')}?{urlencode(query)}"})
    return rows


def feedback_section(unit: OrgUnit | None, scope: kpi.Scope, period: Period) -> dict[str, Any]:
    """The feedback figures of a dashboard (``pakn.dashboard``), each count with the link to its items."""
    data = pakn.dashboard(scope.unit_ids, period.first, period.last)
    data["received_url"] = feedback_url(unit, period)
    data["handled_url"] = feedback_url(unit, period, handled=True)
    for row in data["by_channel"]:
        row["url"] = feedback_url(unit, period, channel=row["key"])
    for row in data["by_status"]:
        row["url"] = feedback_url(unit, period, status=row["key"])
    for row in data["by_field"]:
        row["url"] = feedback_url(unit, period, field=row["key"])
        row["handled_url"] = feedback_url(unit, period, handled=True, field=row["key"])
    for row in data["by_division"]:
        row["url"] = feedback_url(unit, period, division=row["key"])
        row["handled_url"] = feedback_url(unit, period, handled=True, division=row["key"])
    return data


@login_required
@require_GET
@replica_reads
def index(request: HttpRequest) -> HttpResponse:
    unit = selectors.home_unit(_viewer(request))
    target = reverse("stats:unit", args=[unit.code]) if unit else reverse("stats:province")
    query = request.GET.urlencode()
    return redirect(f"{target}?{query}" if query else target)


def likely_late_section(user: User, scope: kpi.Scope) -> dict[str, Any] | None:
    """The open dossiers of the dashboard's units most likely late, with their reasons, among those the viewer
    may see (``insight``'s lateness model); None while none of them is scored."""
    count, items = prediction_selectors.most_likely_late(user, unit_ids=scope.unit_ids, limit=10)
    if not count:  # one query while nothing is scored
        return None
    return {"model": prediction_selectors.active_model(), "count": count, "items": items}


def _dashboard(request: HttpRequest, unit: OrgUnit | None) -> HttpResponse:
    form, period = period_from(request.GET)
    scope = selectors.scope_of(unit)
    figures = selectors.kpis(scope, period)
    months = selectors.monthly(scope, selectors.trend_months(period.last))
    context: dict[str, Any] = {
        "unit": unit, "form": form, "period": period, "figures": figures,
        "cards": charts.cards(figures, unit, period, drill_url), "months": months,
        "charts": charts.trend_charts(months, lambda m, a, b: drill_url(unit, m, Period(a, b, ""))),
        "columns": charts.column_labels(), "units": None, "officers": None,
    }
    if unit is not None and unit.kind == UnitKind.DIVISION:
        context["officers"] = charts.officer_rows(selectors.by_officer(unit, period), unit, period, drill_url)
    else:
        context["units"] = charts.unit_rows(selectors.by_unit(unit, selectors.children_of(unit), period), period,
                                            drill_url)
    if unit is not None and unit.kind in selectors.AGENCY_KINDS:
        context["evaluation"] = evaluation.evaluate(scope, period.first, period.last)
    context["interagency"] = interagency.by_agency(scope.unit_ids, period.first, period.last)
    context["feedback"] = feedback_section(unit, scope, period)
    context["satisfaction"] = satisfaction_section(unit, scope, period)
    context["likely_late"] = likely_late_section(request.user, scope)  # type: ignore[arg-type]
    context["feedback_tables"] = [
        (_("Feedback by field"), context["feedback"]["by_field"], "feedback-field-h", _("Field")),
        (_("Feedback by division"), context["feedback"]["by_division"], "feedback-division-h", _("Division"))]
    return render(request, "stats/dashboard.html", context, status=status(form))


@login_required
@require_GET
@replica_reads
def unit_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard(request, selectors.unit_for(_viewer(request), code))


@login_required
@require_GET
@replica_reads
def province(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, _unit_or_province(_viewer(request), None))


@login_required
@require_GET
@replica_reads
def dossiers(request: HttpRequest) -> HttpResponse:
    """The dossiers behind a number of a dashboard: the same definitions, the viewer's scope, 50 a page."""
    user = _viewer(request)
    unit = _unit_or_province(user, request.GET.get("unit"))
    form, period = period_from(request.GET)
    measure = request.GET.get("measure", "processed")
    if measure not in selectors.MEASURES:
        measure = "processed"
    officer = request.GET.get("officer")
    scope = selectors.scope_of(unit, request.GET.get("side", ""))
    qs = selectors.dossiers_behind(scope, measure, period.first, period.last,
                                   int(officer) if officer and re.fullmatch(r"[0-9]{1,9}", officer) else None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "stats/dossiers.html", {
        "unit": unit, "form": form, "period": period, "measure": measure, "measure_label": charts.label(measure),
        "page": page, "query": params.urlencode(), "measures": [(m, charts.label(m)) for m in selectors.MEASURES]},
        status=status(form))


@login_required
@require_GET
@replica_reads
def ranking(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    form, period = period_from(request.GET)
    data = selectors.ranking(period.first, period.last)
    return render(request, "stats/ranking.html", {"form": form, "period": period, "data": data}, status=status(form))


def _report_scope(request: HttpRequest) -> tuple[OrgUnit | None, Any, Period, PeriodForm]:
    user = _viewer(request)
    code = request.GET.get("unit") or ""
    unit = _unit_or_province(user, code) if code else selectors.home_unit(user)
    form, period = period_from(request.GET)
    return unit, selectors.scope_of(unit), period, form


@login_required
@require_GET
@replica_reads
def report(request: HttpRequest) -> HttpResponse:
    unit, scope, period, form = _report_scope(request)
    query = period.query() + (f"&unit={unit.code}" if unit else "")
    issued = IssuedReport.objects.filter(unit=unit).select_related("issued_by")[:20]
    return render(request, "stats/report.html", {
        "unit": unit, "form": form, "period": period, "headings": reports.HEADINGS, "query": query,
        "keep": [("unit", unit.code)] if unit else [], "ongoing": not kpi.passed(period.last),
        "judged_at": kpi.judged_at(period.last), "issued": issued,
        "may_issue": reports.may_issue(_viewer(request), unit),
        **reports.cells(reports.rows(scope, period.first, period.last))},
        status=status(form))


@login_required
@require_POST
def report_issue(request: HttpRequest) -> HttpResponse:
    """The leader signs and issues the report of the unit and period in the query: numbered, stored, then
    served from ``issued_report_pdf``."""
    unit, scope, period, form = _report_scope(request)
    if status(form) != 200:
        return report(request)
    issued = services.issue(_viewer(request), unit, scope, period.first, period.last)
    return redirect("stats:issued_report_pdf", pk=issued.pk)


@login_required
@require_GET
def issued_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """An issued report, to those who may see the statistics of the unit it reports on."""
    issued = get_object_or_404(IssuedReport.objects.select_related("unit"), pk=pk)
    _unit_or_province(_viewer(request), issued.unit.code if issued.unit else None)
    response = HttpResponse(reports.read(issued), content_type="application/pdf")
    name = issued.reference.replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="bao-cao-{name}-{issued.year}.pdf"'
    return response


@login_required
@require_GET
@replica_reads
def report_xlsx(request: HttpRequest) -> HttpResponse:
    unit, scope, period, form = _report_scope(request)
    if status(form) != 200:
        return report(request)  # the report page, which says what is wrong with the period (400)
    user = _viewer(request)
    wanted = report_exports.params(unit, period.first, period.last)
    if core_exports.in_background(report_exports.XLSX, user, wanted):
        # A period with more dossiers than a request should write: built by a task, followed on its page.
        job = core_exports.start(report_exports.XLSX, user, wanted)
        return redirect("core:export", job.pk)  # 302 to a page fetched with GET
    response = HttpResponse(reports.xlsx(unit, scope, period.first, period.last, _viewer(request), request.path),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="bao-cao-{period.first}-{period.last}.xlsx"'
    return response


@login_required
@require_GET
@replica_reads
def report_pdf(request: HttpRequest) -> HttpResponse:
    unit, scope, period, form = _report_scope(request)
    if status(form) != 200:
        return report(request)  # the report page, which says what is wrong with the period (400)
    response = HttpResponse(reports.pdf(unit, scope, period.first, period.last), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bao-cao-{period.first}-{period.last}.pdf"'
    return response


def _published() -> dict[str, Any]:
    return selectors.results_data(services.current_results(timezone.localdate()))


@require_GET
@public_page(selectors.published_token)  # the figures change only when ``motcua stats publish`` computes them again
@replica_reads
def transparency(request: HttpRequest) -> HttpResponse:
    return render(request, "stats/transparency.html", {"data": _published()})


@require_GET
@replica_reads
def open_data_csv(request: HttpRequest) -> HttpResponse:
    data = _published()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["from", "to", *selectors.OPEN_DATA_FIELDS], lineterminator="\n")
    writer.writeheader()
    for row in selectors.open_data_rows(data):
        writer.writerow({"from": data["from"].isoformat(), "to": data["to"].isoformat(),
                         **{k: "" if v is None else v for k, v in row.items()}})
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cong-khai-ket-qua-giai-quyet.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@replica_reads
def open_data_json(request: HttpRequest) -> HttpResponse:
    data = _published()
    body = {"from": data["from"], "to": data["to"], "computed_at": data["computed_at"],
            "ratings_recorded": data["ratings_recorded"],
            "fields": list(selectors.OPEN_DATA_FIELDS), "rows": selectors.open_data_rows(data),
            "definitions": _("Rates are fractions from 0 to 1 by indicator 2.1 of Bộ chỉ số 766; satisfaction is "
                             "the share of ratings of 4 or 5 out of 5; null when there is nothing to count.")}
    response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
