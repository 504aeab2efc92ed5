"""Revision tokens: one row per cache, whose token every change of what the cache holds replaces.

A process keeps what it read with the token it read first; a different token means stale. The token is
random, not a counter, so a rolled-back transaction never hands out a token another change will reuse,
and it is written in the writer's transaction, so the change and the new token commit together. Used by
the calendar (``calendars.CalendarRevision``) and the catalogue's receipt cache
(``catalogue.CatalogueRevision``); each model has a ``token`` field and one row, pk 1.
"""

from __future__ import annotations

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
