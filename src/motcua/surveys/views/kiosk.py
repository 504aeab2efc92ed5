"""The kiosk at the desk: a tablet on which the citizen just served answers the per-dossier questionnaire.

A desk officer signs in once and chooses their counter (``setup``); the tablet then carries a signed cookie
(agency, counter, officer; 12 hours) and the kiosk page (``kiosk``) needs nothing else: no sign-in, no name,
no dossier, no comment (the tablet is shared: a free text is where a name or phone would be written). Each
answer is followed at once by a blank form (a redirect, no JavaScript) that thanks the person in a status
message: nothing of an answer stays on the screen for the next person, and no timed refresh is needed
(one would have to be adjustable, WCAG 2.1 SC 2.2.1).

The officer's session is closed when the kiosk starts: the tablet is left to the public, and a signed-in
session would put the officer's pages one tap away from the next person in the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import DomainError

from .. import selectors, services
from ..choices import Channel
from ..forms import AnswerForm
from ..models import Counter

COOKIE = "motcua_kiosk"
SALT = "motcua.surveys.kiosk"
MAX_AGE = 12 * 3600  # one working day and a bit: the kiosk is set up again each morning


@dataclass
class Kiosk:
    agency: OrgUnit
    counter: Counter
    officer: User | None


def _desk_officer(request: HttpRequest) -> HttpResponse | None:
    """None if the request comes from a desk officer; otherwise the sign-in redirect or a 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_capability(request.user, Capability.RECEIVE_DOSSIERS):  # type: ignore[arg-type]
        raise PermissionDenied
    return None


def read_cookie(request: HttpRequest) -> Kiosk | None:
    """The kiosk the tablet's cookie names, or None: no cookie, a bad or old signature, a counter no longer
    in use."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=SALT, max_age=MAX_AGE)
        unit_id, code, officer_id = int(data["a"]), str(data["c"]), data.get("o")
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    counter = selectors.kiosk_counter(unit_id, code)
    if counter is None:
        return None
    officer = selectors.kiosk_officer(int(officer_id)) if officer_id else None
    return Kiosk(agency=counter.unit, counter=counter, officer=officer)


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    refused = _desk_officer(request)
    if refused is not None:
        return refused
    user: User = request.user  # type: ignore[assignment]
    counters = selectors.kiosk_counters(user)
    error = ""
    if request.method == "POST":
        chosen = next((c for c in counters if f"{c.unit_id}:{c.code}" == request.POST.get("counter", "")), None)
        if chosen is not None:
            value = signing.dumps({"a": chosen.unit_id, "c": chosen.code, "o": user.pk}, salt=SALT)
            logout(request)
            response = redirect("surveys:kiosk")
            response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="Lax",
                                secure=request.is_secure())
            return response
        error = translation.gettext("Choose a counter.")
    current = read_cookie(request)
    return render(request, "surveys/kiosk_setup.html", {"counters": counters, "error": error, "current": current},
                  status=400 if error else 200)


@require_POST
def close(request: HttpRequest) -> HttpResponse:
    refused = _desk_officer(request)
    if refused is not None:
        return refused
    response = redirect("surveys:kiosk_setup")
    response.delete_cookie(COOKIE, samesite="Lax")
    return response


def _language(request: HttpRequest) -> str:
    """Vietnamese unless this page was asked in English (``?lang=en``): nothing is remembered, so the next
    person finds the kiosk in Vietnamese again."""
    return "en" if request.GET.get("lang") == "en" else "vi"


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    lang = _language(request)
    with translation.override(lang):
        context: dict[str, Any] = {"lang": lang, "LANGUAGE_CODE": lang}
        where = read_cookie(request)
        if where is None:
            return render(request, "surveys/kiosk_closed.html", context, status=403)
        try:
            questionnaire = services.per_dossier_form()
        except DomainError:
            return render(request, "surveys/kiosk_closed.html", context, status=503)
        form = AnswerForm(questionnaire, request.POST or None, kiosk=True)
        again = reverse("surveys:kiosk") + ("?lang=en" if lang == "en" else "")
        context.update(form=form, questionnaire=questionnaire, kiosk=where, again=again,
                       thanked=request.GET.get("cam-on") == "1")
        if request.method == "POST" and form.is_valid():
            try:
                services.record(questionnaire, form.answers(),
                                services.Where(unit=where.agency, month=timezone.localdate(),
                                               desk=where.counter.code, officer=where.officer),
                                Channel.KIOSK)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                # A blank form at once for the next person, with the thanks (POST, redirect, GET).
                return redirect(f"{again}{'&' if '?' in again else '?'}cam-on=1", permanent=False)
        status = 400 if request.method == "POST" else 200
        return render(request, "surveys/kiosk.html", context, status=status)
