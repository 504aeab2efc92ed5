"""API authentication: a bearer token or the browser's session cookie (with CSRF for writes)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from .models import User
from .permissions import requires_second_factor
from .services import authenticate_token


class BearerToken(HttpBearer):
    openapi_description = "A token created in the admin or with `motcua createtoken USERNAME`."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class SessionCookie(APIKeyCookie):
    """The logged-in browser session. Unsafe methods also need the CSRF token (ninja checks it)."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check protects a signed-in session from forged writes. Without a signed-in user there is
        # nothing to forge: skip it, so an anonymous write is answered 401 "sign in" (as a missing bearer
        # token is), not 403 "CSRF check failed".
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            # A session that has given the password but not the second factor a staff member needs is no
            # staff session yet (motcua.accounts.middleware refuses it before this; kept here as well).
            if isinstance(user, User) and requires_second_factor(user) and not user.is_verified():  # type: ignore[attr-defined]
                return None
            return user
        return None


bearer = BearerToken()
session = SessionCookie()
STAFF_OR_CITIZEN = [bearer, session]
