"""The actions on a dossier, every one from the registry (``motcua.dossiers.actions``): the same checks,
input and service as the API's ``POST /api/v1/dossiers/{code}/actions/<slug>``, so the two never disagree.
A refusal answers with the API's status: 403 for who may not, 409 for a status that does not allow the
action, 400 for bad input (shown next to the field)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core.errors import Conflict, DomainError, NotFound
from motcua.core.errors import PermissionDenied as DomainPermissionDenied

from .. import actions, selectors
from ..forms import action_form, add_domain_error
from ..workflow import selectors as wf_selectors
from .access import detail_url, dossier_for, staff


def _back(request: HttpRequest) -> str:
    """Where a form posted from another screen returns (the answer from the queue's "asked of my unit"
    list): a path of this site only."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                  require_https=request.is_secure()):
        return target
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    user = staff(request)
    dossier = dossier_for(user, code)
    try:
        spec = actions.get(slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    blocked = ""
    try:
        actions.check(user, dossier, spec)
    except DomainPermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except Conflict as exc:
        blocked = exc.message
    status = 409 if blocked else 200
    # The requests for an opinion this officer's unit may answer: the answer form's choices.
    consultations = wf_selectors.open_consultations(user, dossier) if spec.form == "answer" else None
    form = action_form(spec.form, dossier, consultations=consultations)
    if spec.form == "answer" and request.GET.get("consultation"):
        form.initial["consultation"] = request.GET["consultation"]
    if request.method == "POST" and not blocked:
        form = action_form(spec.form, dossier, request.POST, request.FILES, consultations=consultations)
        status = 400
        if form.is_valid():
            try:
                dossier = actions.perform(user, dossier, slug, form.payload(), form.uploads())
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
                return redirect(_back(request) or detail_url(dossier))
    return render(request, "dossiers/action.html", {
        "dossier": dossier, "action": spec, "form": form, "blocked": blocked,
        "procedure_name": dossier.snapshot.get("procedure", {}).get("name", ""),
        "status_label": selectors.status_label(dossier),
    }, status=status)
