"""The public verification page of signed papers: ``/xac-minh/<token>/`` (the QR code printed on the paper) and
``/xac-minh/`` (upload the PDF you hold). No sign-in; nothing personal about the applicant is shown, only what
the paper is, who signed it and when, and whether it checks out."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from motcua.core.throttle import allow

from . import signing

MAX_BYTES = 20 * 1024 * 1024  # a result of a few dozen pages


class FileForm(forms.Form):
    file = forms.FileField(label=_("The PDF you hold"), help_text=_("PDF, at most 20 MB. It is checked, not kept."))

    def clean_file(self) -> bytes:
        f = self.cleaned_data["file"]
        if f.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        data = f.read()
        if not data.startswith(b"%PDF"):
            raise forms.ValidationError(_("The file is not a PDF."))
        return bytes(data)


def _checked(request: HttpRequest, token: str) -> tuple[FileForm, signing.Verdict | None, int]:
    if request.method != "POST":
        return FileForm(), None, 200
    if not allow(request, "verify", limit=30, window=60, namespace="documents"):
        form = FileForm()
        form.add_error(None, _("Too many checks from your connection: try again in a minute."))
        return form, None, 429
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None, 400
    return form, signing.verify_bytes(form.cleaned_data["file"], token), 200


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code opens: the paper kept under ``token`` checked, and a form to check the file in hand."""
    stored = signing.verify_record(token)
    if not stored.found:
        raise Http404(_("No signed paper has this address."))
    form, uploaded, status = _checked(request, token)
    return render(request, "documents/verify/page.html", {"verdict": stored, "form": form, "uploaded": uploaded,
                                                          "token": token}, status=status)


@require_http_methods(["GET", "POST"])
def verify_file(request: HttpRequest) -> HttpResponse:
    """Check a PDF without its address: found by its content."""
    form, uploaded, status = _checked(request, "")
    return render(request, "documents/verify/page.html", {"verdict": None, "form": form, "uploaded": uploaded,
                                                          "token": ""}, status=status)
