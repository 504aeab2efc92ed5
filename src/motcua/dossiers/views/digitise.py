"""The desk's scanning step: each paper component of a received dossier scanned, checked against the original
and marked digitised (Circular 03/2025 Art. 5), ``/ho-so/<code>/so-hoa/``; one small form per component, no
JavaScript needed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import DomainError

from .. import files, services
from ..forms import MultipleFileField
from ..models import Attachment, DossierDocument
from .access import dossier_for, staff


class ScanForm(forms.Form):
    """One component's form; prefixed with its order, so that the page's forms have distinct field ids."""

    scans = MultipleFileField(label=gettext_lazy("Scans (PDF or image)"))
    checked = forms.BooleanField(label=gettext_lazy("I checked the scan against the original"), required=False)


@login_required
@require_http_methods(["GET", "POST"])
def digitise(request: HttpRequest, code: str) -> HttpResponse:
    user = staff(request)
    dossier = dossier_for(user, code)
    if not has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit):
        raise Http404(_("This dossier has no scanning step for you."))
    errors: dict[int, Any] = {}
    status = 200
    if request.method == "POST":
        raw = request.POST.get("order") or ""
        order = int(raw) if raw.isdigit() else 0
        form = ScanForm(request.POST, request.FILES, prefix=f"d{order}")
        if form.is_valid():
            uploads = [files.Upload(name=f.name or "", stream=f) for f in form.cleaned_data["scans"]]
            try:
                services.digitise(user, dossier, order, uploads,
                                  checked=form.cleaned_data["checked"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Document %(order)s saved.") % {"order": order})
                return redirect(reverse("dossiers:digitise", args=[dossier.public_id]) + f"#doc{order}")
        errors[order] = form
        status = 400
    documents = list(DossierDocument.objects.filter(dossier=dossier).select_related("scan_checked_by")
                     .order_by("order"))
    attached: dict[int, list[Attachment]] = {}
    for a in Attachment.objects.filter(dossier=dossier, document__isnull=False).order_by("id"):
        attached.setdefault(a.document_id or 0, []).append(a)
    rows = [{"doc": d, "files": attached.get(d.pk, []), "form": errors.get(d.order) or ScanForm(prefix=f"d{d.order}"),
             "done": bool(attached.get(d.pk)) and d.scan_checked_at is not None} for d in documents]
    return render(request, "dossiers/digitise.html", {"dossier": dossier, "rows": rows,
                                                      "done": sum(r["done"] for r in rows)}, status=status)
