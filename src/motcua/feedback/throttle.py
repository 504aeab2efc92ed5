"""A fixed-window rate limit on Django's cache, for the feedback app's own entry points (Open311 POST).

The portal has the same idea for tracking lookups, but feedback sits below portal in the layers and may not
import it. With several app servers the cache must be shared (``MOTCUA_CACHE_URL=redis://...``), otherwise
each server counts on its own and a client gets the allowance once per server.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the server sees it; X-Forwarded-For is not trusted (clients forge it): behind a
    proxy, the proxy must set REMOTE_ADDR."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def allow(scope: str, ident: str, limit: int, window: int, using: BaseCache | None = None) -> bool:
    """Count one attempt of ``ident`` in ``scope``; False once ``limit`` attempts were made in the current
    window of ``window`` seconds."""
    store = using if using is not None else cache
    window = max(1, window)
    key = f"motcua:feedback:{scope}:{ident}:{int(time.time()) // window}"
    store.add(key, 0, timeout=window + 5)
    try:
        count = store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit
