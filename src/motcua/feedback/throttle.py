"""Rate limits of the feedback entry points, fixed windows on the shared cache (``MOTCUA_CACHE_URL``: with
several app servers the cache must be shared, else each server counts on its own).

- the public form (``MOTCUA_FEEDBACK_RATE_LIMIT`` items per ``MOTCUA_FEEDBACK_RATE_WINDOW`` seconds per
  client: a person rarely sends more than a few, a flood is a script) and the lookup of an item by its code
  (the same allowance as dossier tracking, so that codes cannot be walked through), through
  ``motcua.core.throttle``;
- Open311 POSTs, counted per API key and per client address (``allow`` with an explicit identity).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest

from motcua.core import throttle


def allow_submit(request: HttpRequest) -> bool:
    return throttle.allow(request, "submit", namespace="feedback",
                          limit=int(getattr(settings, "MOTCUA_FEEDBACK_RATE_LIMIT", 5)),
                          window=int(getattr(settings, "MOTCUA_FEEDBACK_RATE_WINDOW", 3600)))


def allow_lookup(request: HttpRequest) -> bool:
    return throttle.allow(request, "track", namespace="feedback",
                          limit=int(getattr(settings, "MOTCUA_TRACKING_RATE_LIMIT", 10)),
                          window=int(getattr(settings, "MOTCUA_TRACKING_RATE_WINDOW", 600)))


def client_address(request: HttpRequest) -> str:
    return throttle.client_key(request)


def allow(scope: str, ident: str, limit: int, window: int, using: BaseCache | None = None) -> bool:
    """Count one attempt of ``ident`` (an API key, an address) in ``scope``; False once ``limit`` attempts
    were made in the current window of ``window`` seconds."""
    return throttle.allow_ident(f"feedback:{scope}", ident, limit=limit, window=window, using=using)
