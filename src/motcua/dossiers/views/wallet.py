"""The desk looks a result up by its number instead of asking the applicant for a copy (Decree 118/2025 Art.
4(2a)): ``/ho-so/giay-to-da-cap/?so=``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from ..wallet import selectors as wallet
from .access import receiver


@login_required
@require_GET
def held_lookup(request: HttpRequest) -> HttpResponse:
    user = receiver(request)
    number = (request.GET.get("so") or "").strip()[:100]
    found = wallet.look_up(user, number) if number else []
    rows = [{"held": h, "holder": h.holder_name, "holder_id": selectors.mask(h.holder_number)} for h in found]
    return render(request, "dossiers/held_lookup.html", {"number": number, "rows": rows})
