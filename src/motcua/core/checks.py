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


@register()
def audit_key_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Production needs its own audit key, held outside the database: every dossier event is chained with an
    HMAC under it (``motcua.dossiers.events``), so that one who can write the database cannot recompute the chain.
    Development and tests derive one from SECRET_KEY; production never does (the key must be rotatable on its own
    and kept apart). Registered without the ``deploy`` tag, like motcua.E001."""
    if getattr(settings, "ENV", "") != "production":
        return []
    key = str(getattr(settings, "MOTCUA_AUDIT_KEY", "") or "")
    if len(key) >= 32 and key != str(getattr(settings, "SECRET_KEY", "")):
        return []
    return [Error(
        "MOTCUA_AUDIT_KEY is not set to a key of its own of at least 32 characters.",
        hint="Generate one (python3 -c 'import secrets; print(secrets.token_urlsafe(48))'), keep it outside the "
             "database and its backups, and set it in the environment (docs/operations.md, the audit key).",
        id="motcua.E002")]
