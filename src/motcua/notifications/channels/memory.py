"""An in-memory channel for tests, like Django's locmem e-mail backend.

``outbox`` collects what was sent; ``scripts[kind]`` holds results the channel of that kind answers next
(first in, first out), so a test can make it fail: ``memory.answer("sms", DeliveryResult.permanent("no"))``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from .base import Channel, DeliveryResult, OutgoingMessage

outbox: list[OutgoingMessage] = []
scripts: defaultdict[str, list[DeliveryResult]] = defaultdict(list)


def reset() -> None:
    outbox.clear()
    scripts.clear()


def answer(kind: str, *results: DeliveryResult) -> None:
    scripts[kind].extend(results)


class MemoryChannel(Channel):
    def send(self, message: OutgoingMessage) -> DeliveryResult:
        pending = scripts.get(self.kind)
        result = pending.pop(0) if pending else DeliveryResult.sent(f"memory-{uuid.uuid4().hex}")
        if result.ok:
            outbox.append(message)
        return result
