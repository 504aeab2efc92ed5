"""Keeping ``DossierFact`` and ``DailyRollup`` current.

- ``refresh_rollups_for(dossier_ids)`` recomputes the facts of those dossiers and every rollup cell
  (day × receiving unit × processing unit × procedure) they touched before or touch now. A cell is
  always recomputed whole from the facts, so the result is the same as a full recount.
- ``rebuild()`` recomputes everything (``motcua stats rebuild``; after a calendar change, an import).
- The receiver in ``apps.py`` calls ``schedule_refresh`` when a dossier event is saved: the dossier ids
  of a transaction are gathered and refreshed once, after the commit (a failure is logged and never
  undoes the dossier's change; ``motcua stats rebuild`` repairs).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum

from .facts import Context, fact_rows
from .models import DailyRollup, DossierFact

log = logging.getLogger(__name__)

_KEYS = ("receiving_unit_id", "processing_unit_id", "procedure_id")
_LOCK_ID = 766_2021


def _lock() -> None:
    """Serialise rollup writers on PostgreSQL (SQLite writers are serialised already)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _received_side(facts: QuerySet[DossierFact]) -> dict[tuple[Any, ...], dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in facts.values("received_day", *_KEYS).annotate(
            received=Count("pk"), received_online=Count("pk", filter=Q(online=True)),
            received_fully_online=Count("pk", filter=Q(fully_online=True)),
            received_eligible_full=Count("pk", filter=Q(eligible_full=True)),
            received_with_fee=Count("pk", filter=Q(has_fee=True)),
            received_reused=Count("pk", filter=Q(reused_data=True))):
        key = (r.pop("received_day"), *(r.pop(k) for k in _KEYS))
        out.setdefault(key, {}).update(r)
    return out


def _ended_side(facts: QuerySet[DossierFact], out: dict[tuple[Any, ...], dict[str, Any]]) -> None:
    for r in facts.filter(end_day__isnull=False).values("end_day", *_KEYS).annotate(
            ended=Count("pk"), ended_early=Count("pk", filter=Q(end_class="early")),
            ended_on_time=Count("pk", filter=Q(end_class="on_time")),
            ended_late=Count("pk", filter=Q(end_class="late")),
            done=Count("pk", filter=Q(end_kind__in=("done", "returned"))),
            stopped=Count("pk", filter=Q(end_kind="stopped")),
            work_days=Sum("work_days", filter=Q(end_kind__in=("done", "returned"))),
            apologised=Count("pk", filter=Q(apologised=True))):
        key = (r.pop("end_day"), *(r.pop(k) for k in _KEYS))
        r["work_days"] = r["work_days"] or 0.0
        out.setdefault(key, {}).update(r)


def _write_cells(cells: dict[tuple[Any, ...], dict[str, Any]]) -> None:
    rows = [DailyRollup(day=k[0], receiving_unit_id=k[1], processing_unit_id=k[2], procedure_id=k[3], **v)
            for k, v in cells.items()]
    DailyRollup.objects.bulk_create(rows, batch_size=2000)


def _recount(days: set[Any], keys: set[tuple[int, int, int]]) -> None:
    """Recompute every cell of ``days`` × the units and procedures of ``keys`` (a superset of the cells
    touched, each recomputed whole)."""
    if not days or not keys:
        return
    dims = {name: {k[i] for k in keys} for i, name in enumerate(_KEYS)}
    DailyRollup.objects.filter(day__in=days, **{f"{n}__in": v for n, v in dims.items()}).delete()
    base = DossierFact.objects.filter(**{f"{n}__in": v for n, v in dims.items()})
    cells = _received_side(base.filter(received_day__in=days))
    _ended_side(base.filter(end_day__in=days), cells)
    _write_cells(cells)


def _touch(fact: DossierFact, days: set[Any], keys: set[tuple[int, int, int]]) -> None:
    days.add(fact.received_day)
    if fact.end_day:
        days.add(fact.end_day)
    keys.add((fact.receiving_unit_id, fact.processing_unit_id, fact.procedure_id))


def refresh_rollups_for(dossier_ids: Iterable[int]) -> None:
    """Recompute the facts of these dossiers and the rollup cells they touch(ed)."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return
    with transaction.atomic():
        _lock()
        days: set[Any] = set()
        keys: set[tuple[int, int, int]] = set()
        for old in DossierFact.objects.filter(pk__in=ids):
            _touch(old, days, keys)
        DossierFact.objects.filter(pk__in=ids).delete()
        new = list(fact_rows(ids))
        for fact in new:
            _touch(fact, days, keys)
        DossierFact.objects.bulk_create(new, batch_size=1000)
        _recount(days, keys)


def rebuild(progress: Any = None, batch: int = 5000) -> int:
    """Recompute every fact and every rollup cell; returns the number of facts."""
    with transaction.atomic():
        _lock()
        DailyRollup.objects.all().delete()
        DossierFact.objects.all().delete()
        ctx = Context()
        buffer: list[DossierFact] = []
        count = 0
        for fact in fact_rows(None, ctx):
            buffer.append(fact)
            if len(buffer) >= batch:
                DossierFact.objects.bulk_create(buffer)
                count += len(buffer)
                buffer.clear()
                if progress:
                    progress(count)
        DossierFact.objects.bulk_create(buffer)
        count += len(buffer)
        cells = _received_side(DossierFact.objects.all())
        _ended_side(DossierFact.objects.all(), cells)
        _write_cells(cells)
    return count


# --- the hook -----------------------------------------------------------------------------------------

def schedule_refresh(dossier_id: int) -> None:
    """Refresh this dossier once the current transaction commits (at once outside a transaction). The
    ids of one transaction are gathered into one refresh."""
    if not connection.in_atomic_block:
        _run([dossier_id])
        return
    for entry in connection.run_on_commit:
        func = entry[1]
        if isinstance(func, _Flush) and not func.ran:
            func.ids.add(dossier_id)
            return
    transaction.on_commit(_Flush({dossier_id}), robust=True)


class _Flush:
    def __init__(self, ids: set[int]) -> None:
        self.ids = ids
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        _run(sorted(self.ids))


def _run(ids: list[int]) -> None:
    try:
        refresh_rollups_for(ids)
    except Exception:  # the dossier's change stands; ``motcua stats rebuild`` repairs the statistics
        log.exception("stats: refresh of dossiers %s failed", ids[:20])
