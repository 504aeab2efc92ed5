from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
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

from motcua.core.errors import error_body

from . import passkeys, selectors, services
from .forms import CodeForm, LoginForm, RemoveKeyForm
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
            step = "accounts:second-factor" if selectors.has_second_factor(user) else "accounts:enrol"
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


def _failed(request: HttpRequest) -> bool:
    """Count a wrong second factor in this sign-in, a code or a security key's answer alike (one limit for both:
    switching between them gains nothing). True when it was one too many: the session is then signed out and the
    password must be given again (where django-axes counts)."""
    failures = int(request.session.get(_FAILURES, 0)) + 1
    if failures >= settings.MOTCUA_2FA_FAILURE_LIMIT:
        logout(request)
        messages.error(request, _("Too many wrong codes: you have been signed out. Sign in again with your "
                                  "password; if you have lost your authenticator app, use a recovery code or "
                                  "ask the administrator to reset your two-step sign-in."))
        return True
    request.session[_FAILURES] = failures
    return False


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
    keys = selectors.security_keys(user)
    if app is None and not keys:
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
        if _failed(request):
            return redirect("accounts:login")
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
        "has_recovery": selectors.recovery_device(user) is not None, "has_app": app is not None, "keys": keys,
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
    if selectors.has_second_factor(user) and not user.is_verified():  # type: ignore[attr-defined]
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


# --- Security keys and passkeys (WebAuthn; motcua.accounts.passkeys, docs/security.md) ---------------------------
# The ceremonies need the browser's navigator.credentials, so the page's script (accounts/passkeys.js) asks these
# endpoints for the options and posts the authenticator's answer back as JSON, with the CSRF token in its header.
# Without JavaScript the pages say so and the authenticator app keeps working.
_MAX_CREDENTIAL_BYTES = 64 * 1024


def _json_error(code: str, message: str, status: int = 400, **extra: Any) -> JsonResponse:
    body = error_body(code, message)
    body.update(extra)
    return JsonResponse(body, status=status)


def _json_view(view: Callable[..., JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    """POST only, a signed-in person who must use a second factor (the others have nothing to do here), answered
    in JSON whatever happens."""
    @wraps(view)
    def wrapped(request: HttpRequest) -> JsonResponse:
        user = request.user
        if not user.is_authenticated or not isinstance(user, User):
            return _json_error("not_authenticated", _("Sign in first."), 401)
        if request.method != "POST":
            return _json_error("method_not_allowed", _("Use POST."), 405)
        if not requires_second_factor(user):
            return _json_error("forbidden", _("Security keys are a second factor for staff only."), 403)
        if len(request.body) > _MAX_CREDENTIAL_BYTES:
            return _json_error("too_large", _("The request is too large."), 413)
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            return _json_error("invalid", _("The request is not valid JSON."))
        return view(request, user, data)
    return wrapped


@_json_view
def key_register_options(request: HttpRequest, user: User, data: dict[str, Any]) -> JsonResponse:
    """The options to enrol a new key (a verified session only: the middleware sends others to the step)."""
    return JsonResponse({"publicKey": passkeys.registration_options(request, user, selectors.security_keys(user))})


@_json_view
def key_register(request: HttpRequest, user: User, data: dict[str, Any]) -> JsonResponse:
    challenge = passkeys.take_challenge(request, passkeys.REGISTER)
    try:
        key = services.register_security_key(user, data.get("credential"), challenge,
                                             passkeys.relying_party(request), str(data.get("name") or ""))
    except services.SecurityKeyError as exc:
        return _json_error(exc.code, exc.message)
    messages.success(request, _("The security key “%(name)s” is enrolled: you can sign in with it instead of a "
                                "code.") % {"name": key.name})
    return JsonResponse({"redirect": reverse("accounts:security-keys")})


@_json_view
def key_challenge(request: HttpRequest, user: User, data: dict[str, Any]) -> JsonResponse:
    """The options to sign in with one of the person's keys (open before the second step)."""
    keys = selectors.security_keys(user)
    if not keys:
        return _json_error("no_keys", _("You have no security key enrolled. Use the code from your authenticator "
                                        "app."))
    return JsonResponse({"publicKey": passkeys.authentication_options(request, keys)})


@_json_view
def key_verify(request: HttpRequest, user: User, data: dict[str, Any]) -> JsonResponse:
    """The second step with a key: a right answer verifies the session as a right code does; a wrong one (a bad
    signature, another person's key, a replayed or expired challenge, a counter that went back) counts toward the
    same limit of wrong codes."""
    next_url = str(data.get("next") or "")
    if next_url and not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if user.is_verified():  # type: ignore[attr-defined]
        return JsonResponse({"redirect": next_url or landing_url(user)})
    challenge = passkeys.take_challenge(request, passkeys.AUTHENTICATE)
    try:
        key = services.verify_security_key(user, data.get("credential"), challenge, passkeys.relying_party(request))
    except services.SecurityKeyError as exc:
        if _failed(request):
            return _json_error("signed_out", _("Too many failed attempts: you have been signed out."), 403,
                               redirect=reverse("accounts:login"))
        return _json_error(exc.code, exc.message)
    _passed(request, key)
    return JsonResponse({"redirect": next_url or landing_url(user)})


@login_required
def security_keys(request: HttpRequest) -> HttpResponse:
    """The person's security keys and passkeys: the list, enrolling one (with JavaScript), removing one (the
    password given again: a session left open on a desk does not remove the owner's key)."""
    user = request.user
    assert isinstance(user, User)  # login_required
    if not requires_second_factor(user):
        return redirect("accounts:account")
    form = RemoveKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        again = authenticate(request, username=user.get_username(), password=form.cleaned_data["password"])
        if again is None or again.pk != user.pk:
            form.add_error("password", _("The password is wrong."))
        else:
            try:
                key = services.remove_security_key(user, form.cleaned_data["key"])
            except services.SecurityKeyError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The security key “%(name)s” is removed.") % {"name": key.name})
                return redirect("accounts:security-keys")
    return render(request, "accounts/security_keys.html", {
        "keys": selectors.security_keys(user), "form": form, "has_app": selectors.authenticator(user) is not None,
        "removing": form.data.get("key") if form.is_bound else None,
    })
