"""A fixed-window rate limit per client, on Django's cache, for every public page that a script could hammer
(dossier tracking, password resets, the feedback form and its tracking page).

Each client (its address as the server sees it) may make ``limit`` attempts per ``window`` seconds in a scope.
A fixed window is enough: it bounds guessing and flooding to a known rate and costs one cache increment an
attempt. With several app servers the cache must be shared: ``MOTCUA_CACHE_URL=redis://...``
(settings.CACHES).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    """The client's address. Behind a reverse proxy, the proxy must set REMOTE_ADDR to the real client
    (e.g. gunicorn's ``--forwarded-allow-ips``); X-Forwarded-For is not trusted here since clients forge it."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def allow(request: HttpRequest, scope: str, *, limit: int, window: int, namespace: str = "core",
          using: BaseCache | None = None) -> bool:
    """Count one attempt of this client in ``scope``; False once the window's allowance is used up.
    ``using``: another cache than the default one (tests: two connections standing for two app servers)."""
    return allow_ident(f"{namespace}:{scope}", client_key(request), limit=limit, window=window, using=using)


def allow_ident(scope: str, ident: str, *, limit: int, window: int, using: BaseCache | None = None) -> bool:
    """Count one attempt of ``ident`` (a client address, an API key) in ``scope``; False once ``limit``
    attempts were made in the current window of ``window`` seconds."""
    store = using if using is not None else cache
    size = max(1, int(window))
    slot = int(time.time()) // size
    key = f"motcua:{scope}:{ident}:{slot}"
    store.add(key, 0, timeout=size + 5)
    try:
        count = store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=size + 5)
        count = 1
    return count <= int(limit)
