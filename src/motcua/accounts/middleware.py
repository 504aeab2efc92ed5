"""Staff who have given their password but not yet their second factor reach only the second-factor pages.

After ``django_otp.middleware.OTPMiddleware`` (which tells whether this session passed a device): a person who
must use a second factor (``permissions.requires_second_factor``) and whose session has not passed one is sent
to the code step (or to enrolment, without an authenticator yet) from every page, the admin site included; an
API call made with that session is answered 401. An API call with a bearer token is left to the token (machine
credentials, issued only by a verified administrator or on the server's command line). Citizens pass freely.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.core.errors import error_body

from .models import User
from .permissions import requires_second_factor
from .selectors import has_second_factor

# The pages open to a half-signed-in person: the steps themselves (the code, or a security key's challenge and
# answer), signing out, the language switch.
_OPEN_NAMES = ("accounts:second-factor", "accounts:enrol", "accounts:logout", "accounts:key-challenge",
               "accounts:key-verify")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not user.is_verified()  # type: ignore[union-attr]
                and isinstance(user, User) and requires_second_factor(user) and not self._open(request)):
            return self._refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def _api(path: str) -> bool:
        return path.startswith(reverse("api:openapi-json").rsplit("/", 1)[0] + "/")

    def _open(self, request: HttpRequest) -> bool:
        path = request.path
        if any(path == reverse(name) for name in _OPEN_NAMES):
            return True
        if self._api(path) and request.headers.get("Authorization"):
            return True  # the bearer token authenticates this call, not the session (motcua.accounts.auth)
        return path.startswith((settings.STATIC_URL or "/static/", reverse("set_language")))

    def _refuse(self, request: HttpRequest, user: User) -> HttpResponse:
        if self._api(request.path):
            return JsonResponse(error_body("second_factor_required",
                                           _("Complete the second factor of your sign-in first.")), status=401)
        step = "accounts:second-factor" if has_second_factor(user) else "accounts:enrol"
        url = reverse(step)
        if request.method in ("GET", "HEAD"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)
