"""From dossiers and their events to ``rules.DossierFacts`` and ``DossierFact`` rows, in bulk.

The dossier row gives the end instants (``processing_ended_at``, ``returned_at``, ``stopped_at``); the
event log gives what the row does not keep: the supplement requests after acceptance and their
completion (status 5 and the status that follows), the promised date of the receipt (the ``due_at`` of
the creation or code-assignment event, before any supplement restart), apologies. Deadlines come from
``motcua.calendars`` only (``get_calendar(agency).due_seconds``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from motcua.accounts.models import OrgUnit
from motcua.calendars.clock import HOUR, Calendar, from_seconds, to_seconds
from motcua.calendars.selectors import get_calendar
from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.dossiers.choices import Channel, EventKind, Status
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent

from .rules import Classification, DossierFacts, EndKind, Supplement, classify

FAR_FUTURE = dt.datetime(2199, 1, 1, tzinfo=dt.UTC)

DOSSIER_FIELDS = ("id", "status", "channel", "receiving_unit_id", "processing_unit_id", "procedure_id",
                  "procedure_version_id", "received_at", "clock_start_at", "due_at", "processing_ended_at",
                  "returned_at", "stopped_at", "fees_due_vnd", "clock")


def _parse(value: Any) -> dt.datetime | None:
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
    done_at = returned_at = stopped_at = None
    for e in events:
        data = e["data"] or {}
        if promised is None and e["kind"] in (EventKind.CREATED, EventKind.CODE_ASSIGNED) and data.get("due_at"):
            promised = _parse(data["due_at"])
        if e["kind"] == EventKind.CLOCK and e["reason"] == "paused" and promised is None:
            promised = _parse(data.get("due_before"))
        if e["kind"] != EventKind.STATUS_CHANGED:
            continue
        after, before = e["status_after"], e["status_before"]
        if after == Status.SUPPLEMENT_REQUESTED and received is not None and e["at"] >= received:
            pending = e["at"]
        elif before == Status.SUPPLEMENT_REQUESTED and pending is not None:
            completed = e["at"] if after in (Status.IN_PROGRESS, Status.NEW, Status.RECEIVED) else None
            supplements.append(Supplement(pending, completed))
            pending = None
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
    start = d["clock_start_at"] or received
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


def _fact_row(b: Built, ctx: Context, reused: bool) -> dict[str, Any] | None:
    """The ``DossierFact`` row of a dossier as plain values (written with ``core.bulk.insert_rows``)."""
    d, facts = b.row, b.facts
    if facts.received_at is None:
        return None
    final: Classification = classify(facts, FAR_FUTURE, b.target_due)
    ended_at = next((m for m in (facts.done_at, facts.returned_at, facts.stopped_at) if m is not None), None)
    cal = facts.calendar
    assert cal is not None
    promised = facts.promised_at or facts.legal_due_at
    first = facts.supplements[0] if facts.supplements else None
    second = facts.supplements[1] if len(facts.supplements) > 1 else None
    deadline_shifted = promised
    if first is not None and first.completed_at is not None:
        deadline_shifted = classify(facts, first.completed_at, b.target_due).deadline_at
    risk_at = None
    if promised is not None and facts.start_at is not None:
        total = cal.working_seconds_between(to_seconds(facts.start_at), to_seconds(promised))
        lead = int(cal.hours_per_day * HOUR)
        risk_at = from_seconds(cal.add_working_seconds(to_seconds(facts.start_at), max(0, total - lead)))
    work_days = None
    kind = ""
    if ended_at is not None:
        kind = (EndKind.DONE if facts.done_at else EndKind.RETURNED if facts.returned_at else EndKind.STOPPED).value
        if kind != EndKind.STOPPED and facts.start_at is not None:
            seconds = cal.working_seconds_between(to_seconds(facts.start_at), to_seconds(ended_at))
            work_days = max(0, seconds - final.supplement_seconds) / float(cal.hours_per_day * HOUR)
    mode = ctx.online_mode(d["procedure_id"])
    online = d["channel"] == Channel.ONLINE
    apologised = any((e["kind"] == EventKind.CLOCK and e["reason"] == "extended") or (
        e["kind"] == EventKind.FORM_ISSUED and (e["data"] or {}).get("role") == "apology") for e in b.events)
    return {
        "dossier_id": d["id"], "receiving_unit_id": d["receiving_unit_id"],
        "processing_unit_id": d["processing_unit_id"], "procedure_id": d["procedure_id"], "status": d["status"],
        "channel": d["channel"], "online": online, "fully_online": online and mode == "full",
        "eligible_full": mode == "full", "has_fee": (d["fees_due_vnd"] or 0) > 0, "reused_data": reused,
        "paid_online": d.get("paid_online"), "e_result": d.get("digitised_result"), "apologised": apologised,
        "received_at": facts.received_at, "received_day": timezone.localdate(facts.received_at),
        "start_at": facts.start_at, "promised_at": promised, "target_at": b.target_due,
        "supplements": len(facts.supplements), "supp1_req_at": first.requested_at if first else None,
        "supp1_done_at": first.completed_at if first else None,
        "supp2_req_at": second.requested_at if second else None, "deadline_shifted": deadline_shifted,
        "risk_at": risk_at, "end_at": ended_at, "end_day": timezone.localdate(ended_at) if ended_at else None,
        "end_kind": kind, "end_class": final.outcome.value if ended_at is not None and final.outcome else "",
        "work_days": work_days,
    }


EVENT_FIELDS = ("dossier_id", "kind", "at", "status_before", "status_after", "reason", "data")
_RELEVANT = (EventKind.CREATED, EventKind.CODE_ASSIGNED, EventKind.CLOCK, EventKind.STATUS_CHANGED,
             EventKind.FORM_ISSUED)


def _optional_fields() -> tuple[str, ...]:
    names = {f.name for f in Dossier._meta.get_fields()}
    return tuple(n for n in ("paid_online", "digitised_result") if n in names)


def iter_built(dossier_ids: Iterable[int] | None = None, chunk: int = 2000,
               ctx: Context | None = None) -> Iterator[tuple[Built, bool]]:
    """(built facts, reused-data flag) of the given dossiers (all when None), ``chunk`` at a time."""
    ctx = ctx or Context()
    qs = Dossier.objects.order_by("pk")
    if dossier_ids is not None:
        qs = qs.filter(pk__in=list(dossier_ids))
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
        for e in (DossierEvent.objects.filter(dossier_id__in=ids, kind__in=_RELEVANT)
                  .order_by("dossier_id", "seq").values(*EVENT_FIELDS)):
            by.setdefault(e["dossier_id"], []).append(e)
        for r in rows:
            yield build(r, by.get(r["id"], []), ctx), bool(r["_reused"])


def fact_rows(dossier_ids: Iterable[int] | None = None, ctx: Context | None = None) -> Iterator[dict[str, Any]]:
    ctx = ctx or Context()
    for built, reused in iter_built(dossier_ids, ctx=ctx):
        row = _fact_row(built, ctx, reused)
        if row is not None:
            yield row


def facts_for(dossier: Dossier) -> tuple[DossierFacts, dt.datetime | None]:
    """The facts of one dossier and its internal target, for ``rules.classify`` (dossier pages, control
    sheet)."""
    built, _ = next(iter_built([dossier.pk]))
    return built.facts, built.target_due
