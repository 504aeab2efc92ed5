"""The integrity rules (issue 22; docs/insight-integrity.md): what each finds in the event history, its evidence
and its severity. Pure functions over plain values: the scan (``scan``) feeds them one dossier's row and events
at a time and, for the rules that span dossiers, what it kept of the earlier ones.

Every threshold is an **operating choice, not law** (``Thresholds``, settings ``MOTCUA_INSIGHT_*``): where the law
says something the rule cites it (domain note dossier-lifecycle.md, tagged [law] there), and the rest is what an
inspector would call unusual, to be tuned by the province. Each finding names the events behind it (ids, instants,
actors) and never an applicant's name, identity number, phone or address.

The rules and their checks (``Finding.kind``):

1. ``resubmit`` / ``resubmitted``: a received dossier withdrawn (status 7 or 8 after receipt) and a dossier of the
   same applicant (identity number or tax code) for the same procedure submitted within ``resubmit_days`` of the
   withdrawal: the clock starts again from zero. High when the first had used ``resubmit_used_share`` of its time.
2. ``supplement``: a supplement requested during processing (status 5 after receipt)
   - ``last_share``: when at least ``supplement_last_share`` of the time the clock gave had run (high once the
     promised date had passed): the request stops, then restarts, a clock about to run out;
   - ``after_window``: after the window for requesting it — whole working days after the day of receipt, the
     number the dossier's own rule set recorded at receipt (Decree 61/2018 Art. 19(4) as applied: 3 working days
     unless sector law says otherwise; domain note dossier-lifecycle.md §5). A dossier whose rules record no window
     (imported or generated) is not judged on it: the law in force for it is unknown;
   - ``repeated_linked``: more than one request across linked dossiers (rule 7's links) while each has at most
     one: the "once" of Decree 118/2025 (dossier-lifecycle.md §3) and 766's second-request rule, dodged.
3. ``backdating``:
   - ``receipt_vs_record``: the declared receipt instant (``received_at``) more than ``backdate_hours`` from the
     instant the dossier's record was created (``Dossier.created_at``, set by the database): high when the
     receipt is later than the record (the clock starts after the citizen came), medium when earlier. An online
     dossier accepted after its submission is normal and not flagged for a later receipt;
   - ``out_of_order``: an event dated more than ``backdate_hours`` before the event recorded before it in the
     dossier's chain (events are appended in order: one dated earlier was entered with a past instant);
   - ``off_hours_receipt``: a desk receipt on a day off, or more than ``desk_grace_minutes`` before the first or
     after the last working period of the day on the receiving desk's calendar (the desk is open across the lunch
     break in many provinces, so the break is not counted as closed).
4. ``burst``: at least ``burst_min`` closures (processing done, approval, signature, a step ended) by one officer
   within ``burst_minutes``, either
   - ``unusual_hours``: on a day off or before ``day_starts_hour`` or from ``day_ends_hour`` local time, or
   - ``month_end``: on the last working day of a month, that day's closures being at least ``burst_factor`` times
     the officer's median per active day.
5. ``date_change``:
   - ``due_changed``: an event moving the promised date (``due_before`` → ``due_at``) that is neither a clock
     event of a supplement or of a late start (paused, restarted, resumed, started), nor a calendar change
     (``dates_moved``), nor an extension with its apology (an ``apology`` event within ``apology_match_minutes``:
     Decree 61/2018 Art. 19(9), dossier-lifecycle.md §6 [law]);
   - ``reclassified``: the dossier's procedure is not the one its intake event recorded.
6. ``apology_routine``: an officer (``officer``) or a procedure (``procedure``) whose share of dossiers with an
   apology is at least ``apology_min_rate`` and ``apology_peer_factor`` times the median of its peers, over at
   least ``apology_min_dossiers`` dossiers and ``apology_min_count`` apologies.
7. ``linked`` / ``late_as_one``: a dossier judged early or on time by itself (``dossiers.timeliness.classify``,
   the one rule) that would be late if it and the withdrawn dossier it follows (same applicant and procedure,
   submitted within ``link_days`` of the withdrawal) were one dossier, counted from the first receipt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from motcua.calendars.clock import Calendar, from_seconds, to_local, to_seconds
from motcua.dossiers.choices import Channel, EventKind, Status
from motcua.dossiers.facts import parse_instant
from motcua.dossiers.timeliness import Classification, DossierFacts, classify

from ..models import Rule, Severity


@dataclass(frozen=True)
class Thresholds:
    """The operating choices of the rules (module docstring). Defaults here; settings override them."""

    resubmit_days: int = 10
    resubmit_used_share: float = 0.5
    link_days: int = 30
    supplement_last_share: float = 0.8
    backdate_hours: float = 2.0
    desk_grace_minutes: int = 30
    burst_min: int = 5
    burst_minutes: int = 60
    burst_factor: float = 3.0
    day_starts_hour: int = 6
    day_ends_hour: int = 20
    apology_match_minutes: int = 5
    apology_min_rate: float = 0.2
    apology_peer_factor: float = 3.0
    apology_min_dossiers: int = 20
    apology_min_count: int = 5

    @classmethod
    def from_settings(cls) -> Thresholds:
        overrides = getattr(settings, "MOTCUA_INSIGHT_THRESHOLDS", {}) or {}
        known = {f.name: f.type for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {k: (float(v) if known[k] in ("float", float) else int(v))
                                  for k, v in overrides.items() if k in known}
        return cls(**values)


@dataclass
class Finding:
    """One pattern: what the scan writes as a ``Flag``. ``subject`` with the rule and kind makes the
    fingerprint: what the pattern is about (dossier ids, an officer and a year…), never personal data."""

    rule: str
    kind: str
    severity: int
    subject: str
    occurred_at: dt.datetime
    dossier_id: int | None = None
    dossier_ids: list[int] = field(default_factory=list)
    agency_id: int | None = None
    officer_id: int | None = None
    procedure_id: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.rule}:{self.kind}:{self.subject}".encode()).hexdigest()

    @property
    def evidence(self) -> dict[str, Any]:
        return {"events": self.events, "facts": self.facts}


def event_ref(e: Any) -> dict[str, Any]:
    """What the evidence keeps of an event: its id, dossier, place in the chain, kind, instant and actor."""
    return {"id": e.pk, "dossier_id": e.dossier_id, "seq": e.seq, "kind": e.kind, "at": e.at.isoformat(),
            "actor_id": e.actor_id, "status_after": e.status_after, "reason": e.reason if e.kind == EventKind.CLOCK
            else ""}




CLOSURE_KINDS = (EventKind.APPROVED, EventKind.SIGNED, EventKind.DRAFT_APPROVED, EventKind.STEP_ENDED)
LEGIT_CLOCK = ("paused", "restarted", "resumed", "started")


def is_closure(e: Any) -> bool:
    return e.kind in CLOSURE_KINDS or (e.kind == EventKind.STATUS_CHANGED and e.status_after == Status.DONE)


def is_unusual_hour(cal: Calendar, at: dt.datetime, t: Thresholds) -> bool:
    local = to_local(at)
    return not cal.is_working_day(local.date()) or local.hour < t.day_starts_hour or local.hour >= t.day_ends_hour


def is_month_end(cal: Calendar, day: dt.date) -> bool:
    """The last working day of its month on ``cal``."""
    if not cal.is_working_day(day):
        return False
    nxt = cal.nth_working_day_after(day, 1)
    return nxt.month != day.month


# --- rules on one dossier ------------------------------------------------------------------------------------

@dataclass
class DossierView:
    """What the per-dossier rules read of a dossier row (plain values, no personal data beyond the applicant
    key, which stays in memory and in no finding)."""

    id: int
    agency_id: int | None
    procedure_id: int
    procedure_code: str
    channel: str
    received_at: dt.datetime | None
    clock_start_at: dt.datetime | None
    created_at: dt.datetime
    rules: dict[str, Any]
    cal: Calendar
    desk_cal: Calendar


def supplement_findings(d: DossierView, events: list[Any], t: Thresholds) -> tuple[list[Finding], int]:
    """Rule 2's ``last_share`` and ``after_window`` (module docstring); also the number of requests."""
    out: list[Finding] = []
    if d.received_at is None:
        return out, 0
    cal = d.cal
    clock_from = d.clock_start_at or d.received_at
    due: dt.datetime | None = None
    requests = 0
    window_days = d.rules.get("supplement_working_days") if isinstance(d.rules, dict) else None
    limit = None
    if window_days not in (None, ""):
        last = cal.nth_working_day_after(to_local(d.received_at).date(), int(window_days))
        limit = from_seconds((last.toordinal() - dt.date(1970, 1, 1).toordinal() + 1) * 86400)
    paused: Any = None
    for e in events:
        data = e.data if isinstance(e.data, dict) else {}
        if e.kind in (EventKind.CREATED, EventKind.CODE_ASSIGNED) and data.get("due_at") and due is None:
            due = parse_instant(data["due_at"])
        elif e.kind == EventKind.CLOCK:
            if e.reason == "paused":
                paused = e
                due = parse_instant(data.get("due_before")) or due
            elif e.reason in ("restarted", "started"):
                clock_from, due = e.at, parse_instant(data.get("due_at")) or due
            elif e.reason in ("resumed", "extended"):
                due = parse_instant(data.get("due_at")) or due
        elif e.kind == EventKind.DATES_MOVED and data.get("due_at"):
            due = parse_instant(data["due_at"])
        if not (e.kind == EventKind.STATUS_CHANGED and e.status_after == Status.SUPPLEMENT_REQUESTED
                and e.at >= d.received_at):
            continue
        requests += 1
        refs = [event_ref(e)] + ([event_ref(paused)] if paused is not None and paused.at == e.at else [])
        if due is not None and due > clock_from:
            total = cal.working_seconds_between(to_seconds(clock_from), to_seconds(due))
            used = cal.working_seconds_between(to_seconds(clock_from), to_seconds(e.at)) if e.at > clock_from else 0
            share = used / total if total > 0 else 0.0
            if share >= t.supplement_last_share:
                out.append(Finding(
                    Rule.SUPPLEMENT, "last_share", Severity.HIGH if e.at > due else Severity.MEDIUM,
                    f"{d.id}:{e.pk}", e.at, d.id, [d.id], d.agency_id, e.actor_id, d.procedure_id, refs,
                    {"share_used": round(share, 3), "due_at": due.isoformat(), "clock_from": clock_from.isoformat(),
                     "requested_at": e.at.isoformat()}))
        if limit is not None and e.at >= limit:
            out.append(Finding(
                Rule.SUPPLEMENT, "after_window", Severity.HIGH, f"{d.id}:{e.pk}", e.at, d.id, [d.id], d.agency_id,
                e.actor_id, d.procedure_id, refs,
                {"window_working_days": int(window_days), "window_ends_at": limit.isoformat(),  # type: ignore[arg-type]
                 "received_at": d.received_at.isoformat(), "requested_at": e.at.isoformat()}))
        paused = None
    return out, requests


def backdating_findings(d: DossierView, events: list[Any], t: Thresholds) -> list[Finding]:
    """Rule 3 (module docstring)."""
    out: list[Finding] = []
    limit = dt.timedelta(hours=t.backdate_hours)
    declared = next((e for e in events if e.kind in (EventKind.CREATED, EventKind.CODE_ASSIGNED, EventKind.CLOCK)
                     and isinstance(e.data, dict) and "received_at" in e.data), None)
    if d.received_at is not None:
        gap = d.received_at - d.created_at
        later = gap > limit and d.channel != Channel.ONLINE
        if later or gap < -limit:
            out.append(Finding(
                Rule.BACKDATING, "receipt_vs_record", Severity.HIGH if later else Severity.MEDIUM, str(d.id),
                d.received_at, d.id, [d.id], d.agency_id, declared.actor_id if declared else None, d.procedure_id,
                [event_ref(declared)] if declared else [],
                {"received_at": d.received_at.isoformat(), "recorded_at": d.created_at.isoformat(),
                 "hours": round(gap.total_seconds() / 3600, 1)}))
        if d.channel == Channel.DESK:
            local = to_local(d.received_at)
            periods = d.desk_cal.periods_of(local.date())
            sec = local.hour * 3600 + local.minute * 60 + local.second
            grace = t.desk_grace_minutes * 60
            if not periods or sec < periods[0][0] - grace or sec > periods[-1][1] + grace:
                out.append(Finding(
                    Rule.BACKDATING, "off_hours_receipt", Severity.MEDIUM, str(d.id), d.received_at, d.id, [d.id],
                    d.agency_id, declared.actor_id if declared else None, d.procedure_id,
                    [event_ref(declared)] if declared else [],
                    {"received_at": d.received_at.isoformat(), "working_day": bool(periods),
                     "opens": _hm(periods[0][0]) if periods else "", "closes": _hm(periods[-1][1]) if periods else ""}))
    for prev, e in itertools.pairwise(events):
        # The periodic tick states the instant it judged (``late_flagged`` at the due date it passed, ``by:
        # tick``), which may lie before an officer's event appended meanwhile: the system's clock, not a person
        # entering a past instant.
        if isinstance(e.data, dict) and e.data.get("by") == "tick":
            continue
        if e.at < prev.at - limit:
            out.append(Finding(
                Rule.BACKDATING, "out_of_order", Severity.MEDIUM, f"{d.id}:{e.pk}", e.at, d.id, [d.id], d.agency_id,
                e.actor_id, d.procedure_id, [event_ref(prev), event_ref(e)],
                {"hours_before_previous": round((prev.at - e.at).total_seconds() / 3600, 1)}))
    return out


def _hm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def date_change_findings(d: DossierView, events: list[Any], t: Thresholds) -> list[Finding]:
    """Rule 5 (module docstring)."""
    out: list[Finding] = []
    apologies = [e.at for e in events if e.kind == EventKind.APOLOGY]
    match = dt.timedelta(minutes=t.apology_match_minutes)
    for e in events:
        data = e.data if isinstance(e.data, dict) else {}
        if e.kind == EventKind.CREATED and data.get("procedure") and data["procedure"] != d.procedure_code:
            out.append(Finding(
                Rule.DATE_CHANGE, "reclassified", Severity.HIGH, str(d.id), e.at, d.id, [d.id], d.agency_id,
                e.actor_id, d.procedure_id, [event_ref(e)],
                {"procedure_at_intake": str(data["procedure"]), "procedure_now": d.procedure_code}))
        if "due_before" not in data or "due_at" not in data:
            continue
        before, after = parse_instant(data.get("due_before")), parse_instant(data.get("due_at"))
        if before is None or after is None or before == after:
            continue
        if e.kind == EventKind.DATES_MOVED or (e.kind == EventKind.CLOCK and e.reason in LEGIT_CLOCK):
            continue
        if e.kind == EventKind.CLOCK and e.reason == "extended" and any(abs(a - e.at) <= match for a in apologies):
            continue
        out.append(Finding(
            Rule.DATE_CHANGE, "due_changed", Severity.HIGH, f"{d.id}:{e.pk}", e.at, d.id, [d.id], d.agency_id,
            e.actor_id, d.procedure_id, [event_ref(e)],
            {"due_before": before.isoformat(), "due_at": after.isoformat(),
             "days_moved": round((after - before).total_seconds() / 86400, 1)}))
    return out


# --- rules across dossiers -----------------------------------------------------------------------------------

@dataclass
class Closure:
    event: dict[str, Any]
    at: dt.datetime
    agency_id: int | None


def bursts(actor_id: int, closures: list[Closure], t: Thresholds, kind: str) -> list[Finding]:
    """Runs of at least ``burst_min`` closures by one officer within ``burst_minutes`` (rule 4): one finding per
    run, naming every closure in it."""
    out: list[Finding] = []
    closures = sorted(closures, key=lambda c: (c.at, c.event["id"]))
    span = dt.timedelta(minutes=t.burst_minutes)
    i = 0
    while i < len(closures):
        j = i
        while j + 1 < len(closures) and closures[j + 1].at - closures[i].at <= span:
            j += 1
        run = closures[i:j + 1]
        if len(run) >= t.burst_min:
            ids = sorted({c.event["dossier_id"] for c in run})
            out.append(Finding(
                Rule.BURST, kind, Severity.MEDIUM if kind == "month_end" else Severity.HIGH,
                f"{actor_id}:{run[0].event['id']}", run[0].at, ids[0], ids, run[0].agency_id, actor_id, None,
                [c.event for c in run], {"closures": len(run), "first_at": run[0].at.isoformat(),
                                         "last_at": run[-1].at.isoformat()}))
        i = j + 1
    return out


def month_end_bursts(actor_id: int, by_day: dict[dt.date, list[Closure]], daily: Iterable[int],
                     t: Thresholds) -> list[Finding]:
    """Rule 4's ``month_end``: the closures of a last working day of a month, when the day's count is at least
    ``burst_factor`` times the officer's median per active day, in runs of ``burst_min``."""
    counts = list(daily)
    if not counts:
        return []
    median = statistics.median(counts)
    out: list[Finding] = []
    for _day, closures in sorted(by_day.items()):
        if len(closures) >= t.burst_min and len(closures) >= t.burst_factor * median:
            out.extend(bursts(actor_id, closures, t, "month_end"))
    return out


def routine_apologies(subjects: dict[int, tuple[int, list[dict[str, Any]]]], t: Thresholds, kind: str,
                      agency_of: dict[int, int | None], year: int) -> list[Finding]:
    """Rule 6 over officers or procedures: ``subjects`` maps an id to (dossiers, apology events)."""
    rates = {k: len(ap) / n for k, (n, ap) in subjects.items() if n >= t.apology_min_dossiers}
    out: list[Finding] = []
    for k, rate in rates.items():
        peers = [r for j, r in rates.items() if j != k]
        median = statistics.median(peers) if peers else 0.0
        n, apologies = subjects[k]
        if len(apologies) < t.apology_min_count or rate < t.apology_min_rate or rate < t.apology_peer_factor * median:
            continue
        ids = sorted({e["dossier_id"] for e in apologies})
        first = min(parse_instant(e["at"]) for e in apologies)  # type: ignore[type-var]
        out.append(Finding(
            Rule.APOLOGY_ROUTINE, kind, Severity.MEDIUM, f"{k}:{year}", first, None, ids,  # type: ignore[arg-type]
            agency_of.get(k), k if kind == "officer" else None, k if kind == "procedure" else None,
            sorted(apologies, key=lambda e: e["id"])[:200],
            {"dossiers": n, "apologies": len(apologies), "rate": round(rate, 3), "peer_median": round(median, 3),
             "year": year}))
    return out


def due_from(cal: Calendar, start: dt.datetime | None, version: dict[str, Any]) -> dt.datetime | None:
    """The promised date of the legal time of ``version`` counted from ``start`` on ``cal`` (the one clock)."""
    amount, unit = version.get("legal_time_amount"), version.get("legal_time_unit")
    if start is None or amount is None or not unit:
        return None
    return from_seconds(cal.due_seconds(to_seconds(start), Decimal(amount), unit,
                                        version.get("deadline_policy") or "working_hours")[1])


def as_one(first: DossierFacts, later: DossierFacts, promised: dt.datetime | None) -> DossierFacts:
    """The later dossier's facts as if it and the first were one dossier: received when the first was, promised
    the legal time from the first's start, every supplement of both counted (their waiting time subtracted)."""
    supplements = tuple(dataclasses.replace(s, due_after=None) for s in (*first.supplements, *later.supplements))
    return dataclasses.replace(later, received_at=first.received_at, start_at=first.start_at, promised_at=promised,
                               legal_due_at=None, supplements=supplements)


def judged(facts: DossierFacts, at: dt.datetime) -> Classification:
    return classify(facts, at, None)
