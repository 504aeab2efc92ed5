"""Background work of the dossier app. Tasks take ids, are idempotent and call services or hooks.

``NOTIFIERS`` is the hook for the notifications app (not built yet): each callable gets the dossier id
and the event id of a status change and sends the real-time notice of Decree 224/2026 Art. 15.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django_tasks import task

log = logging.getLogger(__name__)

NOTIFIERS: list[Callable[[int, int], None]] = []


@task()
def notify_status_change(dossier_id: int, event_id: int) -> None:
    for notifier in NOTIFIERS:
        notifier(dossier_id, event_id)
    log.info("dossier %s: status change event %s ready for notification", dossier_id, event_id)


def enqueue_notification(dossier_id: int, event_id: int) -> None:
    notify_status_change.enqueue(dossier_id, event_id)
