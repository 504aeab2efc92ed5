"""The one interface every channel implements, and what it gets and gives back.

An adapter never touches the database: it gets an ``OutgoingMessage`` and answers a ``DeliveryResult``.
It should not raise; if it does, the delivery code records a retryable failure.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

SENT = "sent"
DELIVERED = "delivered"
FAILED = "failed"


@dataclass(frozen=True)
class OutgoingMessage:
    message_id: int
    channel: str
    to: str
    recipient_name: str
    subject: str
    body: str
    language: str
    key: str
    sender_name: str = ""  # the agency the notice is from (the e-mail's From name)


@dataclass(frozen=True)
class DeliveryResult:
    """``status`` is sent, delivered (the provider confirmed at once) or failed. A failed result is
    ``retryable`` when the same channel may succeed later (timeout, 5xx); otherwise the next channel is
    tried at once."""

    status: str
    provider_id: str = ""
    provider_response: dict[str, Any] = field(default_factory=dict)
    retryable: bool = False
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status in (SENT, DELIVERED)

    @classmethod
    def sent(cls, provider_id: str = "", response: dict[str, Any] | None = None) -> DeliveryResult:
        return cls(SENT, provider_id, response or {})

    @classmethod
    def delivered(cls, provider_id: str = "", response: dict[str, Any] | None = None) -> DeliveryResult:
        return cls(DELIVERED, provider_id, response or {})

    @classmethod
    def transient(cls, error: str, response: dict[str, Any] | None = None) -> DeliveryResult:
        return cls(FAILED, "", response or {}, retryable=True, error=error)

    @classmethod
    def permanent(cls, error: str, response: dict[str, Any] | None = None) -> DeliveryResult:
        return cls(FAILED, "", response or {}, retryable=False, error=error)


@dataclass(frozen=True)
class Receipt:
    """A provider's later report on a message it accepted: delivered or failed."""

    provider_id: str
    status: str
    detail: dict[str, Any] = field(default_factory=dict)


class Channel(abc.ABC):
    """A way to reach a person. ``kind`` is email, sms or zalo; ``options`` come from the settings."""

    def __init__(self, kind: str, options: dict[str, Any] | None = None) -> None:
        self.kind = kind
        self.options = dict(options or {})

    @abc.abstractmethod
    def send(self, message: OutgoingMessage) -> DeliveryResult: ...

    def parse_receipt(self, payload: dict[str, Any]) -> list[Receipt]:
        """Turn a provider's delivery-receipt callback into receipts. The generic format is
        ``{"provider_id": "...", "status": "delivered" | "failed", "detail": {...}}`` or a list of them;
        an adapter for a provider with its own format overrides this."""
        items = payload if isinstance(payload, list) else [payload]
        receipts = []
        for item in items:
            status = str(item.get("status", ""))
            if item.get("provider_id") and status in (DELIVERED, FAILED):
                detail = item.get("detail")
                receipts.append(Receipt(str(item["provider_id"]), status,
                                        detail if isinstance(detail, dict) else {"detail": detail}))
        return receipts
