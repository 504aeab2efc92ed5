"""The two pages of the VNeID sign-in: the start (a redirect to VNeID) and the return from it.

Every refusal answers a page that says what happened and what to do, changes nothing, and logs only the kind of
failure (never a number, a name or a token).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from motcua.accounts.models import User
from motcua.accounts.views import landing_url
from motcua.core.errors import DomainError

from . import client, conf, services

log = logging.getLogger(__name__)

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _problem(request: HttpRequest, message: str, status: int = 400, *, title: str = "",
             retry: bool = True) -> HttpResponse:
    context: dict[str, Any] = {"title": title or _("Sign-in with VNeID did not succeed"), "message": message,
                               "retry": reverse("integrations:vneid-start") if retry else ""}
    return render(request, "integrations/vneid/problem.html", context, status=status)


def _not_configured(request: HttpRequest) -> HttpResponse:
    return _problem(request, _("This site does not offer sign-in with VNeID. Sign in with your username and "
                               "password."), 404, title=_("VNeID sign-in is not configured here"), retry=False)


def _safe_next(request: HttpRequest, value: Any) -> str:
    """Only a page of this site: anything else (another host, a scheme, //evil) is dropped, not followed."""
    value = str(value or "")
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return value
    return ""


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    cfg = conf.config()
    if cfg is None:
        return _not_configured(request)
    current = _signed_in(request)
    if current is not None and not services.may_use_vneid(current):
        log.info("VNeID sign-in refused: staff_account")
        return _problem(request, _("Staff accounts do not sign in through VNeID: sign in with your username, "
                                   "password and second factor."), 403, retry=False)
    redirect_uri = request.build_absolute_uri(reverse("integrations:vneid-callback"))
    try:
        return client.authorization_redirect(request, cfg, redirect_uri, next_url=_safe_next(request,
                                             request.GET.get("next")),
                                             link_user=current.pk if current is not None else None)
    except client.SignInError as exc:
        log.warning("VNeID sign-in could not start: %s", exc.code)
        return _problem(request, exc.message, exc.status)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    cfg = conf.config()
    if cfg is None:
        return _not_configured(request)
    started = client.pending(request) or {}  # read before ``finish`` clears it
    try:
        person = client.finish(request, cfg)
    except client.SignInError as exc:
        log.warning("VNeID sign-in refused: %s", exc.code)
        return _problem(request, exc.message, exc.status)
    current = _signed_in(request)
    # Linking proves both only if the same account was signed in with its password when the sign-in started
    # and still is now; a session that changed hands in between links nothing.
    if (current.pk if current is not None else None) != started.get("link_user"):
        log.warning("VNeID sign-in refused: session_changed")
        return _problem(request, _("You signed in or out while VNeID was checking who you are. Nothing was "
                                   "changed; start again."))
    try:
        user, created = services.sign_in(person, current)
    except DomainError as exc:
        log.warning("VNeID sign-in refused: %s", exc.code)
        return _problem(request, exc.message, exc.status, retry=exc.code != "staff_account")
    level = "2" if user.identity_level == "vneid2" else "1"
    if current is None:
        login(request, user, backend=BACKEND)
        if created:
            messages.success(request, _(
                "Welcome. An account was made for you from your VNeID identification (level %(level)s). If you "
                "already had an account here with a password, sign in with it and link it to VNeID from “My "
                "account”.") % {"level": level})
        else:
            messages.success(request, _("You are signed in through VNeID (identification level %(level)s).")
                             % {"level": level})
    else:
        messages.success(request, _("Your account is now linked to VNeID (identification level %(level)s).")
                         % {"level": level})
    target = _safe_next(request, started.get("next")) or (
        reverse("accounts:account") if current is not None else landing_url(user))
    return HttpResponseRedirect(target)
