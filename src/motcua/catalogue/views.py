"""Public pages of the catalogue: the list with its filters and search, a procedure, its history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.calendars.selectors import revision_token as calendar_revision
from motcua.core.errors import NotFound
from motcua.core.pagecache import public_page, this_minute

from . import form_files, selectors
from .forms import CatalogueFilterForm
from .parts import gaps, missing_parts

PAGE_SIZE = 20


class _Counted:
    """A sequence of ``count`` items of which only the current page is loaded, for ``Paginator``."""

    def __init__(self, count: int, items: list[Any], offset: int) -> None:
        self.count, self.items, self.offset = count, items, offset

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, key: slice) -> list[Any]:
        return self.items[key.start - self.offset: key.stop - self.offset]


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@require_GET
@public_page(selectors.revision_token)
def index(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None, choices=selectors.filter_choices())
    filters = selectors.Filters(**form.filters())
    number = _page_number(request)
    listing = selectors.list_procedures(filters, request.user, PAGE_SIZE, (number - 1) * PAGE_SIZE)
    if not listing.items and number > 1:
        number = 1
        listing = selectors.list_procedures(filters, request.user, PAGE_SIZE, 0)
    window = _Counted(listing.count, listing.items, (number - 1) * PAGE_SIZE)
    paginator: Paginator = Paginator(window, PAGE_SIZE)  # type: ignore[arg-type]
    page: Page = paginator.get_page(number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "catalogue/index.html", {
        "form": form, "page": page, "count": listing.count, "query": query.urlencode(),
        "searched": bool(filters.q), "as_of": filters.as_of,
        "unpublished": 0 if selectors.can_manage(request.user) else selectors.unpublished_count(filters.as_of),
    })


def _as_of(request: HttpRequest) -> dt.date | None:
    raw = request.GET.get("as_of", "")
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@require_GET
@public_page(selectors.revision_token, calendar_revision, this_minute)
def detail(request: HttpRequest, code: str) -> HttpResponse:
    as_of = _as_of(request)
    try:
        procedure, version = selectors.published_procedure_and_version(code, request.user, as_of)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    is_current = version.covers(selectors.today())
    documents = list(version.documents.all())
    return render(request, "catalogue/detail.html", {
        "procedure": procedure, "version": version, "as_of": as_of,
        "receiving_units": list(procedure.receiving_units.all()),
        "promises": selectors.promised_results(version) if is_current else [],
        "is_current": is_current,
        "history": selectors.history(procedure, request.user),
        "can_manage": selectors.can_manage(request.user),
        "missing": missing_parts(version) if not version.is_published else [],
        "gaps": gaps(version),
        "generated_forms": set(form_files.FORMS),
        # A column no document of the version fills says nothing per row: the page says once that the agency
        # has not published it.
        "show_copies": any(d.copies for d in documents),
        "show_copy_kind": any(d.copy_kind for d in documents),
    })


@require_GET
def form_file(request: HttpRequest, code: str, order: int) -> HttpResponse | FileResponse:
    """The form of a required document, to download: the file an administrator attached, else the form
    generated here for its ``template_name`` (``form_files``); 404 for a document without either."""
    try:
        procedure, version = selectors.procedure_and_version(code, request.user, _as_of(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    document = version.documents.filter(order=order).first()
    if document is None:
        raise Http404
    if document.template_file:
        name = document.template_file.name.rsplit("/", 1)[-1]
        return FileResponse(document.template_file.open("rb"), as_attachment=True, filename=name)
    form = form_files.form_for(document.template_name)
    if form is None:
        raise Http404
    agency = procedure.agency.name if procedure.agency else ""
    response = HttpResponse(form_files.render_rtf(form, document.template_name, agency),
                            content_type="application/rtf")
    response["Content-Disposition"] = f'attachment; filename="{form.slug}.rtf"'
    return response


@require_GET
def history(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = selectors.visible_procedure(code, request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    entries = selectors.history(procedure, request.user)
    return render(request, "catalogue/history.html", {"procedure": procedure, "entries": list(reversed(entries))})
