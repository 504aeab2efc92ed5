"""System checks that stop a misconfigured production before it serves anyone (``motcua check``, run by
``migrate``, ``runserver`` and the deploy scripts)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

# Addresses that only ever mean "this machine" (compared, never bound to).
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}  # noqa: S104


@register()
def public_base_url_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Production needs its public address: every link in a notice, every QR code on a receipt or a result
    and every callback URL is built from ``MOTCUA_PUBLIC_BASE_URL``; without it they pointed at
    http://localhost:8000 — a citizen's phone opening its own machine, a QR code that verifies nothing.
    Registered without the ``deploy`` tag so that plain ``check`` (and ``migrate``) refuse it too."""
    if getattr(settings, "ENV", "") != "production":
        return []
    url = str(getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "") or "")
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and (parts.hostname or "") not in LOCAL_HOSTS:
        return []
    return [Error(
        f"MOTCUA_PUBLIC_BASE_URL is not set to the public address of this installation (got {url!r}).",
        hint="Set it to the address citizens open, e.g. https://dichvucong.example.gov.vn "
             "(docs/operations.md); links in notices and QR codes are built from it.",
        id="motcua.E001")]
