"""Background work of the dossier app. Tasks take ids, are idempotent and call services or hooks.

``NOTIFIERS`` is the hook for the notifications app (not built yet): each callable gets the dossier id
and the event id of a status change and sends the real-time notice of Decree 224/2026 Art. 15.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django_tasks import task

log = logging.getLogger(__name__)

NOTIFIERS: list[Callable[[int, int], None]] = []


@task()
def notify_status_change(dossier_id: int, event_id: int) -> None:
    for notifier in NOTIFIERS:
        notifier(dossier_id, event_id)
    log.info("dossier %s: status change event %s ready for notification", dossier_id, event_id)


_state = threading.local()


@contextmanager
def muted() -> Iterator[None]:
    """No notification is enqueued inside (the demo's backdated history must not message anyone)."""
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = False


def enqueue_notification(dossier_id: int, event_id: int) -> None:
    if getattr(_state, "muted", False):
        return
    notify_status_change.enqueue(dossier_id, event_id)
