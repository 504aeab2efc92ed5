"""The public address of the service, for the absolute links that leave it (notices, receipts' QR codes).

``MOTCUA_PUBLIC_BASE_URL`` is the address citizens reach; production must set it (``/healthz`` warns when it
does not, ``docs/operations.md``). ``motcua serve`` passes its own ``http://HOST:PORT`` to its children when
it is unset, so a development server's notices link to where that server listens. The last resort,
``http://localhost:8000``, is only ever right on a developer's machine.
"""

from __future__ import annotations

from django.conf import settings

FALLBACK = "http://localhost:8000"


def public_base_url() -> str:
    return (getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "") or FALLBACK).rstrip("/")


def absolute(path: str) -> str:
    """``path`` (starting with ``/``) as an absolute link on the public address."""
    return f"{public_base_url()}{path}"

