"""Revision tokens: one row per cache, whose token every change of what the cache holds replaces.

A process keeps what it read with the token it read first; a different token means stale. The token is
random, not a counter, so a rolled-back transaction never hands out a token another change will reuse,
and it is written in the writer's transaction, so the change and the new token commit together. Used by
the calendar (``calendars.CalendarRevision``) and the catalogue's receipt cache
(``catalogue.CatalogueRevision``); each model has a ``token`` field and one row, pk 1.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any


def read(model: Any) -> str:
    """The current token ("" before the first change)."""
    return model.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def bump(model: Any) -> None:
    """Replace the token, in the caller's transaction."""
    token = uuid.uuid4().hex
    if not model.objects.filter(pk=1).update(token=token):
        model.objects.update_or_create(pk=1, defaults={"token": token})


class Cache:
    """Answers kept per process under a revision token (or a tuple of them): an entry made under an older token is
    never returned. Callers read the token before the rows, so a change committed in between leaves an entry
    under the old token, which the next call replaces. Emptied when full. The values are shared: callers only
    read them. Used by the catalogue's receipts, listings and pages, and by ``core.pagecache``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: dict[Any, tuple[Any, Any]] = {}

    def get(self, key: Any, token: Any) -> Any | None:
        with self.lock:
            hit = self.entries.get(key)
        return hit[1] if hit is not None and hit[0] == token else None

    def put(self, key: Any, token: Any, value: Any) -> None:
        with self.lock:
            if len(self.entries) >= self.size:
                self.entries.clear()
            self.entries[key] = (token, value)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)
