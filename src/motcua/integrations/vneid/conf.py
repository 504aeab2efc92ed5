"""The VNeID sign-in's configuration, read from the settings (``MOTCUA_VNEID_*``, docs/integrations-vneid.md).

VNeID's own claim names are not public (the relying-party specification is given to a province with its client
registration), so which claim holds the personal identification number, the name and the identification level,
and how the level is written, are settings too (``MOTCUA_VNEID_CLAIMS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The claims of the development provider (provider.py). A province replaces them with those of its
# specification: ``MOTCUA_VNEID_CLAIMS='{"id_number": "...", "name": "...", "level": "...", "levels": {...}}'``.
DEFAULT_CLAIMS: dict[str, Any] = {
    "id_number": "id_number",
    "name": "name",
    "level": "acr",
    # The value of the level claim → IdentityLevel ("vneid1", "vneid2").
    "levels": {"1": "vneid1", "2": "vneid2"},
}
LEVELS = ("vneid1", "vneid2")


@dataclass(frozen=True)
class Claims:
    id_number: str
    name: str
    level: str
    levels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    claims: Claims
    timeout: int

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def claims_from(raw: Any) -> Claims:
    """The claim mapping, the defaults completed by what the setting gives; a bad one stops the start-up."""
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("MOTCUA_VNEID_CLAIMS must be a JSON object.")
    merged = {**DEFAULT_CLAIMS, **raw}
    for key in ("id_number", "name", "level"):
        if not isinstance(merged[key], str) or not merged[key]:
            raise ImproperlyConfigured(f"MOTCUA_VNEID_CLAIMS: {key!r} must name a claim.")
    levels = merged["levels"]
    if not isinstance(levels, dict) or not levels or any(
            not isinstance(k, str) or v not in LEVELS for k, v in levels.items()):
        raise ImproperlyConfigured('MOTCUA_VNEID_CLAIMS: "levels" must map claim values to "vneid1" or "vneid2".')
    return Claims(id_number=merged["id_number"], name=merged["name"], level=merged["level"], levels=dict(levels))


def config() -> Config | None:
    """The configuration, or None when the sign-in is not configured here (no issuer)."""
    issuer = str(getattr(settings, "MOTCUA_VNEID_ISSUER", "") or "").strip()
    if not issuer:
        return None
    client_id = str(getattr(settings, "MOTCUA_VNEID_CLIENT_ID", "") or "").strip()
    if not client_id:
        raise ImproperlyConfigured("MOTCUA_VNEID_ISSUER is set: set MOTCUA_VNEID_CLIENT_ID too.")
    scopes = " ".join(str(getattr(settings, "MOTCUA_VNEID_SCOPES", "") or "openid profile").split())
    if "openid" not in scopes.split():
        raise ImproperlyConfigured("MOTCUA_VNEID_SCOPES must include openid.")
    return Config(issuer=issuer, client_id=client_id,
                  client_secret=str(getattr(settings, "MOTCUA_VNEID_CLIENT_SECRET", "") or ""),
                  scopes=scopes, claims=claims_from(getattr(settings, "MOTCUA_VNEID_CLAIMS", {})),
                  timeout=int(getattr(settings, "MOTCUA_VNEID_TIMEOUT", 10) or 10))


def enabled() -> bool:
    return bool(str(getattr(settings, "MOTCUA_VNEID_ISSUER", "") or "").strip())
