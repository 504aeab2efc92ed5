from __future__ import annotations

import base64
import math
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.models import Device

from . import selectors, services
from .forms import CodeForm, LoginForm
from .models import User
from .permissions import Capability, has_capability, requires_second_factor


def landing_url(user: User) -> str:
    """Where a person lands after signing in (unless the sign-in page was asked for by another page): an
    officer who processes dossiers on what is assigned to them, a desk officer on the online dossiers to
    check, an inspector on the dossiers of the queue, a citizen on their own page; anyone else on the home
    page. Each sorted by what is due first (the queue's default order)."""
    if has_capability(user, Capability.PROCESS_DOSSIERS):
        return reverse("dossiers:queue") + "?bucket=mine"
    if has_capability(user, Capability.RECEIVE_DOSSIERS):
        return reverse("dossiers:queue") + "?bucket=to_check"
    if has_capability(user, Capability.VIEW_DOSSIERS):
        return reverse("dossiers:queue")
    if has_capability(user, Capability.SUBMIT_DOSSIERS):
        return reverse("portal:home")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        return landing_url(user) if isinstance(user, User) else super().get_default_redirect_url()

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        """The password is right: a person who needs a second factor goes on to it (or to enrolling one),
        taking the page they asked for along."""
        response = super().form_valid(form)
        user = form.get_user()
        if isinstance(user, User) and requires_second_factor(user):
            step = "accounts:second-factor" if selectors.authenticator(user) is not None else "accounts:enrol"
            return redirect(reverse(step) + "?" + urlencode({"next": self.get_success_url()}))
        return response


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)  # login_required
    return render(request, "accounts/account.html", {
        "profile": selectors.profile(request.user),
        "second_factor": selectors.second_factor_status(request.user) if requires_second_factor(request.user) else None,
    })


# --- The second factor of staff (docs/security.md "Second factor for staff") -------------------------------
_FAILURES = "motcua_2fa_failures"
_NEW_CODES = "motcua_recovery_codes"


def _next_url(request: HttpRequest, user: User) -> str:
    """The page asked for before the second step (only one of this site), else where the person lands."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return landing_url(user)


def _passed(request: HttpRequest, device: Device) -> None:
    """This session has passed ``device``: a new session key (the privilege changed), the count of wrong codes
    forgotten."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session.pop(_FAILURES, None)


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """The second step of a staff sign-in: a code from the authenticator app, or a recovery code (``?ma-du-phong``
    or the form's ``recovery`` field). Wrong codes are throttled per device (1, 2, 4 … seconds); after
    ``MOTCUA_2FA_FAILURE_LIMIT`` of them in one sign-in the session is signed out."""
    user = request.user
    assert isinstance(user, User)  # login_required
    if not requires_second_factor(user) or user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request, user))
    app = selectors.authenticator(user)
    if app is None:
        return redirect(reverse("accounts:enrol") + "?" + urlencode({"next": _next_url(request, user)}))
    recovery = "recovery" in request.POST or "ma-du-phong" in request.GET
    device: Device | None = selectors.recovery_device(user) if recovery else app
    form = CodeForm(request.POST or None, recovery=recovery)
    if request.method == "POST" and form.is_valid():
        allowed, info = device.verify_is_allowed() if device is not None else (False, None)
        # django-otp verifies on the device row locked for update: two requests with one code cannot both pass.
        passed = otp_verify_token(user, device.persistent_id, form.cleaned_data["code"].replace(" ", "")) \
            if device is not None and allowed else None
        if passed is not None:
            _passed(request, passed)
            if recovery:
                rest = selectors.recovery_device(user)
                left = rest.remaining() if rest is not None else 0
                messages.warning(request, _("You signed in with a recovery code; it cannot be used again. "
                                            "Recovery codes left: %(left)d.") % {"left": left})
            return redirect(_next_url(request, user))
        failures = int(request.session.get(_FAILURES, 0)) + 1
        if failures >= settings.MOTCUA_2FA_FAILURE_LIMIT:
            logout(request)
            messages.error(request, _("Too many wrong codes: you have been signed out. Sign in again with your "
                                      "password; if you have lost your authenticator app, use a recovery code or "
                                      "ask the administrator to reset your two-step sign-in."))
            return redirect("accounts:login")
        request.session[_FAILURES] = failures
        if not allowed and info and info.get("locked_until"):
            wait = max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))
            form.add_error("code", _("Too many wrong codes in a row. Wait %(seconds)d seconds, then type the code "
                                     "the app shows at that time.") % {"seconds": wait})
        elif recovery:
            form.add_error("code", _("This recovery code is wrong or has already been used."))
        else:
            form.add_error("code", _("This code is wrong or has expired. Type the code the app shows now."))
    return render(request, "accounts/second_factor.html", {
        "form": form, "recovery": recovery, "next": _next_url(request, user),
        "has_recovery": selectors.recovery_device(user) is not None,
    })


def _qr_svg(data: str) -> str:
    return segno.make(data, error="m").svg_data_uri(scale=5, border=2)


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: its secret as a QR code and as text, confirmed by a first code; then the
    recovery codes, shown once. A person who already has an app must pass it first (whoever knows only the
    password cannot replace it)."""
    user = request.user
    assert isinstance(user, User)  # login_required
    if not requires_second_factor(user):
        return redirect("accounts:account")
    if selectors.authenticator(user) is not None and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(reverse("accounts:second-factor") + "?" + urlencode({"next": _next_url(request, user)}))
    device = services.start_totp_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp(device, form.cleaned_data["code"].replace(" ", "")):
            _passed(request, device)
            request.session[_NEW_CODES] = services.new_recovery_codes(user)
            return redirect(reverse("accounts:recovery-codes") + "?" + urlencode({"next": _next_url(request, user)}))
        form.add_error("code", _("This code does not match. Check that the app was set up with the code above and "
                                 "type the code it shows now."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/enrol.html", {
        "form": form, "qr": _qr_svg(device.config_url), "next": _next_url(request, user),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    })


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown once (also as a text file to download or print); and new codes
    on request, which replace the old ones."""
    user = request.user
    assert isinstance(user, User)  # login_required
    if not requires_second_factor(user) or not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:account")
    codes: list[str] = request.session.get(_NEW_CODES) or []
    if request.method == "POST":
        if request.POST.get("action") == "regenerate":
            request.session[_NEW_CODES] = services.new_recovery_codes(user)
            return redirect("accounts:recovery-codes")
        request.session.pop(_NEW_CODES, None)  # "I have saved them": never shown again
        return redirect(_next_url(request, user))
    if codes and request.GET.get("tai-ve") is not None:
        body = "\n".join([gettext("motcua recovery codes for %(user)s (each works once):") % {"user": user.username},
                          "", *codes, ""])
        response = HttpResponse(body, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="motcua-recovery-codes.txt"'
        return response
    recovery = selectors.recovery_device(user)
    return render(request, "accounts/recovery_codes.html", {
        "codes": codes, "next": _next_url(request, user) if codes else "",
        "left": recovery.remaining() if recovery is not None else 0,
    })
