"""Development channels: print the message, or append it as a JSON line to ``VAR_DIR/outbox/<kind>.jsonl``.

The console or the file is where the message ends, and no provider will ever send a receipt, so both
report the message *delivered* at once: a developer sees the delivery record a real provider's receipt
would produce.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .base import Channel, DeliveryResult, OutgoingMessage


def _record(message: OutgoingMessage, provider_id: str) -> dict[str, object]:
    return {
        "provider_id": provider_id,
        "at": timezone.now().isoformat(),
        "message_id": message.message_id,
        "channel": message.channel,
        "to": message.to,
        "name": message.recipient_name,
        "key": message.key,
        "language": message.language,
        "subject": message.subject,
        "body": message.body,
    }


class ConsoleChannel(Channel):
    def send(self, message: OutgoingMessage) -> DeliveryResult:
        provider_id = f"console-{uuid.uuid4().hex}"
        stream = self.options.get("STREAM") or sys.stdout
        stream.write(json.dumps(_record(message, provider_id), ensure_ascii=False, indent=2) + "\n")
        stream.flush()
        return DeliveryResult.delivered(provider_id)


class FileChannel(Channel):
    """OPTIONS: ``DIR`` (default ``settings.VAR_DIR / "outbox"``). One file per channel kind."""

    def directory(self) -> Path:
        configured = self.options.get("DIR")
        return Path(configured) if configured else Path(settings.VAR_DIR) / "outbox"

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        provider_id = f"file-{uuid.uuid4().hex}"
        directory = self.directory()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"{self.kind}.jsonl"
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(_record(message, provider_id), ensure_ascii=False) + "\n")
        except OSError as exc:
            return DeliveryResult.transient(f"cannot write the outbox: {exc}")
        return DeliveryResult.delivered(provider_id, {"file": str(path)})
