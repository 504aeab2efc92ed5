"""Rate limits of the public feedback pages, per client, on the shared cache (``motcua.core.throttle``).

Two scopes: sending the form (``MOTCUA_FEEDBACK_RATE_LIMIT`` items per ``MOTCUA_FEEDBACK_RATE_WINDOW``
seconds: a person rarely sends more than a few, a flood is a script) and looking an item up by its code
(the same allowance as dossier tracking, so that codes cannot be walked through).
"""

from __future__ import annotations

from django.conf import settings
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
