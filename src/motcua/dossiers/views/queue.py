"""My queue and the search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.accounts.permissions import Capability, has_capability

from .. import pages
from ..forms import QueueForm, SearchForm
from .access import detail_url, staff


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """My queue: the work buckets (due today, overdue, at risk) from the processing queue, and the listings
    of what is open in my scope, the online submissions to check (the desk) and the closed dossiers.
    Sortable, filterable, searchable."""
    user = staff(request)
    form = QueueForm(request.GET or None)
    found = pages.queue_page(user, form.values(), pages.page_number(request.GET.get("page")))
    counts = found.counts
    buckets = [("", _("Everything open"), counts["open"]), ("due_today", _("Due today"), counts["due_today"]),
               ("overdue", _("Overdue"), counts["overdue"]), ("at_risk", _("At risk"), counts["at_risk"]),
               ("to_check", _("Online, to check"), counts["to_check"])]
    if has_capability(user, Capability.SIGN_RESULTS):  # the head of the agency signs the apology letters
        buckets.append(("apologies", _("Apologies to sign"), counts["apologies"]))
    return render(request, "dossiers/queue.html", {
        "form": form, "page": found.page, "rows": found.page.items, "counts": counts, "bucket": found.bucket,
        "query": _query_without_page(request), "may_receive": has_capability(user, Capability.RECEIVE_DOSSIERS),
        "buckets": buckets,
    })


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Find a dossier by its code (or reference), an ID number or a name, whatever its status. An exact
    code goes straight to the dossier."""
    user = staff(request)
    form = SearchForm(request.GET or None)
    found = pages.search_page(user, form.values(), pages.page_number(request.GET.get("page")),
                              first_visit=not request.GET.get("page"))
    if found.exact is not None:
        return redirect(detail_url(found.exact))
    return render(request, "dossiers/search.html", {
        "form": form, "page": found.page, "rows": found.page.items if found.page else [],
        "searched": found.page is not None, "query": _query_without_page(request)})
