"""Intake at the desk: choose the procedure, then its checklist (receive, ask once for a supplement, refuse)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, unit_ids_in_scope
from motcua.catalogue import selectors as catalogue
from motcua.core.errors import DomainError, NotFound

from .. import files, issuing, services
from ..choices import Outcome
from ..forms import IntakeForm, add_domain_error
from ..models import Dossier
from .access import detail_url, receiver

log = logging.getLogger(__name__)


def _issue_handed_form(user: User, dossier: Dossier, role: str, base_url: str) -> None:
    """Issue the form the desk hands over, after the receipt has committed. The dossier stands whatever
    happens here: on a failure the dossier page offers the form's Issue button."""
    try:
        issuing.issue(user, dossier, role, base_url)
    except Exception:
        log.exception("dossier %s: the %s form was not issued at the desk", dossier.pk, role)


@login_required
@require_GET
def choose_procedure(request: HttpRequest) -> HttpResponse:
    user = receiver(request)
    text = request.GET.get("q", "")[:100]
    procedures = catalogue.receivable_procedures(unit_ids_in_scope(user, Capability.RECEIVE_DOSSIERS), text)
    return render(request, "dossiers/choose_procedure.html", {"procedures": procedures, "q": text})


def _checklist(version: Any) -> list[dict[str, Any]]:
    return [{"name": d.name, "copies": d.copies, "copy_kind": d.get_copy_kind_display() if d.copy_kind else "",
             "condition": d.condition,
             "template_name": d.template_name, "from_data_store": d.from_data_store, "note": d.note}
            for d in version.documents.all()]


# "Save and print": the form handed to the applicant is issued with the outcome (``issuing.issue``).
_FORM_OF_OUTCOME = {
    Outcome.RECEIVE.value: "receipt",
    Outcome.SUPPLEMENT.value: "supplement-request",
    Outcome.REFUSE.value: "refusal",
}

_DONE_MESSAGES = {
    Outcome.RECEIVE.value: _("The dossier is received: print the receipt for the applicant."),
    Outcome.SUPPLEMENT.value: _("The supplement request is ready: print form 02 for the applicant."),
    Outcome.REFUSE.value: _("The dossier is refused: print form 03 for the applicant."),
}


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """The checklist of a procedure: receive the dossier, ask once for everything missing (form 02) or
    refuse it with a reason (form 03)."""
    user = receiver(request)
    try:
        procedure, version = catalogue.procedure_and_version(procedure_code, user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    checklist = _checklist(version)
    variants = [v.label for v in version.time_variants.all()]
    declared = list(version.eform or [])
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, documents=checklist, variants=variants, eform=declared)
        if form.is_valid():
            uploads = [files.Upload(name=f.name or "", stream=f, document_order=order) for order, f in form.uploads()]
            try:
                dossier = services.receive_at_desk(user, form.intake(procedure.code), uploads)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                outcome = form.cleaned_data["outcome"]
                _issue_handed_form(user, dossier, _FORM_OF_OUTCOME[outcome], request.build_absolute_uri("/"))
                messages.success(request, str(_DONE_MESSAGES[outcome]))
                return redirect(detail_url(dossier))
        status = 400
    else:
        form = IntakeForm(documents=checklist, variants=variants, eform=declared)
    return render(request, "dossiers/intake.html", {
        "procedure": procedure, "version": version, "form": form, "rows": form.document_rows(),
        "had_files": request.method == "POST" and bool(request.FILES),
        "fees": list(version.fees.all()),
    }, status=status)
