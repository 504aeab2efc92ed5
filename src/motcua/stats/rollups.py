"""Keeping ``DossierFact``, the rollups and the month-end snapshots current.

- ``refresh_rollups_for(dossier_ids)`` recomputes the facts of those dossiers; every daily rollup cell
  (day × receiving unit × processing unit × procedure) they touched before or touch now is recomputed
  whole from the facts, and each month containing such a day from its days, so the result is the same
  as a full recount. The month-end snapshots of open dossiers get each changed dossier's difference
  (its state at each kept month end after the change minus before it: ``kpi.open_state``).
- ``rebuild()`` recomputes everything (``motcua stats rebuild``; after a calendar change, an import).
- The dossier dispatcher's handler (``tasks.on_dossier_event``, registered in ``apps.py``) enqueues
  ``tasks.refresh_dossiers`` after the commit that appended a dossier event, once per transaction and
  dossier; it runs on the tasks backend, off the officer's request (a failure is logged and never undoes
  the dossier's change; ``motcua stats rebuild`` repairs).

Which month ends are kept (``SnapshotMonth``): after a rebuild, every month end from the month of the
oldest fact to the current month; a refresh in a later month first adds the missing month ends up to
its own (counted once from the facts). A month end before the first kept one is counted from the facts
when asked (``kpi.open_counts``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from motcua.core import bulk, forked
from motcua.dossiers.models import Dossier

from . import kpi
from .facts import Context, fact_rows
from .models import DailyRollup, DossierFact, MonthlyRollup, OpenSnapshot, SnapshotMonth

log = logging.getLogger(__name__)

_KEYS = ("receiving_unit_id", "processing_unit_id", "procedure_id")
_LOCK_ID = 766_2021
# What the snapshots need of a fact (``kpi.open_state``) and where its cell is.
SNAPSHOT_FIELDS = (*_KEYS, "received_day", "received_at", "end_at", "end_day", "supp1_req_at", "supp1_done_at",
                   "supp2_req_at", "promised_at", "deadline_shifted", "risk_at")

Cell = tuple[Any, ...]


def _lock() -> None:
    """Serialise rollup writers on PostgreSQL (SQLite writers are serialised already)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


# --- daily and monthly rollups ------------------------------------------------------------------------

def _received_side(facts: QuerySet[DossierFact]) -> dict[Cell, dict[str, Any]]:
    out: dict[Cell, dict[str, Any]] = {}
    for r in facts.values("received_day", *_KEYS).annotate(
            received=Count("pk"), received_online=Count("pk", filter=Q(online=True)),
            received_fully_online=Count("pk", filter=Q(fully_online=True)),
            received_eligible_full=Count("pk", filter=Q(eligible_full=True)),
            received_with_fee=Count("pk", filter=Q(has_fee=True)),
            received_reused=Count("pk", filter=Q(reused_data=True)),
            received_from_store=Count("pk", filter=Q(from_store=True)),
            received_paid_online=Count("pk", filter=Q(has_fee=True, paid_online=True))):
        key = (r.pop("received_day"), *(r.pop(k) for k in _KEYS))
        out.setdefault(key, {}).update(r)
    return out


def _ended_side(facts: QuerySet[DossierFact], out: dict[Cell, dict[str, Any]]) -> None:
    for r in facts.filter(end_day__isnull=False).values("end_day", *_KEYS).annotate(
            ended=Count("pk"), ended_early=Count("pk", filter=Q(end_class="early")),
            ended_on_time=Count("pk", filter=Q(end_class="on_time")),
            ended_late=Count("pk", filter=Q(end_class="late")),
            done=Count("pk", filter=Q(end_kind__in=("done", "returned"))),
            stopped=Count("pk", filter=Q(end_kind="stopped")),
            work_days=Sum("work_days", filter=Q(end_kind__in=("done", "returned"))),
            apologised=Count("pk", filter=Q(apologised=True)),
            ended_result=Count("pk", filter=Q(end_kind__in=("done", "returned"), e_result__isnull=False)),
            ended_e_result=Count("pk", filter=Q(end_kind__in=("done", "returned"), e_result=True)),
            ended_digitised=Count("pk", filter=Q(end_kind__in=("done", "returned"), digitised=True)),
            ended_with_target=Count("pk", filter=Q(within_target__isnull=False)),
            ended_within_target=Count("pk", filter=Q(within_target=True))):
        key = (r.pop("end_day"), *(r.pop(k) for k in _KEYS))
        r["work_days"] = r["work_days"] or 0.0
        out.setdefault(key, {}).update(r)


def _cell_row(first: str, key: Cell, counters: dict[str, Any]) -> dict[str, Any]:
    row = {first: key[0], "receiving_unit_id": key[1], "processing_unit_id": key[2], "procedure_id": key[3]}
    row.update({name: counters.get(name, 0) for name in DailyRollup.COUNTERS})
    return row


def _write_days(cells: dict[Cell, dict[str, Any]]) -> None:
    bulk.insert_rows(DailyRollup, [_cell_row("day", k, v) for k, v in cells.items()])


def _write_months(cells: dict[Cell, dict[str, Any]]) -> None:
    """Sum day cells into month cells and write them (the caller deleted the months' old cells)."""
    months: dict[Cell, dict[str, Any]] = {}
    # In the order of the days: float sums (working days) then come out the same however the cells came.
    for (day, *rest), counters in sorted(cells.items(), key=lambda item: item[0]):
        cell = months.setdefault((day.replace(day=1), *rest), {})
        for name in DailyRollup.COUNTERS:
            cell[name] = cell.get(name, 0) + (counters.get(name) or 0)
    bulk.insert_rows(MonthlyRollup, [_cell_row("month", k, v) for k, v in months.items()])


def _dims(keys: set[Cell]) -> dict[str, set[Any]]:
    return {f"{name}__in": {k[i] for k in keys} for i, name in enumerate(_KEYS)}


def _recount(days: set[dt.date], keys: set[Cell]) -> None:
    """Recompute every daily cell of ``days`` × the units and procedures of ``keys`` (a superset of the
    cells touched, each recomputed whole), then every monthly cell of their months from its days."""
    if not days or not keys:
        return
    dims = _dims(keys)
    DailyRollup.objects.filter(day__in=days, **dims).delete()
    base = DossierFact.objects.filter(**dims)
    cells = _received_side(base.filter(received_day__in=days))
    _ended_side(base.filter(end_day__in=days), cells)
    _write_days(cells)
    month_q = Q()
    for month in {d.replace(day=1) for d in days}:
        month_q |= Q(day__gte=month, day__lte=kpi.month_end(month))
    MonthlyRollup.objects.filter(month__in={d.replace(day=1) for d in days}, **dims).delete()
    fields = ("day", *_KEYS)
    whole = {tuple(r[f] for f in fields): r for r in
             DailyRollup.objects.filter(month_q, **dims).values(*fields, *DailyRollup.COUNTERS)}
    _write_months(whole)


# --- month-end snapshots of open dossiers ---------------------------------------------------------------

def _month_ends(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = kpi.month_end(first)
    while day <= last:
        yield day
        day = kpi.month_end(day + dt.timedelta(days=1))


def _kept() -> tuple[dt.date | None, dt.date | None]:
    r = SnapshotMonth.objects.aggregate(first=Min("day"), last=Max("day"))
    return r["first"], r["last"]


def _count_month_end(day: dt.date) -> None:
    """Write the snapshot of ``day`` (a month end) counted from the facts, and keep it."""
    counts = kpi.open_counts(kpi.Scope(), day, _KEYS)
    bulk.insert_rows(OpenSnapshot, [{"day": day, **dict(zip(_KEYS, key, strict=True)), **v}
                                    for key, v in counts.items()])
    SnapshotMonth.objects.create(day=day)


def _extend_kept(today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Keep every month end up to this month's: those missing since the last kept one are counted once.
    With none kept yet (no rebuild since the tables appeared) only this month's end is started. Returns the
    first and last month ends kept now."""
    first, last = _kept()
    start = today if last is None else last + dt.timedelta(days=1)
    for day in _month_ends(start, kpi.month_end(today)):
        _count_month_end(day)
        first, last = first or day, day
    return first, last


def _contributions(fact: dict[str, Any], first: dt.date, last: dt.date, sign: int,
                   into: dict[Cell, list[int]]) -> None:
    """Add ``sign`` × the fact's (open, overdue, at risk) at each kept month end it may be open at."""
    if fact["received_day"] > last:
        return
    stop = last if fact["end_day"] is None else min(last, fact["end_day"])
    key = tuple(fact[k] for k in _KEYS)
    for day in _month_ends(max(first, fact["received_day"]), stop):
        state = kpi.open_state(fact, kpi.end_instant(day))
        if state[0]:
            cell = into.setdefault((day, *key), [0, 0, 0])
            for i in range(3):
                cell[i] += sign * state[i]


def _apply(deltas: dict[Cell, list[int]]) -> None:
    for (day, *key), (n, late, risk) in deltas.items():
        if not (n or late or risk):
            continue
        where = {"day": day, **dict(zip(_KEYS, key, strict=True))}
        changed = OpenSnapshot.objects.filter(**where).update(
            in_progress=F("in_progress") + n, overdue=F("overdue") + late, at_risk=F("at_risk") + risk)
        if not changed:
            OpenSnapshot.objects.create(**where, in_progress=n, overdue=late, at_risk=risk)


# --- the entry points -----------------------------------------------------------------------------------

def _touch(fact: dict[str, Any], days: set[dt.date], keys: set[Cell]) -> None:
    days.add(fact["received_day"])
    if fact["end_day"]:
        days.add(fact["end_day"])
    keys.add(tuple(fact[k] for k in _KEYS))


def refresh_rollups_for(dossier_ids: Iterable[int]) -> None:
    """Recompute the facts of these dossiers, the rollup cells and the snapshots they touch(ed)."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return
    with transaction.atomic():
        _lock()
        first, last = _extend_kept(timezone.localdate())
        days: set[dt.date] = set()
        keys: set[Cell] = set()
        deltas: dict[Cell, list[int]] = {}
        for old in DossierFact.objects.filter(pk__in=ids).values(*SNAPSHOT_FIELDS):
            _touch(old, days, keys)
            if first is not None and last is not None:
                _contributions(old, first, last, -1, deltas)
        DossierFact.objects.filter(pk__in=ids).delete()
        new = list(fact_rows(ids))
        for fact in new:
            _touch(fact, days, keys)
            if first is not None and last is not None:
                _contributions(fact, first, last, 1, deltas)
        bulk.insert_rows(DossierFact, new)
        _recount(days, keys)
        _apply(deltas)


def rebuild(progress: Any = None, batch: int = 5000, workers: int = 1) -> int:
    """Recompute every fact, rollup cell and snapshot; returns the number of facts.

    With ``workers`` > 1 on PostgreSQL, outside a transaction, the facts are computed by that many forked
    processes, each over its own range of dossier ids, and each batch is committed as it is written: the
    rebuild is then not one transaction (the statistics read empty or partial until it ends, and a failure
    leaves them so until the next rebuild), so it is for a bulk load or a repair on a database nobody
    reads meanwhile (``motcua generate``, ``motcua stats rebuild --workers``). The rollups and snapshots are
    written at the end, in one transaction, as in the single-process rebuild."""
    if workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _rebuild_forked(progress, batch, workers)
    with transaction.atomic():
        _lock()
        _clear()
        horizon = kpi.month_end(timezone.localdate())
        snapshots: dict[Cell, list[int]] = {}
        count, oldest = _write_facts(fact_rows(None, Context()), horizon, snapshots, batch, progress)
        _summarise(oldest, horizon, snapshots)
    return count


def _clear() -> None:
    for model in (OpenSnapshot, SnapshotMonth, MonthlyRollup, DailyRollup, DossierFact):
        model.objects.all().delete()


def _write_facts(rows: Iterable[dict[str, Any]], horizon: dt.date, snapshots: dict[Cell, list[int]], batch: int,
                 progress: Any) -> tuple[int, dt.date]:
    """Write the facts ``batch`` at a time, adding each one's month-end states to ``snapshots``; return how
    many were written and the oldest received day (today when none)."""
    oldest = timezone.localdate()
    buffer: list[dict[str, Any]] = []
    count = 0
    for fact in rows:
        oldest = min(oldest, fact["received_day"])
        _contributions(fact, dt.date.min, horizon, 1, snapshots)
        buffer.append(fact)
        if len(buffer) >= batch:
            count += bulk.insert_rows(DossierFact, buffer)
            buffer.clear()
            if progress:
                progress(count)
    count += bulk.insert_rows(DossierFact, buffer)
    if progress:
        progress(count)
    return count, oldest


def _summarise(oldest: dt.date, horizon: dt.date, snapshots: dict[Cell, list[int]]) -> None:
    """Write the rollups (counted from the facts in SQL), the kept month ends and the snapshots."""
    cells = _received_side(DossierFact.objects.all())
    _ended_side(DossierFact.objects.all(), cells)
    _write_days(cells)
    _write_months(cells)
    kept = list(_month_ends(oldest, horizon))
    bulk.insert_rows(SnapshotMonth, [{"day": d} for d in kept])
    bulk.insert_rows(OpenSnapshot, [{"day": k[0], **dict(zip(_KEYS, k[1:], strict=True)), "in_progress": v[0],
                                     "overdue": v[1], "at_risk": v[2]}
                                    for k, v in snapshots.items() if any(v)])


def _rebuild_forked(progress: Any, batch: int, workers: int) -> int:
    with transaction.atomic():
        _lock()
        _clear()
    horizon = kpi.month_end(timezone.localdate())
    bounds = Dossier.objects.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"] or 0, (bounds["high"] or 0) + 1
    step = -(-(high - low) // workers)
    ranges = [(low + i * step, min(high, low + (i + 1) * step)) for i in range(workers)]
    done = 0

    def job(pk_range: tuple[int, int]) -> forked.Job:
        def work(report: forked.Report) -> None:
            seen = 0

            def tell(count: int) -> None:
                nonlocal seen
                report("facts", count - seen)
                seen = count

            snapshots: dict[Cell, list[int]] = {}
            count, oldest = _write_facts(fact_rows(None, Context(), pk_range=pk_range), horizon, snapshots, batch,
                                         tell)
            report("result", (count, oldest, snapshots))
        return work

    def tally(kind: str, value: int) -> None:
        nonlocal done
        done += value
        if progress:
            progress(done)

    results = forked.run([job(r) for r in ranges], tally)
    snapshots: dict[Cell, list[int]] = {}
    for _, _, part in results:
        for key, (n, late, risk) in part.items():
            cell = snapshots.setdefault(key, [0, 0, 0])
            cell[0] += n
            cell[1] += late
            cell[2] += risk
    with transaction.atomic():
        _lock()
        _summarise(min(r[1] for r in results), horizon, snapshots)
    return sum(r[0] for r in results)
