"""My queue and the search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
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
    """My queue: the work buckets (a step due today or past its deadline, at risk) from the processing queue,
    and the listings of what is open in my scope, past its promised return date, the online submissions to
    check (the desk) and the closed dossiers.
    Sortable, filterable, searchable."""
    user = staff(request)
    form = QueueForm(request.GET or None)
    found = pages.queue_page(user, form.values(), pages.page_number(request.GET.get("page")))
    counts = found.counts
    # The officer's own lists first (issue 14), then the views of everything in their scope.
    mine = [("mine", _("Assigned to me"), counts["mine"]), ("to_take", _("Waiting for me to take"), counts["to_take"])]
    if has_capability(user, Capability.ASSIGN_DOSSIERS) or has_capability(user, Capability.SIGN_RESULTS):
        mine.append(("to_sign", _("Waiting for my review or signature"), counts["to_sign"]))
    if has_capability(user, Capability.PROCESS_DOSSIERS):
        mine.append(("consultations", _("Opinions asked of my unit"), counts["consultations"]))
    # Each view says which deadline it means: the dossier's promised return date (the one definition of
    # overdue, the statistics' too) or the current step's own deadline.
    buckets = [("", _("Everything open"), counts["open"]),
               ("overdue", _("Past the promised return date"), counts["overdue"]),
               ("due_today", _("Step due today"), counts["due_today"]),
               ("step_overdue", _("Step past its deadline"), counts["step_overdue"]),
               ("at_risk", _("At risk of missing the promised date"), counts["at_risk"]),
               ("to_check", _("Online, to check"), counts["to_check"])]
    if has_capability(user, Capability.SIGN_RESULTS):  # the head of the agency signs the apology letters
        buckets.append(("apologies", _("Apologies to sign"), counts["apologies"]))
    return render(request, "dossiers/queue.html", {
        "form": form, "page": found.page, "rows": found.page.items, "counts": counts, "bucket": found.bucket,
        "query": _query_without_page(request), "may_receive": has_capability(user, Capability.RECEIVE_DOSSIERS),
        "buckets": buckets, "own_buckets": mine,
        "back": request.get_full_path(), "page_now": timezone.now(),
        # The agency's leaders decide on the lists of dossiers past their retention period (``retention``).
        "may_decide_destruction": has_capability(user, Capability.SIGN_RESULTS),
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
