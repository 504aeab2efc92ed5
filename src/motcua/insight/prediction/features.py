"""What the lateness model sees of a dossier at an instant, and only what was known at that instant.

A **snapshot** is a dossier as it stood at an instant ``at`` of its life while it was being processed (its
clock running: not waiting for a supplement, not ended). Its features:

- ``procedure``, ``channel``: what it is and how it came (categories);
- ``officer``: who holds the step it waits on (a category: some officers are slower than others);
- ``legal_days``: the legal time, in working days; ``share_used``: the share of it used at ``at``;
  ``left_days``: the working time left before the date it is judged by (``timeliness.classify`` at ``at``:
  the promised date, moved as a supplement moved it), from the calendars clock;
- ``step_order``, ``step_wait_days``: the step it waits on and for how long it has waited (working days);
- ``officer_load``, ``unit_load``, ``agency_load``: the open steps of that officer, of the step's unit, and
  the dossiers being processed by the agency at ``at``;
- ``month`` (local), ``supplements`` (requests so far), ``consultations`` (requests for an opinion open).

Its **label** (history only): whether the dossier ended late by the one rule (``timeliness.classify`` at the
end, ``Outcome.LATE``), and the working time from ``at`` to the end of processing (for the expected finish).
Its **rule** flag is the fixed rule the queues used before (less than one working day left: the statistics'
``risk_at``), measured on the same snapshots by the benchmark.

Training takes the snapshots of the dossiers that ended with a result at fixed shares of their legal time
(``FRACTIONS``); scoring takes each open dossier at the present instant.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from motcua.calendars.clock import HOUR, Calendar, from_seconds, to_seconds
from motcua.dossiers import timeliness
from motcua.dossiers.facts import FAR_FUTURE, Built, Context, iter_built
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow.models import Consultation, ProcessingStep

FEATURES = ("procedure", "officer", "channel", "legal_days", "share_used", "left_days", "step_order",
            "step_wait_days", "officer_load", "unit_load", "agency_load", "month", "supplements", "consultations")
CATEGORICAL = ("procedure", "officer", "channel")
# The instants of a dossier's life taken for training: these shares of its legal time after its clock started.
FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9)
NEVER = 2**62


@dataclass
class StepRow:
    order: int
    name: str
    unit_id: int | None
    actor_id: int | None
    started: int | None  # seconds (calendars.clock)
    ended: int | None


@dataclass
class History:
    """What is known of one dossier: its facts (indicator 2.1), its row, steps and requests for an opinion."""

    built: Built
    steps: list[StepRow] = field(default_factory=list)
    consultations: list[tuple[int, int | None]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.built.row["id"])


class Loads:
    """How many intervals of each key are open at an instant: starts and ends kept sorted per key."""

    def __init__(self) -> None:
        self.starts: dict[Any, list[int]] = {}
        self.ends: dict[Any, list[int]] = {}

    def add(self, key: Any, start: int | None, end: int | None) -> None:
        if key is None or start is None:
            return
        self.starts.setdefault(key, []).append(start)
        self.ends.setdefault(key, []).append(end if end is not None else NEVER)

    def freeze(self) -> Loads:
        for v in (*self.starts.values(), *self.ends.values()):
            v.sort()
        return self

    def at(self, key: Any, t: int) -> int:
        if key not in self.starts:
            return 0
        return bisect.bisect_right(self.starts[key], t) - bisect.bisect_right(self.ends[key], t)


@dataclass
class LoadIndex:
    officer: Loads
    unit: Loads
    agency: Loads


def load_index(histories: Iterable[History]) -> LoadIndex:
    """The loads of officers, units and agencies over the given histories (for the present instant it is
    enough to give the open dossiers: the closed ones add and remove nothing then)."""
    officer, unit, agency = Loads(), Loads(), Loads()
    for h in histories:
        f = h.built.facts
        start = _s(f.received_at)
        end = _s(f.done_at or f.returned_at or f.stopped_at)
        agency.add(h.built.row["processing_unit_id"], start, end)
        for s in h.steps:
            officer.add(s.actor_id, s.started, s.ended)
            unit.add(s.unit_id, s.started, s.ended)
    return LoadIndex(officer.freeze(), unit.freeze(), agency.freeze())


def _s(moment: dt.datetime | None) -> int | None:
    return to_seconds(moment) if moment is not None else None


def histories(dossier_ids: Iterable[int] | None = None, *, q: Q | None = None, chunk: int = 2000,
              ctx: Context | None = None) -> Iterator[History]:
    """The histories of the given dossiers (or those matching ``q``), ``chunk`` at a time, in three queries per
    chunk (dossiers with events, steps, requests for an opinion)."""
    ctx = ctx or Context()
    if dossier_ids is None:
        qs = Dossier.objects.filter(received_at__isnull=False)
        if q is not None:
            qs = qs.filter(q)
        dossier_ids = qs.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10_000)
    batch: list[int] = []
    for pk in dossier_ids:
        batch.append(pk)
        if len(batch) >= chunk:
            yield from _histories(batch, chunk, ctx)
            batch = []
    if batch:
        yield from _histories(batch, chunk, ctx)


def _histories(ids: list[int], chunk: int, ctx: Context) -> Iterator[History]:
    steps: dict[int, list[StepRow]] = {}
    for r in (ProcessingStep.objects.filter(dossier_id__in=ids, part__isnull=True)
              .values_list("dossier_id", "order", "name", "unit_id", "actor_id", "started_at", "ended_at")):
        steps.setdefault(r[0], []).append(StepRow(r[1], r[2], r[3], r[4], _s(r[5]), _s(r[6])))
    asked: dict[int, list[tuple[int, int | None]]] = {}
    for c in Consultation.objects.filter(dossier_id__in=ids).values_list("dossier_id", "asked_at", "answered_at"):
        asked.setdefault(c[0], []).append((to_seconds(c[1]), _s(c[2])))
    for built, _reused in iter_built(ids, chunk=chunk, ctx=ctx):
        pk = built.row["id"]
        if built.facts.received_at is None:
            continue
        yield History(built, sorted(steps.get(pk, []), key=lambda s: (s.order, s.started or 0)), asked.get(pk, []))


@dataclass
class Snapshot:
    dossier_id: int
    at: dt.datetime
    received_at: dt.datetime
    values: dict[str, Any]
    rule: bool  # the fixed rule: less than one working day left
    late: bool | None = None  # history only
    remaining_seconds: int | None = None  # working seconds from ``at`` to the end of processing (history only)
    step_name: str = ""


def _working(cal: Calendar, a: int, b: int) -> int:
    return cal.working_seconds_between(a, b) if b >= a else -cal.working_seconds_between(b, a)


def snapshot(h: History, at: dt.datetime, loads: LoadIndex) -> Snapshot | None:
    """``h`` as it stood at ``at``, or None when its clock was not running then (not yet started, ended,
    waiting for a supplement)."""
    facts, cal = h.built.facts, h.built.facts.calendar
    assert cal is not None
    if facts.start_at is None or facts.received_at is None or at < facts.start_at:
        return None
    c = timeliness.classify(facts, at, None)
    if not c.counted or c.end_kind != timeliness.EndKind.OPEN or c.deadline_at is None:
        return None
    t = to_seconds(at)
    day = float(cal.hours_per_day) * HOUR
    promised = facts.promised_at or facts.legal_due_at
    legal = max(HOUR, cal.working_seconds_between(to_seconds(facts.start_at), to_seconds(promised or c.deadline_at)))
    left = _working(cal, t, to_seconds(c.deadline_at))
    current = None
    for s in h.steps:
        if s.started is not None and s.started <= t and (s.ended is None or s.ended > t):
            current = s
    row = h.built.row
    values: dict[str, Any] = {
        "procedure": row["procedure_id"], "officer": current.actor_id if current else None,
        "channel": row["channel"], "legal_days": legal / day, "share_used": 1 - left / legal,
        "left_days": left / day, "step_order": current.order if current else 0,
        "step_wait_days": (_working(cal, current.started, t) / day) if current and current.started else 0.0,
        "officer_load": loads.officer.at(current.actor_id, t) if current and current.actor_id else 0,
        "unit_load": loads.unit.at(current.unit_id, t) if current and current.unit_id else 0,
        "agency_load": loads.agency.at(row["processing_unit_id"], t),
        "month": timezone.localtime(at).month, "supplements": c.supplement_requests,
        "consultations": sum(1 for a, b in h.consultations if a <= t and (b is None or b > t)),
    }
    return Snapshot(h.id, at, facts.received_at, values, rule=left < day,
                    step_name=current.name if current else "")


def training_snapshots(hs: Iterable[History], loads: LoadIndex) -> Iterator[Snapshot]:
    """The snapshots of the dossiers that ended with a result (done or returned), labelled."""
    for h in hs:
        facts, cal = h.built.facts, h.built.facts.calendar
        assert cal is not None
        final = timeliness.classify(facts, FAR_FUTURE, None)
        if not final.counted or final.end_kind not in (timeliness.EndKind.DONE, timeliness.EndKind.RETURNED):
            continue
        end = facts.done_at or facts.returned_at
        if end is None or facts.start_at is None:
            continue
        start = to_seconds(facts.start_at)
        promised = facts.promised_at or facts.legal_due_at or final.deadline_at
        if promised is None:
            continue
        legal = cal.working_seconds_between(start, to_seconds(promised))
        for fraction in FRACTIONS:
            at_s = cal.add_working_seconds(start, max(1, int(legal * fraction)))
            at = from_seconds(at_s)
            if at >= end:
                break
            snap = snapshot(h, at, loads)
            if snap is None:
                continue
            snap.late = final.outcome == timeliness.Outcome.LATE
            snap.remaining_seconds = max(0, cal.working_seconds_between(at_s, to_seconds(end)))
            yield snap


def matrix(snaps: list[Snapshot], categories: dict[str, dict[Any, int]]) -> list[list[float]]:
    """The feature rows in ``FEATURES`` order; a category not seen in training is missing (NaN)."""
    out = []
    for s in snaps:
        row = []
        for name in FEATURES:
            v = s.values[name]
            if name in CATEGORICAL:
                code = categories.get(name, {}).get(v)
                row.append(float(code) if code is not None else math.nan)
            else:
                row.append(float(v))
        out.append(row)
    return out
