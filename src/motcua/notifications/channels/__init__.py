"""Channels: email (Django's mail backends), SMS and Zalo adapters, console/file/memory for development.

``get_channel(kind)`` builds the adapter configured for ``kind`` in ``MOTCUA_NOTIFY_CHANNELS``.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from .. import conf
from .base import Channel, DeliveryResult, OutgoingMessage, Receipt

__all__ = ["Channel", "DeliveryResult", "OutgoingMessage", "Receipt", "configured_kinds", "get_channel"]


def configured_kinds() -> list[str]:
    return list(conf.channels())


def get_channel(kind: str) -> Channel | None:
    config = conf.channels().get(kind)
    if not config:
        return None
    backend = import_string(config["BACKEND"])
    channel: Channel = backend(kind, config.get("OPTIONS") or {})
    return channel
