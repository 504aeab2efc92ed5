"""The dossier page, and its legal forms as PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import DomainError, NotFound

from .. import actions, files, issuing, pages, panels, selectors, services, serving
from ..choices import EventKind
from ..models import Dossier, IssuedForm
from ..workflow import selectors as wf_selectors
from .access import detail_url, dossier_for, staff


def _forms_available(info: wf_selectors.DossierDetail, issued: list[IssuedForm]) -> list[dict[str, Any]]:
    """The forms that apply now (``issuing.applicable_forms``), from what the page has already loaded: each
    links to its PDF (the issued copy, or a preview) and has a button to issue it."""
    dossier = info.dossier
    statuses = [e.status_after for e in info.events if e.kind in (EventKind.STATUS_CHANGED, EventKind.CREATED)]
    roles = issuing.applicable_forms(
        dossier, statuses, has_refusal_result=any(r.kind == "refusal" for r in info.results),
        has_apology=info.apology is not None and info.apology.issued)
    forms_of_set = dossier.rules.get("forms") or {}
    issued_roles = {f.role for f in issued}
    return [{"role": r, "label": pages.FORM_LABELS[r], "number": forms_of_set.get(r, {}).get("number", ""),
             "url": reverse("dossiers:form_pdf", args=[dossier.public_id, r]),
             "issued": r in issued_roles and r != "control-sheet"} for r in roles]


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """The dossier: applicant (masked unless opened, and every opening is logged), documents and files,
    promised date with its explanation, history, forms issued, and the actions the user may take."""
    user = staff(request)
    opened: dict[str, Any] = {}

    def before_history(dossier: Dossier) -> None:
        # The opening of the personal data is logged before the history is read, so that the page shows it.
        opened["may_see"] = may_see = selectors.may_see_personal_data(user, dossier)
        opened["full"] = full = may_see and request.GET.get("ca-nhan") == "1"
        if full:
            services.record_personal_data_view(user, dossier, request.path)
        else:  # every opening of the page by staff, once a day per officer (services.record_opening)
            services.record_opening(user, dossier, request.path)

    now = timezone.now()
    try:
        info = wf_selectors.dossier_detail(user, code, at=now, before_history=before_history)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    page = pages.detail_page(info, now)
    dossier = info.dossier
    personal = selectors.personal_data(dossier, opened["full"])
    issued = list(IssuedForm.objects.filter(dossier=dossier).select_related("issued_by").order_by("issued_at"))
    # A result signed in the agency's name links to its public verification page (kept with its event).
    verify = {e.data.get("result"): e.data["verify_url"] for e in info.events
              if e.kind == EventKind.RESULT_RECORDED and e.data.get("verify_url")}
    for r in info.results:
        r.verify_url = verify.get(r.pk, "")  # type: ignore[attr-defined]
    signed_forms = {(e.data.get("form"), e.data.get("version")): e.data["verify_url"] for e in info.events
                    if e.kind == EventKind.FORM_ISSUED and e.data.get("verify_url")}
    return render(request, "dossiers/detail.html", {
        "dossier": dossier, "status_label": selectors.status_label(dossier), "personal": personal,
        "may_see_personal": opened["may_see"], "full": opened["full"], "documents": page.documents,
        "loose_files": page.loose_files, "events": page.events,
        "issued": [{"form": f, "label": pages.FORM_LABELS.get(f.role, f.role),
                    "verify_url": signed_forms.get((f.role, f.version), "")} for f in issued],
        "forms": _forms_available(info, issued), "clock": page.clock, "actions": actions.available(user, dossier),
        "procedure": dossier.snapshot.get("procedure", {}), "version": dossier.snapshot.get("version", {}),
        "channel_label": page.channel_label, "overdue": page.overdue,
        "representative": personal.get("representative") or {},
        "current_step": page.current_step, "steps": page.steps, "consultations": info.consultations,
        "apology": info.apology, "results": info.results, "drafts": info.drafts, "parts": info.parts,
        "classification": info.classification, "class_label": pages.class_label(info.classification),
        "rules": page.rules,
        # The desk's scanning step (``views.digitise``), for a received dossier at the desk that received it.
        "may_digitise": dossier.status in services.DIGITISE_STATUSES and has_capability(
            user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit),
        # The collector's ID number (the register's "Ký nhận"), masked like the applicant's until opened.
        "collector_id": dossier.collector_id_number if opened["full"] else selectors.mask(dossier.collector_id_number),
        "panels": panels.collect(user, dossier),
    })


@login_required
@require_http_methods(["GET", "POST"])
def form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """A legal form of the dossier as PDF. GET reads: the issued copy, or a preview marked as such (printed
    across it and in the ``X-Form-Preview`` header), issuing nothing. POST issues it (number, stored file,
    event; once: a second click gets the form already issued) and shows it."""
    user = staff(request)
    dossier = dossier_for(user, code)
    try:
        if request.method == "POST":
            issued = issuing.issue(user, dossier, form, request.build_absolute_uri("/"))
            filename, pdf, is_preview = f"{dossier.public_id}-{issued.role}.pdf", issuing.read(issued), False
        else:
            filename, pdf, is_preview = issuing.for_reading(dossier, form, request.build_absolute_uri("/"),
                                                                reader=user, where=request.path)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect(detail_url(dossier))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if is_preview:
        response[issuing.PREVIEW_HEADER] = "1"
    return response


@login_required
@require_GET
def transfer_slip(request: HttpRequest, code: str, order: int) -> HttpResponse:
    """The transfer slip of one agency's part of an inter-agency dossier, as PDF, for those who may see the
    dossier (404 for anyone else)."""
    user = staff(request)
    dossier = dossier_for(user, code)
    try:
        filename, pdf = issuing.transfer_slip(dossier, order)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_GET
def attachment(request: HttpRequest, code: str, attachment_id: int) -> HttpResponseBase:
    """A file of the dossier, for those who may see the dossier (404 for anyone else, as the dossier): inline
    for PDF and images, downloaded with ``?tai-ve=1`` (or ``?download=1``); each opening is logged."""
    user = staff(request)
    return file_response(request, user, code, attachment_id, reverse("dossiers:detail", args=[code]))


def file_response(request: HttpRequest, user: Any, code: str, attachment_id: int, back: str) -> HttpResponseBase:
    """The file, or the 404 of a dossier or file out of reach, or a 410 page when the storage lost it."""
    download = request.GET.get("tai-ve") == "1" or request.GET.get("download") == "1"
    try:
        return serving.open_file(user, code, attachment_id, download=download, where=request.path)
    except (serving.FileMissing, files.StorageUnavailable) as exc:  # lost (410) or the store is down (503)
        return render(request, "dossiers/file_missing.html",
                      {"message": exc.message, "back": back, "status": exc.status}, status=exc.status)
    except NotFound as exc:
        raise Http404(exc.message) from exc
