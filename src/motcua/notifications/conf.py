"""Settings of the notifications app, each read with ``getattr(settings, ..., default)``.

``MOTCUA_NOTIFY_CHANNELS`` maps a channel kind (``email``, ``sms``, ``zalo``) to ``{"BACKEND": dotted path,
"OPTIONS": {...}}``. When it is not set the defaults below apply: in development e-mail goes to the console
and SMS/Zalo to JSON lines under ``VAR_DIR/outbox``, all three recorded as delivered; in tests SMS/Zalo go
to memory; in production only e-mail is configured (through Django's ``EMAIL_BACKEND``), so nothing pretends
to send an SMS.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.health import Notice

EMAIL_BACKEND = "motcua.notifications.channels.email.EmailChannel"
FILE_BACKEND = "motcua.notifications.channels.dev.FileChannel"
MEMORY_BACKEND = "motcua.notifications.channels.memory.MemoryChannel"

DEFAULT_ORDER = ["email", "sms", "zalo"]
DEFAULT_RETRY = {
    "MAX_ATTEMPTS": 3,  # tries per channel for transient failures before falling back to the next channel
    "BACKOFF_SECONDS": 60,  # first wait; doubles on each further try
    "MAX_BACKOFF_SECONDS": 3600,
    "LEASE_SECONDS": 300,  # how long a worker owns a message while it sends; after that it may be retried
}


def default_channels() -> dict[str, dict[str, Any]]:
    env = getattr(settings, "ENV", "production")
    if env == "development":
        return {
            "email": {"BACKEND": EMAIL_BACKEND,
                      "OPTIONS": {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
                                  "DELIVERED_ON_SEND": True}},
            "sms": {"BACKEND": FILE_BACKEND, "OPTIONS": {}},
            "zalo": {"BACKEND": FILE_BACKEND, "OPTIONS": {}},
        }
    if env == "test":
        # E-mail through Django's EMAIL_BACKEND (locmem under the test runner); SMS and Zalo in memory.
        return {
            "email": {"BACKEND": EMAIL_BACKEND, "OPTIONS": {}},
            "sms": {"BACKEND": MEMORY_BACKEND, "OPTIONS": {}},
            "zalo": {"BACKEND": MEMORY_BACKEND, "OPTIONS": {}},
        }
    return {"email": {"BACKEND": EMAIL_BACKEND, "OPTIONS": {}}}


def channels() -> dict[str, dict[str, Any]]:
    configured = getattr(settings, "MOTCUA_NOTIFY_CHANNELS", None)
    return dict(configured) if configured is not None else default_channels()


def fallback_order() -> list[str]:
    return list(getattr(settings, "MOTCUA_NOTIFY_ORDER", DEFAULT_ORDER))


def retry_policy() -> dict[str, int]:
    return {**DEFAULT_RETRY, **getattr(settings, "MOTCUA_NOTIFY_RETRY", {})}


def deploy_notices() -> Iterable[Notice]:
    """``/healthz`` warnings of a production without its public address or sender address: every link in a
    notice would point at localhost, every e-mail come from a made-up address (docs/operations.md)."""
    if getattr(settings, "ENV", "production") != "production":
        return []
    notices = []
    if not getattr(settings, "MOTCUA_PUBLIC_BASE_URL", ""):
        notices.append(Notice("public_base_url_unset", _(
            "MOTCUA_PUBLIC_BASE_URL is not set: the links in notices point at http://localhost:8000.")))
    if not getattr(settings, "MOTCUA_EMAIL_FROM", ""):
        notices.append(Notice("email_from_unset", _(
            "MOTCUA_EMAIL_FROM is not set: e-mail notices are sent from %(address)s.")
            % {"address": settings.DEFAULT_FROM_EMAIL}))
    return notices
