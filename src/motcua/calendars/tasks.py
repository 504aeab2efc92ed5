"""Background work of the calendar: recompute the open deadlines after a calendar change."""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def recompute_deadlines_task(dates: list[str] | None = None) -> int:
    """Recompute the open deadlines affected by a change on ``dates`` (ISO dates; None: all of them).

    Idempotent: a second run finds nothing left to move.
    """
    from . import services

    days = [dt.date.fromisoformat(d) for d in dates] if dates is not None else None
    moved = services.recompute_deadlines(days)
    logger.info("Calendar change on %s: %d open deadlines moved", dates or "all dates", moved)
    return moved
