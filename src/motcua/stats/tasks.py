"""Background work of the statistics. Tasks take ids and are idempotent: a refresh recomputes the facts and
the rollup cells of its dossiers whole, so running it twice gives the same figures."""

from __future__ import annotations

import logging

from django_tasks import task

from motcua.dossiers.choices import EventKind
from motcua.dossiers.dispatch import Event
from motcua.dossiers.models import PendingDispatch

from .rollups import refresh_rollups_for

log = logging.getLogger(__name__)

HANDLER = "stats.refresh"
# Events that change nothing the statistics read.
IGNORED_KINDS = frozenset({EventKind.PERSONAL_DATA_VIEWED})
KINDS = frozenset(k for k in EventKind.values if k not in IGNORED_KINDS)


@task()
def refresh_dossiers(dossier_ids: list[int]) -> None:
    try:
        refresh_rollups_for(sorted(set(dossier_ids)))
    except Exception:  # the dossier's change stands; ``motcua stats rebuild`` repairs the statistics
        log.exception("stats: refresh of dossiers %s failed", dossier_ids[:20])


def on_dossier_event(event: Event) -> None:
    """The dispatcher's handler: refresh the event's dossier off the request, as a task. Of the events of a
    dossier still waiting (one transaction's), only the last one enqueues: it refreshes for them all."""
    later = PendingDispatch.objects.filter(handler=HANDLER, event__dossier_id=event.dossier_id, event_id__gt=event.id)
    if not later.exists():
        refresh_dossiers.enqueue([event.dossier_id])
