"""What the sign-in pages need to offer VNeID: registered in ``TEMPLATES`` so that the login page (which belongs to
the accounts app, a lower floor) shows the button without importing this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from . import conf, selectors, services


def vneid(request: HttpRequest) -> dict[str, Any]:
    return {"vneid": SimpleLazyObject(lambda: _flags(request))}


def _flags(request: HttpRequest) -> dict[str, Any]:
    if not conf.enabled():
        return {"enabled": False}
    user = getattr(request, "user", None)
    linked = False
    may_link = False
    if user is not None and user.is_authenticated:
        linked = selectors.is_linked(user)  # type: ignore[arg-type]
        may_link = not linked and services.may_use_vneid(user)  # type: ignore[arg-type]
    return {"enabled": True, "start_url": reverse("integrations:vneid-start"), "linked": linked,
            "may_link": may_link}
