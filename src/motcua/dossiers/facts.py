"""From dossiers and their events to the facts of indicator 2.1 (``timeliness.DossierFacts``), in bulk: read by
the dossier pages and the control sheet (``workflow.classification``) and by the statistics (``motcua.stats``).

The dossier row gives the end instants (``processing_ended_at``, ``returned_at``, ``stopped_at``); the
event log gives what the row does not keep: the supplement requests after acceptance and their
completion (status 5 and the status that follows) with the date the dossier's clock gave then (the
``due_at`` of the ``restarted`` / ``resumed`` clock event: the date the officer is shown, and the one the
dossier is judged by), the promised date of the receipt (the ``due_at`` of the creation or code-assignment
event, before any supplement restart), apologies. Deadlines come from
``motcua.calendars`` only (``get_calendar(agency).due_seconds``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef

from motcua.accounts.models import OrgUnit
from motcua.calendars.clock import Calendar, from_seconds, to_seconds
from motcua.calendars.selectors import get_calendar
from motcua.catalogue.models import Procedure, ProcedureVersion

from . import events
from .choices import EventKind, Status
from .models import Dossier, DossierDocument, DossierEvent
from .timeliness import DossierFacts, Supplement

FAR_FUTURE = dt.datetime(2199, 1, 1, tzinfo=dt.UTC)

DOSSIER_FIELDS = ("id", "status", "channel", "receiving_unit_id", "processing_unit_id", "procedure_id",
                  "procedure_version_id", "received_at", "clock_start_at", "due_at", "processing_ended_at",
                  "returned_at", "stopped_at", "fees_due_vnd", "clock")


def parse_instant(value: Any) -> dt.datetime | None:
    """An instant kept in an event's data (ISO 8601 text), or None; used by the readers of the history."""
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


class Context:
    """Caches shared by many dossiers: calendars per processing unit, versions, procedures."""

    def __init__(self) -> None:
        self._calendars: dict[int, Calendar] = {}
        self._versions: dict[int, dict[str, Any]] = {}
        self._procedures: dict[int, str] = {}

    def calendar(self, unit_id: int) -> Calendar:
        if unit_id not in self._calendars:
            unit = OrgUnit.objects.filter(pk=unit_id).select_related("parent").first()
            agency = (unit.agency() or unit) if unit else None
            self._calendars[unit_id] = get_calendar(agency.code if agency else None)
        return self._calendars[unit_id]

    def version(self, version_id: int) -> dict[str, Any]:
        if version_id not in self._versions:
            for v in ProcedureVersion.objects.filter(pk=version_id).values(
                    "id", "legal_time_amount", "legal_time_unit", "target_time_amount", "target_time_unit",
                    "deadline_policy"):
                self._versions[v["id"]] = dict(v)
            self._versions.setdefault(version_id, {})
        return self._versions[version_id]

    def online_mode(self, procedure_id: int) -> str:
        if procedure_id not in self._procedures:
            self._procedures.update(dict(Procedure.objects.values_list("id", "online_mode")))
        return self._procedures.get(procedure_id, "")


def _due(cal: Calendar, start: dt.datetime | None, amount: Decimal | None, unit: str | None,
         policy: str | None) -> dt.datetime | None:
    if start is None or amount is None or not unit:
        return None
    return from_seconds(cal.due_seconds(to_seconds(start), Decimal(amount), unit, policy or "working_hours")[1])


@dataclass
class Built:
    facts: DossierFacts
    target_due: dt.datetime | None
    row: dict[str, Any]
    events: list[dict[str, Any]]


def build(d: dict[str, Any], events: list[dict[str, Any]], ctx: Context) -> Built:
    """``DossierFacts`` of one dossier from its row (``DOSSIER_FIELDS``) and its events (kind, at,
    status_before, status_after, reason, data), in sequence order."""
    cal = ctx.calendar(d["processing_unit_id"])
    received = d["received_at"]
    promised: dt.datetime | None = None
    supplements: list[Supplement] = []
    pending: dt.datetime | None = None
    due_after: dt.datetime | None = None
    done_at = returned_at = stopped_at = None
    for e in events:
        data = e["data"] or {}
        if promised is None and e["kind"] in (EventKind.CREATED, EventKind.CODE_ASSIGNED) and data.get("due_at"):
            promised = parse_instant(data["due_at"])
        if e["kind"] == EventKind.CLOCK and e["reason"] in ("paused", "started") and promised is None:
            # Paused: the date promised before the pause. Started: the date promised when a clock that counts
            # from a later event (a CCHN's evaluation result) started; none was promised at receipt.
            promised = parse_instant(data.get("due_before") if e["reason"] == "paused" else data.get("due_at"))
        if e["kind"] == EventKind.CLOCK and e["reason"] in ("restarted", "resumed") and pending is not None:
            # The date the dossier's own clock gave when the supplement arrived: the one it is judged by.
            due_after = parse_instant(data.get("due_at"))
        if e["kind"] == EventKind.DATES_MOVED and data.get("due_at") and data.get("due_at") != data.get("due_before"):
            # A calendar change moved the date the officer is shown (``follow``): it is the date judged too.
            # A clock paused for a supplement has no date to move; after one, the moved date is the restarted
            # or resumed one; before any, the promised one.
            moved = parse_instant(data["due_at"])
            if pending is not None:
                pass
            elif supplements and supplements[-1].due_after is not None:
                supplements[-1] = dataclasses.replace(supplements[-1], due_after=moved)
            elif promised is not None:
                promised = moved
        if e["kind"] != EventKind.STATUS_CHANGED:
            continue
        after, before = e["status_after"], e["status_before"]
        if after == Status.SUPPLEMENT_REQUESTED and received is not None and e["at"] >= received:
            pending, due_after = e["at"], None
        elif before == Status.SUPPLEMENT_REQUESTED and pending is not None:
            completed = e["at"] if after in (Status.IN_PROGRESS, Status.NEW, Status.RECEIVED) else None
            supplements.append(Supplement(pending, completed, due_after if completed is not None else None))
            pending = due_after = None
        if after == Status.DONE and done_at is None:
            done_at = e["at"]
        elif after == Status.RETURNED and returned_at is None:
            returned_at = e["at"]
        elif after == Status.STOPPED and stopped_at is None:
            stopped_at = e["at"]
    if pending is not None:
        supplements.append(Supplement(pending, None))
    # The row wins when events are missing (imported or generated data).
    stopped_at = d["stopped_at"] or stopped_at
    returned_at = d["returned_at"] or returned_at
    if done_at is None and d["processing_ended_at"] and d["processing_ended_at"] != stopped_at:
        done_at = d["processing_ended_at"]
    if promised is None:
        promised = d["due_at"]
    version = ctx.version(d["procedure_version_id"])
    clock = d["clock"] or {}
    start = d["clock_start_at"] or received
    if clock.get("waits_for") and not clock.get("start"):
        # The time counts from a later event not yet recorded: nothing is due yet, so nothing is late.
        start = None
    elif clock.get("start_event") and start is not None:
        # Counted from that later event: a supplement asked for before it is outside the time counted.
        supplements = [s for s in supplements if s.requested_at >= start]
    legal_due = None
    if promised is None:
        legal_due = _due(cal, start, version.get("legal_time_amount"), version.get("legal_time_unit"),
                         version.get("deadline_policy"))
    target = _due(cal, start, version.get("target_time_amount"), version.get("target_time_unit"),
                  version.get("deadline_policy"))
    facts = DossierFacts(received_at=received, start_at=start, promised_at=promised, legal_due_at=legal_due,
                         done_at=done_at, returned_at=returned_at, stopped_at=stopped_at,
                         supplements=tuple(supplements), calendar=cal)
    return Built(facts, target, d, events)


EVENT_FIELDS = ("dossier_id", "kind", "at", "status_before", "status_after", "reason", "data")
RELEVANT_KINDS = (EventKind.CREATED, EventKind.CODE_ASSIGNED, EventKind.CLOCK, EventKind.DATES_MOVED,
                  EventKind.STATUS_CHANGED, EventKind.FORM_ISSUED)


def _optional_fields() -> tuple[str, ...]:
    names = {f.name for f in Dossier._meta.get_fields()}
    return tuple(n for n in ("paid_online", "digitised_result") if n in names)


def iter_built(dossier_ids: Iterable[int] | None = None, chunk: int = 2000,
               ctx: Context | None = None, pk_range: tuple[int, int] | None = None) -> Iterator[tuple[Built, bool]]:
    """(built facts, reused-data flag) of the given dossiers (all when None), ``chunk`` at a time; with
    ``pk_range`` (low, high), only those with ``low <= pk < high`` (a parallel rebuild's share)."""
    ctx = ctx or Context()
    qs = Dossier.objects.order_by("pk")
    if dossier_ids is not None:
        qs = qs.filter(pk__in=list(dossier_ids))
    if pk_range is not None:
        qs = qs.filter(pk__gte=pk_range[0], pk__lt=pk_range[1])
    qs = qs.annotate(_reused=Exists(DossierDocument.objects.filter(dossier=OuterRef("pk"), reused_digitised=True)))
    fields = (*DOSSIER_FIELDS, *_optional_fields(), "_reused")
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).values(*fields)[:chunk])
        if not rows:
            return
        last = rows[-1]["id"]
        ids = [r["id"] for r in rows]
        by: dict[int, list[dict[str, Any]]] = {}
        for e in (DossierEvent.objects.filter(events.of_page(ids), kind__in=RELEVANT_KINDS)
                  .order_by("dossier_id", "seq").values(*EVENT_FIELDS)):
            by.setdefault(e["dossier_id"], []).append(e)
        for r in rows:
            yield build(r, by.get(r["id"], []), ctx), bool(r["_reused"])


def facts_for(dossier: Dossier) -> tuple[DossierFacts, dt.datetime | None]:
    """The facts of one dossier and its internal target, for ``timeliness.classify`` (dossier pages, control
    sheet)."""
    built, _ = next(iter_built([dossier.pk]))
    return built.facts, built.target_due
