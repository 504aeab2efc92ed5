"""The configured shape of what is sent to DVCQG: endpoints, date formats, field names and code lists.

No official API specification is public (national-portal-sync.md): the records are kept in the canonical
field names of the domain note and rendered at the moment they are sent through a JSON file, the package's
``data/mapping.json`` unless ``MOTCUA_DVCQG_MAPPING`` names another. When Circular 04/2025's successor (or
the provincial integration platform, LGSP) names a field differently, formats dates another way or codes a
list otherwise, a province edits the file, not the code:

- ``endpoints``: per record kind, the path and the date format (``strftime``; "iso" for ISO 8601 with
  milliseconds, the newer adapters' form);
- ``timezone``: dates are sent in this zone (Vietnam time is assumed, §4);
- ``rename``: canonical name → name on the wire, at any depth; ``drop``: canonical names never sent;
- ``codes``: the external code lists (channel, applicant kind, ...), internal value → DVCQG code;
- ``ack``: where the answer puts its error code, which codes mean success, and which are worth retrying.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT = Path(__file__).with_name("data") / "mapping.json"


@dataclass(frozen=True)
class Mapping:
    raw: dict[str, Any]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(str(self.raw.get("timezone") or "Asia/Ho_Chi_Minh"))

    def endpoint(self, kind: str) -> dict[str, Any]:
        try:
            found: dict[str, Any] = self.raw["endpoints"][kind]
        except KeyError as exc:
            raise ImproperlyConfigured(f"The DVCQG mapping has no endpoint for {kind}.") from exc
        return found

    def code(self, listname: str, value: Any, default: Any = None) -> Any:
        return (self.raw.get("codes") or {}).get(listname, {}).get(str(value), default)

    @property
    def idempotency_header(self) -> str:
        return str(self.raw.get("idempotency_header") or "Idempotency-Key")

    @property
    def ack(self) -> dict[str, Any]:
        return dict(self.raw.get("ack") or {})

    def format_date(self, value: str | None, date_format: str) -> str:
        """An ISO 8601 instant (as stored) in the configured zone and format; "" for none."""
        if not value:
            return ""
        instant = dt.datetime.fromisoformat(value)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=dt.UTC)
        local = instant.astimezone(self.zone)
        if date_format == "iso":
            return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
        return local.strftime(date_format)

    def render(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """``payload`` (canonical names, ISO dates) as it goes on the wire for ``kind``."""
        date_format = str(self.endpoint(kind).get("date_format") or "iso")
        dates = set(self.raw.get("date_fields") or [])
        rename: dict[str, str] = self.raw.get("rename") or {}
        drop = set(self.raw.get("drop") or [])

        def walk(value: Any) -> Any:
            if isinstance(value, dict):
                out = {}
                for name, inner in value.items():
                    if name in drop:
                        continue
                    out[rename.get(name, name)] = (self.format_date(inner, date_format) if name in dates
                                                   else walk(inner))
                return out
            if isinstance(value, list):
                return [walk(v) for v in value]
            return value

        rendered: dict[str, Any] = walk(payload)
        return rendered


@cache
def _load(path: str) -> Mapping:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"The DVCQG mapping {path} cannot be read: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("endpoints"), dict):
        raise ImproperlyConfigured(f"The DVCQG mapping {path} has no endpoints.")
    return Mapping(raw)


def current() -> Mapping:
    return _load(str(getattr(settings, "MOTCUA_DVCQG_MAPPING", "") or DEFAULT))
