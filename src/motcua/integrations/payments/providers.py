"""The payment providers: what the services ask of one (``Provider``), and the client of the online payment
platform of the National Public Service Portal (*Nền tảng thanh toán trực tuyến* of DVCQG) or of a ministry's or
the province's gateway.

**The platform's API is not public.** The client is built to be configured, not guessed right: JSON over HTTPS,
every request and every answer signed with HMAC-SHA256 over its canonical form (below) keyed with the shared
secret the platform issues to the merchant, and the field names, the paths and the codes settings
(``MOTCUA_PAYMENT_FIELDS``, ``MOTCUA_PAYMENT_PATHS``, ``MOTCUA_PAYMENT_CODES``). The real names come from the
platform's technical specification, which a province receives with its merchant account
(docs/integrations-payments.md).

Canonical form of a message: every top-level field but the signature, sorted by name, as ``name=value`` joined
by ``&``; a number or a string as written, anything else (a list, an object) as compact JSON with sorted keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError

VN = ZoneInfo("Asia/Ho_Chi_Minh")

DEFAULT_FIELDS: dict[str, str] = {
    "merchant": "merchant", "order_id": "order_id", "amount": "amount", "currency": "currency",
    "description": "description", "return_url": "return_url", "notify_url": "notify_url",
    "expires_at": "expires_at", "checkout_url": "checkout_url", "qr": "qr", "status": "status",
    "transaction_id": "transaction_id", "paid_at": "paid_at", "receipt_number": "receipt_number",
    "receipt_url": "receipt_url", "refund_id": "refund_id", "reason": "reason",
    "refund_transaction_id": "refund_transaction_id", "date": "date", "lines": "lines",
    "result_code": "result_code", "message": "message", "signature": "signature", "timestamp": "timestamp",
}
DEFAULT_PATHS: dict[str, str] = {"create": "/api/orders", "query": "/api/orders/query", "refund": "/api/refunds",
                                 "statement": "/api/statements"}
DEFAULT_CODES: dict[str, str] = {"ok": "0", "paid": "paid", "pending": "pending", "failed": "failed",
                                 "cancelled": "cancelled", "refunded": "refunded"}
#: Our names of an order's states as a provider reports them.
PAID, PENDING, FAILED, CANCELLED, REFUNDED = "paid", "pending", "failed", "cancelled", "refunded"
#: The DVCQG flag ``DuocThanhToanTrucTuyen`` each kind of provider sets unless MOTCUA_PAYMENT_KIND says otherwise.
DEFAULT_KIND = {"dvcqg": 1, "gateway": 2}
MAX_RECEIPT_BYTES = 5 * 1024 * 1024


class ProviderUnavailable(DomainError):
    """The provider did not answer, or answered what we cannot trust: nothing was changed here."""

    status = 409
    code = "payment_provider_unavailable"


class BadSignature(Exception):
    """A message whose signature does not hold (or has none)."""


class BadMessage(Exception):
    """A message that is not what the platform sends (not JSON, a field missing or malformed)."""


@dataclass(frozen=True)
class Order:
    order_id: str
    amount_vnd: int
    description: str
    return_url: str
    notify_url: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Checkout:
    redirect_url: str
    qr_payload: str
    expires_at: dt.datetime | None


@dataclass(frozen=True)
class Notice:
    """What the provider says of an order (a notice it posted, or the answer to a query), signature checked."""

    order_id: str
    amount_vnd: int
    status: str  # PAID, PENDING, FAILED, CANCELLED, REFUNDED, or "" for a code we do not know
    transaction_id: str = ""
    paid_at: dt.datetime | None = None
    receipt_number: str = ""
    receipt_url: str = ""


@dataclass(frozen=True)
class Refund:
    refund_id: str
    transaction_id: str
    status: str


@dataclass(frozen=True)
class StatementLine:
    order_id: str
    transaction_id: str
    amount_vnd: int
    status: str
    paid_at: dt.datetime | None


class Provider(Protocol):
    """What the services need of a payment provider."""

    name: str
    kind: int

    def create(self, order: Order) -> Checkout: ...

    def parse_notice(self, body: bytes) -> Notice: ...

    def answer(self, ok: bool, message: str) -> dict[str, Any]: ...

    def query(self, order_id: str) -> Notice: ...

    def refund(self, order_id: str, transaction_id: str, amount_vnd: int, refund_id: str, reason: str) -> Refund: ...

    def statement(self, day: dt.date) -> list[StatementLine]: ...

    def fetch_receipt(self, url: str) -> bytes: ...


# --- signatures ---------------------------------------------------------------------------------------------

def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value)
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(message: Mapping[str, Any], signature_field: str = "signature") -> str:
    return "&".join(f"{k}={_value(message[k])}" for k in sorted(message) if k != signature_field)


def sign(message: Mapping[str, Any], secret: str, signature_field: str = "signature") -> str:
    return hmac.new(secret.encode(), canonical(message, signature_field).encode(), hashlib.sha256).hexdigest()


def signed(message: dict[str, Any], secret: str, signature_field: str = "signature") -> dict[str, Any]:
    return {**message, signature_field: sign(message, secret, signature_field)}


def verify(message: Mapping[str, Any], secret: str, signature_field: str = "signature") -> bool:
    given = message.get(signature_field)
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.lower(), sign(message, secret, signature_field))


def parse_instant(raw: Any) -> dt.datetime | None:
    """ISO 8601 (with or without an offset) or the compact ``yyyyMMddHHmmss`` of older DVCQG APIs; a time
    without an offset is Vietnam time (national-portal-sync §4, [unverified])."""
    if raw in (None, ""):
        return None
    text = str(raw)
    try:
        value = (dt.datetime.strptime(text, "%Y%m%d%H%M%S") if text.isdigit() and len(text) == 14
                 else dt.datetime.fromisoformat(text))
    except ValueError as exc:
        raise BadMessage(f"not a date and time: {text[:40]}") from exc
    return value if value.tzinfo else value.replace(tzinfo=VN)


# --- the JSON/HMAC client -------------------------------------------------------------------------------------

class JsonHmacProvider:
    """The DVCQG payment platform (``dvcqg``) or a ministry's or the province's gateway (``gateway``) spoken to
    in the same way: signed JSON over HTTPS."""

    def __init__(self, name: str, *, base_url: str, merchant: str, secret: str, kind: int = 0,
                 timeout: float = 10, fields: Mapping[str, str] | None = None,
                 paths: Mapping[str, str] | None = None, codes: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.kind = kind or DEFAULT_KIND.get(name, 1)
        self.base_url = base_url.rstrip("/")
        self.merchant = merchant
        self.secret = secret
        self.timeout = timeout
        self.f = {**DEFAULT_FIELDS, **(fields or {})}
        self.paths = {**DEFAULT_PATHS, **(paths or {})}
        self.codes = {**DEFAULT_CODES, **(codes or {})}
        self._states = {self.codes[s]: s for s in (PAID, PENDING, FAILED, CANCELLED, REFUNDED)}

    # messages in our names ⇄ the platform's
    def _out(self, message: Mapping[str, Any]) -> dict[str, Any]:
        body = {self.f[k]: v for k, v in message.items()}
        return signed(body, self.secret, self.f["signature"])

    def _in(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise BadMessage("a JSON object is expected")
        if not verify(raw, self.secret, self.f["signature"]):
            raise BadSignature("the signature does not hold")
        back = {ours: raw[theirs] for ours, theirs in self.f.items() if theirs in raw}
        return back

    def _call(self, operation: str, message: dict[str, Any]) -> dict[str, Any]:
        body = self._out({"merchant": self.merchant, **message})
        url = self.base_url + self.paths[operation]
        try:
            response = requests.post(url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ProviderUnavailable(_("The payment platform cannot be reached. Try again in a few minutes.")) from exc
        try:
            raw = response.json()
        except ValueError:
            raw = None
        if response.status_code >= 500 or raw is None:
            raise ProviderUnavailable(_("The payment platform did not answer properly. Try again in a few minutes."),
                                      details={"http_status": response.status_code})
        try:
            data = self._in(raw)
        except (BadSignature, BadMessage) as exc:
            raise ProviderUnavailable(_("The payment platform's answer could not be verified."),
                                      details={"reason": str(exc)}) from exc
        if str(data.get("result_code", "")) != self.codes["ok"]:
            raise ProviderUnavailable(_("The payment platform refused the request: %(message)s")
                                      % {"message": str(data.get("message") or data.get("result_code"))[:200]},
                                      details={"result_code": data.get("result_code")})
        return data

    def _state(self, code: Any) -> str:
        return self._states.get(str(code), "")

    def _notice(self, data: Mapping[str, Any]) -> Notice:
        try:
            return Notice(order_id=str(data["order_id"]), amount_vnd=int(data["amount"]),
                          status=self._state(data.get("status")), transaction_id=str(data.get("transaction_id") or ""),
                          paid_at=parse_instant(data.get("paid_at")),
                          receipt_number=str(data.get("receipt_number") or ""),
                          receipt_url=str(data.get("receipt_url") or ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise BadMessage(f"field missing or malformed: {exc}") from exc

    # the operations
    def create(self, order: Order) -> Checkout:
        data = self._call("create", {
            "order_id": order.order_id, "amount": order.amount_vnd, "currency": "VND",
            "description": order.description, "return_url": order.return_url, "notify_url": order.notify_url,
            "expires_at": order.expires_at.astimezone(VN).isoformat(timespec="seconds")})
        try:
            expires = parse_instant(data.get("expires_at"))
        except BadMessage:
            expires = None
        url, qr = str(data.get("checkout_url") or ""), str(data.get("qr") or "")
        if not url and not qr:
            raise ProviderUnavailable(_("The payment platform gave neither a payment page nor a QR code."))
        return Checkout(redirect_url=url, qr_payload=qr, expires_at=expires)

    def parse_notice(self, body: bytes) -> Notice:
        try:
            raw = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadMessage("not JSON") from exc
        return self._notice(self._in(raw))

    def answer(self, ok: bool, message: str) -> dict[str, Any]:
        """Our signed answer to a notice (the platform retries a notice not answered with success)."""
        return self._out({"result_code": self.codes["ok"] if ok else "1", "message": message})

    def query(self, order_id: str) -> Notice:
        data = self._call("query", {"order_id": order_id})
        try:
            return self._notice(data)
        except BadMessage as exc:
            raise ProviderUnavailable(_("The payment platform's answer could not be read.")) from exc

    def refund(self, order_id: str, transaction_id: str, amount_vnd: int, refund_id: str, reason: str) -> Refund:
        data = self._call("refund", {"order_id": order_id, "transaction_id": transaction_id, "amount": amount_vnd,
                                     "refund_id": refund_id, "reason": reason})
        return Refund(refund_id=str(data.get("refund_id") or refund_id),
                      transaction_id=str(data.get("refund_transaction_id") or ""),
                      status=self._state(data.get("status")) or REFUNDED)

    def statement(self, day: dt.date) -> list[StatementLine]:
        data = self._call("statement", {"date": day.isoformat()})
        lines = data.get("lines")
        if not isinstance(lines, list):
            raise ProviderUnavailable(_("The payment platform's statement could not be read."))
        f = self.f
        out = []
        try:
            for line in lines:
                out.append(StatementLine(order_id=str(line[f["order_id"]]),
                                         transaction_id=str(line.get(f["transaction_id"]) or ""),
                                         amount_vnd=int(line[f["amount"]]), status=self._state(line.get(f["status"])),
                                         paid_at=parse_instant(line.get(f["paid_at"]))))
        except (KeyError, TypeError, ValueError, AttributeError, BadMessage) as exc:
            raise ProviderUnavailable(_("The payment platform's statement could not be read.")) from exc
        return out

    def fetch_receipt(self, url: str) -> bytes:
        """The receipt's PDF, only from the provider's own host (the address came in a signed notice, and still
        this server fetches nothing else)."""
        if urlsplit(url).netloc != urlsplit(self.base_url).netloc:
            raise ProviderUnavailable(_("The receipt is not on the payment platform."))
        try:
            response = requests.get(url, timeout=self.timeout, stream=True)
            content = response.raw.read(MAX_RECEIPT_BYTES + 1, decode_content=True)
        except requests.RequestException as exc:
            raise ProviderUnavailable(_("The payment platform cannot be reached. Try again in a few minutes.")) from exc
        if response.status_code != 200 or not content.startswith(b"%PDF") or len(content) > MAX_RECEIPT_BYTES:
            raise ProviderUnavailable(_("The receipt could not be fetched from the payment platform."))
        return bytes(content)


def enabled() -> bool:
    return bool(getattr(settings, "MOTCUA_PAYMENT_PROVIDER", ""))


def get_provider() -> Provider:
    """The configured provider; ``ImproperlyConfigured`` when payment is off or half configured."""
    name = getattr(settings, "MOTCUA_PAYMENT_PROVIDER", "")
    if not name:
        raise ImproperlyConfigured("Online payment is off: set MOTCUA_PAYMENT_PROVIDER.")
    missing = [v for v in ("MOTCUA_PAYMENT_URL", "MOTCUA_PAYMENT_MERCHANT", "MOTCUA_PAYMENT_SECRET")
               if not getattr(settings, v, "")]
    if missing:
        raise ImproperlyConfigured(f"Online payment needs {', '.join(missing)}.")
    return JsonHmacProvider(name, base_url=settings.MOTCUA_PAYMENT_URL, merchant=settings.MOTCUA_PAYMENT_MERCHANT,
                            secret=settings.MOTCUA_PAYMENT_SECRET, kind=settings.MOTCUA_PAYMENT_KIND,
                            timeout=settings.MOTCUA_PAYMENT_TIMEOUT_SECONDS, fields=settings.MOTCUA_PAYMENT_FIELDS,
                            paths=settings.MOTCUA_PAYMENT_PATHS, codes=settings.MOTCUA_PAYMENT_CODES)
