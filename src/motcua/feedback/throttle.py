"""A fixed-window rate limit per client and scope, on Django's cache (shared by the app servers when
``MOTCUA_CACHE_URL`` points to Redis): the issue's "rate limits per client (shared cache)".

Each client (its address as the server sees it; a reverse proxy must set REMOTE_ADDR, X-Forwarded-For is
forged too easily) may make ``MOTCUA_FEEDBACK_RATE_LIMIT`` requests of a scope (submitting, looking up with a
secret) per ``MOTCUA_FEEDBACK_RATE_WINDOW`` seconds. The portal's tracking has the same limiter of its own;
feedback cannot import it (portal is a floor above).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def allow(request: HttpRequest, scope: str) -> bool:
    """Count one request of this client in ``scope``; False once the window's allowance is used up."""
    size = max(1, int(getattr(settings, "MOTCUA_FEEDBACK_RATE_WINDOW", 600)))
    key = f"motcua:feedback:{scope}:{request.META.get('REMOTE_ADDR') or 'unknown'}:{int(time.time()) // size}"
    cache.add(key, 0, timeout=size + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=size + 5)
        count = 1
    return count <= int(getattr(settings, "MOTCUA_FEEDBACK_RATE_LIMIT", 20))
