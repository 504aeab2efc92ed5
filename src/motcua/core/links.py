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



def survey_signature(code: str) -> str:
    """The signature of the survey link printed as a QR code on a dossier's receipt and result (the surveys
    app checks it): whoever holds the paper may answer once about that dossier, and no one can forge the link
    for a dossier whose paper they do not hold. Keyed with the server's secret; 96 bits are plenty for a
    link that accepts one answer."""
    from django.utils.crypto import salted_hmac

    return salted_hmac("motcua.surveys.qr", code, algorithm="sha256").hexdigest()[:24]


def survey_path(code: str) -> str:
    """The path of the survey about dossier ``code`` (the QR code on its receipt and result)."""
    from urllib.parse import quote

    return f"/khao-sat/ma/{quote(code, safe='')}/{survey_signature(code)}/"
