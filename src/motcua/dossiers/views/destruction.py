"""The destruction lists of dossiers past their retention period (issue 21; docs/security.md, *Retention of the
agencies' records: dossiers*): ``/ho-so/tieu-huy/`` and ``/ho-so/tieu-huy/<id>/``, where a leader of the agency
(or an administrator recording the head's decision) approves a proposed list.

The same reads and the same service as the API's ``/api/v1/destruction-lists``: who may see a list
(``retention.visible_lists``: 403 for anyone else, 404 for another agency's list) and who may approve it
(``retention.approve``) are decided there, and a refusal answers with the API's status — 400 for bad input (next to
the field), 403, 404, 409 for a list already decided. Nothing is anonymised here: the next run of ``motcua dossiers
retention`` carries the approved list out.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import User
from motcua.core.errors import Conflict, DomainError, NotFound
from motcua.core.errors import PermissionDenied as DomainPermissionDenied

from .. import pages, retention
from ..forms import DecisionForm, add_domain_error


@login_required
@require_GET
def destruction_lists(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        found = pages.destruction_lists_page(user, pages.page_number(request.GET.get("page")))
    except DomainPermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    return render(request, "dossiers/destruction_lists.html", {"page": found, "rows": found.items})


@login_required
@require_http_methods(["GET", "POST"])
def destruction_list(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = DecisionForm(request.POST or None)
    status, conflict = 200, ""
    try:
        if request.method == "POST":
            status = 400
            if form.is_valid():
                d = form.cleaned_data
                try:
                    retention.approve_decision(user, pk, d["number"], d["decided_on"])
                except (DomainPermissionDenied, NotFound):
                    raise
                except Conflict as exc:  # decided meanwhile (another tab, a second click): nothing changed
                    conflict, status = exc.message, exc.status
                except DomainError as exc:
                    add_domain_error(form, exc)
                    status = exc.status
                else:
                    messages.success(request, _("The list is approved. Its dossiers will be anonymised on the next "
                                                "run of the retention job."))
                    return redirect("dossiers:destruction_list", pk=pk)
        found = pages.destruction_list_page(user, pk, pages.page_number(request.GET.get("page")))
    except DomainPermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "dossiers/destruction_list.html", {
        "found": found, "dl": found.destruction_list, "page": found.page, "rows": found.page.items,
        "form": form, "conflict": conflict}, status=status)
