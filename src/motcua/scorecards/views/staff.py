"""The staff evaluation from reform results: the table of an agency's officers for a year or a quarter, an
officer's page with the leader's yearly classification, and the table as a spreadsheet.

Who sees what: the agency's leader and its division heads, their agency; inspectors, administrators and the
appraisal council, any agency (``?agency=<code>``); an officer, their own row and page only; anyone else 403.
Reads through ``selectors.staff``, the decision through ``services.staff``."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, own_unit_ids
from motcua.core.dbrouter import replica_reads
from motcua.core.errors import DomainError

from .. import services
from ..forms import StaffDecisionForm, StaffPeriodForm
from ..selectors import staff as selectors
from ..services import staff as staff_services

AGENCY_KINDS = (UnitKind.AGENCY, UnitKind.SERVICE_CENTRE, UnitKind.COMMUNE)


@dataclass
class Access:
    user: User
    agency: OrgUnit | None
    own_only: bool  # an officer: their own row and page only
    choose: bool  # sees every agency: the form offers them


def _own_agency(user: User, capability: Capability) -> OrgUnit | None:
    ids = own_unit_ids(user, capability)
    if not ids:
        return None
    return OrgUnit.objects.filter(pk__in=ids, kind__in=AGENCY_KINDS).order_by("path").first()


def _access(request: HttpRequest) -> Access:
    user: User = request.user  # type: ignore[assignment]
    code = (request.GET.get("agency") or "").strip()
    if services.sees_all(user):
        agency = None
        if code:
            agency = OrgUnit.objects.filter(code=code).first()
            if agency is None:
                raise Http404
        return Access(user, agency, own_only=False, choose=True)
    manager = has_capability(user, Capability.VIEW_STATS)
    agency = _own_agency(user, Capability.ASSESS_REFORM)
    if agency is None:
        raise PermissionDenied
    if code and code != agency.code:
        raise PermissionDenied
    return Access(user, agency, own_only=not manager, choose=False)


def _period(request: HttpRequest, access: Access) -> tuple[StaffPeriodForm, int, int | None]:
    agencies = None
    if access.choose:
        agencies = list(OrgUnit.objects.current().filter(kind__in=AGENCY_KINDS).order_by("name")
                        .values_list("code", "name"))
    form = StaffPeriodForm(request.GET, agencies)
    year, quarter = form.period()
    return form, year, quarter


def _label(year: int, quarter: int | None) -> str:
    if quarter:
        return _("Quarter %(quarter)s/%(year)s") % {"quarter": quarter, "year": year}
    return _("Year %(year)s") % {"year": year}


def _rows(access: Access, year: int, quarter: int | None) -> list[dict[str, Any]]:
    assert access.agency is not None
    rows = selectors.officer_rows(access.agency, *selectors.quarter_range(year, quarter))
    if access.own_only:
        rows = [r for r in rows if r["officer_id"] == access.user.pk]
    decided = selectors.decisions(access.agency, year)
    for r in rows:
        r["suggested_label"] = selectors.label(r["suggested"])
        d = decided.get(r["officer_id"])
        r["decision"] = d
        r["decided_label"] = selectors.label(d.decided) if d else ""
    return rows


def _query(access: Access, year: int, quarter: int | None) -> str:
    parts = [f"year={year}"]
    if quarter:
        parts.append(f"quarter={quarter}")
    if access.choose and access.agency is not None:
        parts.append(f"agency={access.agency.code}")
    return "&".join(parts)


@login_required
@require_GET
@replica_reads
def staff(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    form, year, quarter = _period(request, access)
    rows = _rows(access, year, quarter) if access.agency is not None else []
    return render(request, "scorecards/staff.html", {
        "form": form, "access": access, "agency": access.agency, "rows": rows, "year": year, "quarter": quarter,
        "period_label": _label(year, quarter), "query": _query(access, year, quarter),
        "minimum": selectors.surveys.minimum_group()}, status=400 if form.is_bound and not form.is_valid() else 200)


@login_required
@require_http_methods(["GET", "POST"])
def staff_officer(request: HttpRequest, user_id: int) -> HttpResponse:
    access = _access(request)
    if access.own_only and user_id != access.user.pk:
        raise PermissionDenied
    if access.agency is None:
        raise BadRequest(_("Choose an agency."))
    form, year, quarter = _period(request, access)
    first, last = selectors.quarter_range(year, quarter)
    officer = User.objects.filter(pk=user_id).first()
    if officer is None or not (services.is_officer_of(officer, access.agency)
                               or officer.pk in selectors.staff_of(access.agency, first, last)):
        raise Http404
    row = selectors.officer_row(access.agency, officer, first, last)
    leader = services.leads(access.user, access.agency) and officer.pk != access.user.pk
    if request.method == "POST" and not leader:
        raise PermissionDenied
    decision = selectors.decisions(access.agency, year).get(officer.pk)
    yearly = row if quarter is None else selectors.officer_row(access.agency, officer, *selectors.quarter_range(year))
    suggested = selectors.suggest(yearly) if yearly else ""
    status = 200
    decide_form = None
    if leader:
        initial = {"level": decision.decided if decision else suggested, "note": decision.note if decision else ""}
        decide_form = StaffDecisionForm(request.POST or None, initial=initial)
        if request.method == "POST":
            status = 400
            if decide_form.is_valid():
                data = decide_form.cleaned_data
                try:
                    staff_services.decide(officer, access.agency, year, data["level"], data["note"], access.user)
                except DomainError as exc:
                    status = exc.status if exc.status in (400, 409) else 400
                    decide_form.add_error("note" if exc.details.get("note") else None, exc.message)
                else:
                    url = reverse("scorecards:staff_officer", args=[officer.pk])
                    return redirect(f"{url}?{_query(access, year, None)}&saved=1")
    return render(request, "scorecards/staff_officer.html", {
        "form": form, "access": access, "agency": access.agency, "officer": officer, "row": row,
        "year": year, "quarter": quarter, "period_label": _label(year, quarter),
        "query": _query(access, year, quarter), "decision": decision,
        "decided_label": selectors.label(decision.decided) if decision else "",
        "decision_suggested_label": selectors.label(decision.suggested) if decision else "",
        "suggested": suggested, "suggested_label": selectors.label(suggested), "decide_form": decide_form,
        "saved": request.GET.get("saved") == "1"}, status=status)


HEADERS = (_l("Officer"), _l("Account"), _l("Dossiers evaluated"), _l("Circular 01/2018 score"), _l("Out of"),
           _l("Band"), _l("Late dossiers"), _l("Supplement requests"), _l("Substantiated complaints"),
           _l("Satisfaction about the officer"), _l("Answers about the officer"), _l("Suggested classification"),
           _l("Classification decided"), _l("Note"))
LATE_HEADERS = (_l("Officer"), _l("Dossier code"), _l("Reason recorded"))


def _xlsx(rows: list[dict[str, Any]], heading: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("Officers")[:31])
    bold = book.add_format({"bold": True})
    sheet.write(0, 0, heading, bold)
    for col, name in enumerate(HEADERS):
        sheet.write(2, col, str(name), bold)
    for i, r in enumerate(rows, start=3):
        sat = r["satisfaction"]
        sat_text: Any = sat["index"] if sat["index"] is not None else (
            _("too few answers") if sat["too_few"] else "")
        d = r["decision"]
        values = (r["name"], r["username"], r["dossiers"], r["score"], r["max_points_computed"], r["band"],
                  r["late"], r["supplements"], r["complaints"], sat_text, sat["responses"],
                  r["suggested_label"], r["decided_label"], d.note if d else "")
        for col, value in enumerate(values):
            sheet.write(i, col, "" if value is None else value)
    late = book.add_worksheet(_("Late dossiers")[:31])
    for col, name in enumerate(LATE_HEADERS):
        late.write(0, col, str(name), bold)
    line = 1
    for r in rows:
        for code, reason in r["late_list"]:
            late.write_row(line, 0, (r["name"], code, reason or _("No reason recorded")))
            line += 1
    book.close()
    return buffer.getvalue()


@login_required
@require_GET
@replica_reads
def staff_xlsx(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    if access.agency is None:
        raise BadRequest(_("Choose an agency."))
    form, year, quarter = _period(request, access)
    if form.is_bound and not form.is_valid():
        raise BadRequest(_("The period is not valid."))
    rows = _rows(access, year, quarter)
    heading = f"{_('Staff evaluation from reform results')} — {access.agency.name} — {_label(year, quarter)}"
    response = HttpResponse(_xlsx(rows, heading),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"can-bo-{access.agency.code}-{year}{f'-q{quarter}' if quarter else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urls: list[URLPattern] = [
    path("can-bo/", staff, name="staff"),
    path("can-bo/<int:user_id>/", staff_officer, name="staff_officer"),
    path("can-bo.xlsx", staff_xlsx, name="staff_xlsx"),
]
