"""A fixed-window rate limit per client, on Django's cache.

Public tracking must not let anyone walk through dossier codes (issue 7): each client (its address as the
server sees it) may try ``MOTCUA_TRACKING_RATE_LIMIT`` lookups per ``MOTCUA_TRACKING_RATE_WINDOW`` seconds.
A fixed window is enough here: it bounds guessing to a known rate and costs one cache increment a lookup.
With several app servers the cache must be shared: ``MOTCUA_CACHE_URL=redis://...`` (settings.CACHES).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest


def limit() -> int:
    return int(getattr(settings, "MOTCUA_TRACKING_RATE_LIMIT", 10))


def window() -> int:
    return max(1, int(getattr(settings, "MOTCUA_TRACKING_RATE_WINDOW", 600)))


def client_key(request: HttpRequest) -> str:
    """The client's address. Behind a reverse proxy, the proxy must set REMOTE_ADDR to the real client
    (e.g. gunicorn's ``--forwarded-allow-ips``); X-Forwarded-For is not trusted here since clients forge it."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def allow(request: HttpRequest, scope: str = "track", using: BaseCache | None = None) -> bool:
    """Count one attempt of this client; False once the window's allowance is used up. ``using``: another
    cache than the default one (tests: two connections standing for two app servers)."""
    store = using if using is not None else cache
    size = window()
    slot = int(time.time()) // size
    key = f"motcua:portal:{scope}:{client_key(request)}:{slot}"
    store.add(key, 0, timeout=size + 5)
    try:
        count = store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=size + 5)
        count = 1
    return count <= limit()
