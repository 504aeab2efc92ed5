"""The HTTP client of DVCQG's synchronisation API: token, one record per request with its idempotency key,
and the reconciliation query. It classifies every answer; it decides nothing about retries (``worker``).

Auth (national-portal-sync.md §4 step 1): OAuth 2 client credentials at the mapping's token path, the token
kept until shortly before it expires and fetched again after a 401; or a static key. TLS is verified.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from .mapping import Mapping, current

RETRYABLE_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Answer:
    """``outcome`` is "ack" (DVCQG holds the record), "retry" (try again later) or "reject" (DVCQG refuses
    it: retrying the same record changes nothing)."""

    outcome: str
    http_status: int | None = None
    body: Any = None
    error: str = ""


class DvcqgError(Exception):
    pass


class Client:
    def __init__(self, base_url: str, *, mapping: Mapping | None = None, client_id: str = "", client_secret: str = "",
                 api_key: str = "", timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.mapping = mapping or current()
        self.client_id, self.client_secret, self.api_key = client_id, client_secret, api_key
        self.timeout = timeout
        self.session = requests.Session()
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls) -> Client:
        url = getattr(settings, "MOTCUA_DVCQG_URL", "")
        if not url:
            raise DvcqgError("MOTCUA_DVCQG_URL is not set.")
        return cls(url, client_id=settings.MOTCUA_DVCQG_CLIENT_ID, client_secret=settings.MOTCUA_DVCQG_CLIENT_SECRET,
                   api_key=settings.MOTCUA_DVCQG_API_KEY, timeout=float(settings.MOTCUA_DVCQG_TIMEOUT))

    def close(self) -> None:
        self.session.close()

    # --- auth -------------------------------------------------------------------------------------------
    def _bearer(self, *, fresh: bool = False) -> str:
        if self.api_key:
            return self.api_key
        if not self.client_id:
            return ""
        with self._lock:
            if self._token is not None and not fresh and self._token[1] > time.monotonic():
                return self._token[0]
            token = self.mapping.raw.get("token") or {}
            data = {"grant_type": "client_credentials", "client_id": self.client_id,
                    "client_secret": self.client_secret}
            if token.get("scope"):
                data["scope"] = token["scope"]
            resp = self.session.post(self.base_url + str(token.get("path") or "/oauth/token"), data=data,
                                     timeout=self.timeout)
            if resp.status_code != 200:
                raise DvcqgError(f"token endpoint answered {resp.status_code}")
            body = resp.json()
            lifetime = float(body.get("expires_in") or 300)
            self._token = (str(body["access_token"]), time.monotonic() + max(lifetime - 30, lifetime / 2))
            return self._token[0]

    def _headers(self, key: str = "", *, fresh: bool = False) -> dict[str, str]:
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        bearer = self._bearer(fresh=fresh)
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if key:
            headers[self.mapping.idempotency_header] = key
        return headers

    # --- records ----------------------------------------------------------------------------------------
    def send(self, kind: str, payload: dict[str, Any], key: str) -> Answer:
        """POST one record (canonical names; rendered here) with ``key``; classify the answer."""
        url = self.base_url + str(self.mapping.endpoint(kind)["path"])
        body = self.mapping.render(kind, payload)
        try:
            resp = self.session.post(url, json=body, headers=self._headers(key), timeout=self.timeout)
            if resp.status_code == 401 and (self.client_id and not self.api_key):
                resp = self.session.post(url, json=body, headers=self._headers(key, fresh=True), timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            return Answer("retry", error=f"{type(exc).__name__}: {exc}"[:500])
        except (requests.RequestException, DvcqgError) as exc:
            return Answer("retry", error=str(exc)[:500])
        return self._classify(resp)

    def _classify(self, resp: requests.Response) -> Answer:
        try:
            data = resp.json()
        except ValueError:
            data = None
        status = resp.status_code
        if status in RETRYABLE_HTTP or status == 401:
            return Answer("retry", status, data, f"HTTP {status}")
        if status >= 400:
            return Answer("reject", status, data, f"HTTP {status}: {_message(self.mapping, data)}")
        ack = self.mapping.ack
        code = data.get(str(ack.get("code_field") or "error_code")) if isinstance(data, dict) else None
        if code in (ack.get("success") or [0, "0"]):
            return Answer("ack", status, data)
        if code in (ack.get("retry_codes") or []):
            return Answer("retry", status, data, f"code {code}: {_message(self.mapping, data)}")
        return Answer("reject", status, data, f"code {code}: {_message(self.mapping, data)}")

    def held(self, first: str, last: str) -> list[dict[str, Any]]:
        """What DVCQG holds of the dossiers received between two days (the reconciliation query; ``first`` and
        ``last`` as ISO dates). Raises ``DvcqgError`` when it cannot say."""
        endpoint = self.mapping.endpoint("DoiSoat")
        fmt = str(endpoint.get("date_format") or "iso")
        body = {"TuNgay": self.mapping.format_date(f"{first}T00:00:00+07:00", fmt),
                "DenNgay": self.mapping.format_date(f"{last}T23:59:59+07:00", fmt)}
        try:
            resp = self.session.post(self.base_url + str(endpoint["path"]), json=body, headers=self._headers(),
                                     timeout=self.timeout)
        except requests.RequestException as exc:
            raise DvcqgError(f"{type(exc).__name__}: {exc}") from exc
        answer = self._classify(resp)
        if answer.outcome != "ack" or not isinstance(answer.body, dict):
            raise DvcqgError(answer.error or f"HTTP {resp.status_code}")
        rows = answer.body.get("data") or []
        if not isinstance(rows, list):
            raise DvcqgError("the answer has no list of dossiers")
        return [r for r in rows if isinstance(r, dict)]


def _message(mapping: Mapping, data: Any) -> str:
    if isinstance(data, dict):
        return str(data.get(str(mapping.ack.get("message_field") or "message")) or "")[:400]
    return ""
