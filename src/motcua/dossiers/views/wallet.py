"""The desk looks a result up by its number instead of asking the applicant for a copy (Decree 118/2025 Art.
4(2a)): ``/ho-so/giay-to-da-cap/?so=``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import DomainError

from .. import files, selectors
from ..models import CertifiedCopy
from ..wallet import selectors as wallet
from ..wallet import services as wallet_services
from .access import receiver


@login_required
@require_GET
def held_lookup(request: HttpRequest) -> HttpResponse:
    user = receiver(request)
    number = (request.GET.get("so") or "").strip()[:100]
    found = wallet.look_up(user, number) if number else []
    rows = [{"held": h, "holder": h.holder_name, "holder_id": selectors.mask(h.holder_number)} for h in found]
    return render(request, "dossiers/held_lookup.html", {"number": number, "rows": rows})


class CopyForm(forms.Form):
    # Labels are lazy: the form is built once, shown in the reader's language.
    title = forms.CharField(label=gettext_lazy("Paper copied"), max_length=500,
                            help_text=gettext_lazy("e.g. Giấy chứng nhận quyền sử dụng đất số …"))
    kind = forms.CharField(label=gettext_lazy("Kind of paper (code)"), max_length=60, required=False,
                           help_text=gettext_lazy("So that a later procedure asking for this kind takes it, e.g. "
                                       "giay-chung-nhan-qsdd."))
    original_number = forms.CharField(label=gettext_lazy("Number of the original"), max_length=100, required=False)
    original_issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=255, required=False)
    original_date = forms.DateField(label=gettext_lazy("Date of the original"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    presenter_name = forms.CharField(label=gettext_lazy("Presented by"), max_length=255)
    presenter_number = forms.CharField(label=gettext_lazy("Personal ID number or tax code"), max_length=14)
    pages = forms.IntegerField(label=gettext_lazy("Pages"), min_value=1, max_value=500, initial=1)
    scan = forms.FileField(label=gettext_lazy("Scan of the original (PDF)"))


def _desk_unit(user: User) -> OrgUnit:
    unit = user.unit
    if unit is None or not has_capability(user, Capability.RECEIVE_DOSSIERS, unit):
        raise PermissionDenied
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def copies(request: HttpRequest) -> HttpResponse:
    """The desk's register of certified electronic copies (Decree 45/2020 Art. 6) and the form to certify one."""
    user = receiver(request)
    unit = _desk_unit(user)
    form = CopyForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                copy = wallet_services.certify_copy(user, unit, wallet_services.CopyInput(
                    title=d["title"], kind=d["kind"], original_number=d["original_number"],
                    original_issuer=d["original_issuer"], original_date=d["original_date"],
                    presenter_name=d["presenter_name"], presenter_number=d["presenter_number"], pages=d["pages"]),
                    files.Upload(name=d["scan"].name or "", stream=d["scan"]))
            except DomainError as exc:
                fields = (exc.details or {}).get("fields") or [{}]
                name = fields[0].get("field")
                form.add_error(name if name in form.fields else None, exc.message)
            else:
                messages.success(request, _("Copy %(reference)s certified.") % {"reference": copy.reference})
                return redirect("dossiers:copies")
        status = 400
    year = timezone.localdate().year
    agency = unit.agency() or unit
    rows = [{"copy": c, "presenter": selectors.mask(c.presenter_number)}
            for c in CertifiedCopy.objects.filter(agency=agency, year=year).select_related("certified_by")]
    return render(request, "dossiers/copies.html", {"form": form, "rows": rows, "year": year, "agency": agency},
                  status=status)


@login_required
@require_http_methods(["GET"])
def copy_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A certified copy's file, for the desks of the agency that certified it."""
    user = receiver(request)
    copy = CertifiedCopy.objects.filter(pk=pk).select_related("agency").first()
    if copy is None or not has_capability(user, Capability.RECEIVE_DOSSIERS, copy.agency):
        raise Http404
    return FileResponse(copy.file.open("rb"), content_type="application/pdf", filename=f"{copy.pk}.pdf")
