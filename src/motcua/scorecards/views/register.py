"""The register of legal documents (*văn bản quy phạm pháp luật*) and their review, behind the index's criterion
on institutions: the list with its counts and the share lawful, the add and edit pages, the XLSX export.

An officer of an agency keeps its register; the appraisal council, the inspectors and the administrators read
any agency's (``?agency=<code>``). Reads through ``selectors.register``, writes through ``services.register``.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import OrgUnit, User
from motcua.core.dbrouter import replica_reads
from motcua.core.errors import DomainError

from ..choices import ReviewStatus
from ..forms import DocumentForm, RegisterFilter, ReviewForm, place_register_error
from ..models import LegalDocument
from ..selectors import register as selectors
from ..services import is_officer_of, sees_all
from ..services import register as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _own_agency(user: User) -> OrgUnit | None:
    """The agency the user is an officer of (through their own unit), if any."""
    agency = (user.unit.agency() or user.unit) if user.unit else None
    return agency if agency is not None and is_officer_of(user, agency) else None


def _agency(request: HttpRequest) -> OrgUnit | None:
    """The agency whose register is asked for: ``?agency=<code>`` (any agency for those who read all, their own
    for an officer), else the officer's own; None for a reader of all who has not chosen yet."""
    user: User = request.user  # type: ignore[assignment]
    code = (request.GET.get("agency") or "").strip()
    if code:
        agency = OrgUnit.objects.filter(code=code).first()
        if agency is None:
            if sees_all(user):
                raise BadRequest(_("No agency has this code."))
            raise PermissionDenied
        if not services.may_read(user, agency):
            raise PermissionDenied
        return agency
    own = _own_agency(user)
    if own is not None:
        return own
    if sees_all(user):
        return None
    raise PermissionDenied


def _filter(request: HttpRequest, agency: OrgUnit | None) -> RegisterFilter:
    user: User = request.user  # type: ignore[assignment]
    years = selectors.years(agency) if agency is not None else []
    this_year = timezone.localdate().year
    if this_year not in years:
        years = sorted({*years, this_year}, reverse=True)
    return RegisterFilter(request.GET, years=years, agencies=selectors.agencies() if sees_all(user) else None)


def _chosen(form: RegisterFilter) -> selectors.Filter:
    data = form.cleaned_data
    return selectors.Filter(year=data.get("year"), status=data.get("status") or "", q=data.get("q") or "")


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    form = _filter(request, agency)
    context: dict[str, Any] = {"form": form, "agency": agency, "statuses": ReviewStatus.choices}
    if agency is None:
        return render(request, "scorecards/register.html", context, status=200 if form.is_valid() else 400)
    if not form.is_valid():
        return render(request, "scorecards/register.html", context, status=400)
    f = _chosen(form)
    counts = selectors.counts(agency, f.year)
    first, last = selectors.year_bounds(f.year) if f.year else selectors.ALL_TIME
    share = selectors.lawful_share(agency, first, last)
    context.update({
        "documents": selectors.documents(agency, f), "chosen": f,
        "counts": [(value, label, counts[value]) for value, label in ReviewStatus.choices],
        "total": sum(counts.values()), "share": share,
        "percent": "" if share["share"] is None else number_format(round(share["share"] * 100, 1), 1) + " %",
        "may_edit": services.may_edit(request.user, agency),  # type: ignore[arg-type]
        "query": request.GET.urlencode(), "agency_query": f"?agency={agency.code}" if request.GET.get("agency")
        else ""})
    return render(request, "scorecards/register.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    agency = _agency(request)
    if agency is None or not services.may_edit(user, agency):
        raise PermissionDenied
    form = DocumentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                doc = services.save_document(agency, form.cleaned_data, user)
            except DomainError as exc:
                place_register_error(form, exc)
                status = exc.status if exc.status in (400, 403, 409) else 400
            else:
                messages.success(request, _("Document %(number)s added to the register.") % {"number": doc.number})
                return redirect("scorecards:register_edit", pk=doc.pk)
    return render(request, "scorecards/register_form.html", {"form": form, "agency": agency}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    doc = get_object_or_404(LegalDocument.objects.select_related("agency", "updated_by"), pk=pk)
    if not services.may_read(user, doc.agency):
        raise PermissionDenied
    may_edit = services.may_edit(user, doc.agency)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    which = request.POST.get("form") if request.method == "POST" else None
    document_form = DocumentForm(request.POST if which == "document" else None, initial={
        "number": doc.number, "title": doc.title, "issuer": doc.issuer, "issued_on": doc.issued_on,
        "effective_on": doc.effective_on})
    review_form = ReviewForm(request.POST if which == "review" else None, initial={
        "review_status": doc.review_status, "reviewed_on": doc.reviewed_on, "findings": doc.findings,
        "correction": doc.correction, "corrected_on": doc.corrected_on})
    status = 200
    if request.method == "POST":
        status = 400
        form = document_form if which == "document" else review_form if which == "review" else None
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                if form is document_form:
                    services.save_document(doc.agency, data, user, document=doc)
                    done = _("Document %(number)s saved.")
                else:
                    services.review_document(doc, data["review_status"], data.get("reviewed_on"),
                                             data.get("findings", ""), data.get("correction", ""),
                                             data.get("corrected_on"), user)
                    done = _("The review of %(number)s is recorded.")
            except DomainError as exc:
                place_register_error(form, exc)
                status = exc.status if exc.status in (400, 403, 409) else 400
            else:
                doc.refresh_from_db()
                messages.success(request, done % {"number": doc.number})
                return redirect("scorecards:register_edit", pk=doc.pk)
    back = reverse("scorecards:register") + ("" if _own_agency(user) == doc.agency else f"?agency={doc.agency.code}")
    return render(request, "scorecards/register_document.html", {
        "doc": doc, "document_form": document_form, "review_form": review_form, "may_edit": may_edit,
        "back": back}, status=status)


# --- export -----------------------------------------------------------------------------------------------

COLUMNS = [
    ("number", gettext_lazy("Number and symbol")), ("title", gettext_lazy("Title")),
    ("issuer", gettext_lazy("Issued by")), ("issued_on", gettext_lazy("Issued on")),
    ("effective_on", gettext_lazy("In force from")), ("review_status", gettext_lazy("Review")),
    ("reviewed_on", gettext_lazy("Reviewed on")), ("findings", gettext_lazy("Findings")),
    ("correction", gettext_lazy("Correction made")), ("corrected_on", gettext_lazy("Corrected on")),
]


def _in(language: str, text: Any) -> str:
    with translation.override(language):
        return str(text)


def register_workbook(agency: OrgUnit, documents: list[LegalDocument], heading: str) -> bytes:
    """One row per document under two heading rows, Vietnamese then English; dates as dates."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    day = workbook.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    sheet = workbook.add_worksheet("Van ban")
    sheet.write(0, 0, heading, bold)
    for col, (_name, label) in enumerate(COLUMNS):
        sheet.write(2, col, _in("vi", label), bold)
        sheet.write(3, col, _in("en", label), bold)
    for r, doc in enumerate(documents, start=4):
        for col, (name, _label) in enumerate(COLUMNS):
            value = doc.get_review_status_display() if name == "review_status" else getattr(doc, name)
            if value in (None, ""):
                continue
            if name.endswith("_on"):
                sheet.write_datetime(r, col, value, day)
            else:
                sheet.write(r, col, str(value), wrap)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 2, 30)
    sheet.set_column(3, 4, 12)
    sheet.set_column(5, 5, 24)
    sheet.set_column(6, 6, 12)
    sheet.set_column(7, 8, 40)
    sheet.set_column(9, 9, 12)
    sheet.freeze_panes(4, 1)
    workbook.close()
    return buffer.getvalue()


@login_required
@require_GET
@replica_reads
def export_xlsx(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    if agency is None:
        raise BadRequest(_("Choose an agency."))
    form = _filter(request, agency)
    if not form.is_valid():
        raise BadRequest(_("The filter is not valid."))
    f = _chosen(form)
    heading = _("Register of legal documents — %(agency)s") % {"agency": agency.name}
    if f.year:
        heading += f" — {f.year}"
    data = register_workbook(agency, selectors.documents(agency, f), heading)
    response = HttpResponse(data, content_type=XLSX)
    name = f"van-ban-{agency.code}{f'-{f.year}' if f.year else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urls: list[URLPattern] = [
    path("van-ban/", register, name="register"),
    path("van-ban/them/", add, name="register_add"),
    path("van-ban/<int:pk>/", edit, name="register_edit"),
    path("van-ban.xlsx", export_xlsx, name="register_xlsx"),
]
