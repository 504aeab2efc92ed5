"""Forgotten password ("Quên mật khẩu"): Django's password-reset views with the site's templates.

The citizen gives the e-mail or mobile phone they registered with. An e-mail account gets Django's reset
e-mail; a phone account gets the same one-time link by SMS (the notice ``account.password_reset`` through the
notifications app's SMS channel). Either way the page answers the same, whether or not an account exists, so
that nobody learns who has one; and each connection may ask only a few times per window
(``throttle.allow``, scope "password-reset"), so that nobody floods an inbox or a phone.

The link carries Django's token (``default_token_generator``): single use, since it is derived from the
password it changes, and valid ``PASSWORD_RESET_TIMEOUT`` seconds. Links are absolute on the public address
(``core.links``), not on whatever host the request named.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from motcua.accounts.models import User
from motcua.core import links
from motcua.core.errors import DomainError
from motcua.notifications.services import Recipient, notify

from . import throttle
from .services import normalise_identifier

NOTICE_KEY = "account.password_reset"


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(label=gettext_lazy("Email or mobile phone"), max_length=254,
                                 help_text=gettext_lazy("The one you registered with."),
                                 widget=forms.TextInput(attrs={"autocomplete": "username"}))

    def clean_identifier(self) -> tuple[str, str]:
        try:
            return normalise_identifier(self.cleaned_data["identifier"])
        except DomainError as exc:
            raise ValidationError(exc.message) from exc


def reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return links.absolute(reverse("portal:password-reset-confirm", kwargs={"uidb64": uid, "token": token}))


def _send_by_sms(phone: str) -> None:
    users = User.objects.filter(Q(phone=phone) | Q(username=phone), is_active=True)
    for user in users:
        if not user.has_usable_password():
            continue
        notify(Recipient(name=user.get_full_name(), phone=user.phone or phone,
                         language=user.preferred_language or "vi"),
               NOTICE_KEY, {"recipient_name": user.get_full_name(), "reset_url": reset_link(user),
                            "valid_hours": _valid_hours()},
               preferred=["sms"], subject_ref=f"account:{user.pk}")


def _send_by_email(request: HttpRequest, email: str) -> None:
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(request=request, subject_template_name="registration/password_reset_subject.txt",
                  email_template_name="registration/password_reset_email.txt",
                  extra_email_context={"reset_base": links.public_base_url(),
                                       "valid_hours": str(_valid_hours())})


def _valid_hours() -> int:
    return max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 3600)


@require_http_methods(["GET", "POST"])
def reset_request(request: HttpRequest) -> HttpResponse:
    """``/quen-mat-khau/``: ask for the link. The answer never says whether the account exists."""
    form = ResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if not throttle.allow(request, "password-reset"):
                status = 429
                form.add_error(None, _("Too many requests. Wait a few minutes and try again."))
            else:
                identifier, channel = form.cleaned_data["identifier"]
                if channel == "email":
                    _send_by_email(request, identifier)
                else:
                    _send_by_sms(identifier)
                return redirect("portal:password-reset-done")
    return render(request, "registration/password_reset_form.html", {"form": form}, status=status)


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password-reset-complete")


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
