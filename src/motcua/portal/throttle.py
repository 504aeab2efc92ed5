"""The portal's rate limits, on the generic per-client fixed window of ``motcua.core.throttle``.

Public tracking must not let anyone walk through dossier codes (issue 7): each client may try
``MOTCUA_TRACKING_RATE_LIMIT`` lookups per ``MOTCUA_TRACKING_RATE_WINDOW`` seconds.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest

from motcua.core import throttle as core_throttle
from motcua.core.throttle import client_key

__all__ = ["allow", "allow_registration", "client_key", "limit", "window"]


def limit() -> int:
    return int(getattr(settings, "MOTCUA_TRACKING_RATE_LIMIT", 10))


def window() -> int:
    return max(1, int(getattr(settings, "MOTCUA_TRACKING_RATE_WINDOW", 600)))


def allow(request: HttpRequest, scope: str = "track", using: BaseCache | None = None) -> bool:
    """Count one attempt of this client; False once the window's allowance is used up."""
    return core_throttle.allow(request, scope, limit=limit(), window=window(), namespace="portal", using=using)


def allow_registration(request: HttpRequest, using: BaseCache | None = None) -> bool:
    """Count one registration (or new code) asked by this client: ``MOTCUA_REGISTRATION_RATE_LIMIT`` per
    ``MOTCUA_REGISTRATION_RATE_WINDOW`` seconds, whatever e-mails or phones it names (each of those has its own
    allowance too: ``services.codes_per_hour``)."""
    return core_throttle.allow(request, "registration",
                               limit=int(getattr(settings, "MOTCUA_REGISTRATION_RATE_LIMIT", 5)),
                               window=max(1, int(getattr(settings, "MOTCUA_REGISTRATION_RATE_WINDOW", 3600))),
                               namespace="portal", using=using)
