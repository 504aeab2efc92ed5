"""Background delivery. Tasks take ids and are idempotent: running one twice never sends twice."""

from __future__ import annotations

import logging

from django_tasks import task

from . import services

log = logging.getLogger(__name__)


@task()
def deliver_message(message_id: int) -> str | None:
    try:
        return services.deliver(message_id)
    except Exception:
        # The message stays due (its lease expires) and the retry command tries again.
        log.exception("message %s: delivery failed", message_id)
        return None
