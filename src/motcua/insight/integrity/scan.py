"""The integrity scan (``motcua insight scan``, the scheduler and ``tasks.scan_task``): one walk over every
dossier and its events, ``page`` dossiers a query (``dossiers.audit.with_chains``, the walk the audit uses), the
per-dossier rules on each, what the cross-dossier rules need kept in memory (closures off hours or on month ends,
per-officer and per-procedure counts, the withdrawn dossiers), then those rules, then the flags written.

Writes only ``Flag`` rows, never a dossier. Idempotent: a finding's fingerprint names its pattern; a new one is
inserted, an open one updated (evidence, severity, last seen), a reviewed one (confirmed or dismissed) left as the
reviewer left it — so a dismissed pattern is not raised again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit
from motcua.calendars.clock import Calendar, to_local, to_seconds
from motcua.catalogue.models import Procedure
from motcua.dossiers import audit
from motcua.dossiers import facts as dossier_facts
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.timeliness import Outcome

from ..models import Flag, FlagState, Rule, Severity
from . import rules as r

FIELDS = ("id", "procedure_id", "procedure_version_id", "processing_unit_id", "receiving_unit_id", "channel",
          "received_at", "clock_start_at", "created_at", "due_at", "original_due_at", "rules", "submitted_at",
          "applicant_id_number", "applicant_tax_code")
AGENCY_KINDS = (UnitKind.AGENCY, UnitKind.SERVICE_CENTRE, UnitKind.COMMUNE)


def agencies_of_units() -> dict[int, int | None]:
    """Each unit's agency (``OrgUnit.agency``: the nearest agency, service centre or commune at or above it), from
    one query."""
    units: dict[int, dict[str, Any]] = {u["id"]: dict(u) for u in OrgUnit.objects.values("id", "parent_id", "kind")}
    out: dict[int, int | None] = {}
    for uid in units:
        node: dict[str, Any] | None = units[uid]
        while node is not None and node["kind"] not in AGENCY_KINDS:
            node = units.get(node["parent_id"]) if node["parent_id"] else None
        out[uid] = node["id"] if node is not None else None
    return out


@dataclass
class Withdrawn:
    dossier_id: int
    key: tuple[str, str]
    procedure_id: int
    at: dt.datetime
    share_used: float
    events: list[dict[str, Any]]
    agency_id: int | None


@dataclass
class ScanReport:
    dossiers: int = 0
    events: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    created: int = 0
    updated: int = 0
    kept: int = 0  # reviewed flags found again and left as reviewed

    def __str__(self) -> str:
        by = ", ".join(f"{k} {v}" for k, v in sorted(self.findings.items())) or "none"
        return (f"Scanned {self.dossiers} dossiers, {self.events} events; findings: {by}; flags created "
                f"{self.created}, updated {self.updated}, left as reviewed {self.kept}.")


class Scanner:
    """One scan: ``feed`` each dossier with its events, then ``finish`` for the cross-dossier rules."""

    def __init__(self, t: r.Thresholds, now: dt.datetime) -> None:
        self.t, self.now = t, now
        self.ctx = dossier_facts.Context()
        self.agency_of = agencies_of_units()
        self.proc_code = dict(Procedure.objects.values_list("id", "code"))
        self.proc_agency: dict[int, int | None] = {}
        for pid, aid in Procedure.objects.values_list("id", "agency_id"):
            self.proc_agency[pid] = self.agency_of.get(aid) if aid else None
        self.findings: list[r.Finding] = []
        self.unusual: dict[int, list[r.Closure]] = defaultdict(list)
        self.month_end: dict[int, dict[dt.date, list[r.Closure]]] = defaultdict(lambda: defaultdict(list))
        self.daily: dict[int, Counter[dt.date]] = defaultdict(Counter)
        self.month_end_days: dict[tuple[int, dt.date], bool] = {}
        self.acted: Counter[int] = Counter()
        self.officer_apologies: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.officer_agency: dict[int, Counter[int | None]] = defaultdict(Counter)
        self.proc_n: Counter[int] = Counter()
        self.proc_apologies: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.withdrawn: list[Withdrawn] = []
        self.report = ScanReport()

    def _calendar(self, unit_id: int) -> Calendar:
        return self.ctx.calendar(unit_id)

    def _is_month_end(self, unit_id: int, cal: Calendar, day: dt.date) -> bool:
        key = (unit_id, day)
        if key not in self.month_end_days:
            self.month_end_days[key] = r.is_month_end(cal, day)
        return self.month_end_days[key]

    def feed(self, d: Dossier, events: list[DossierEvent]) -> None:
        t = self.t
        self.report.dossiers += 1
        self.report.events += len(events)
        agency = self.agency_of.get(d.processing_unit_id)
        cal = self._calendar(d.processing_unit_id)
        view = r.DossierView(d.pk, agency, d.procedure_id, self.proc_code.get(d.procedure_id, ""), d.channel,
                             d.received_at, d.clock_start_at, d.created_at, d.rules if isinstance(d.rules, dict)
                             else {}, cal, self._calendar(d.receiving_unit_id))
        found, _requests = r.supplement_findings(view, events, t)
        found += r.backdating_findings(view, events, t)
        found += r.date_change_findings(view, events, t)
        self.findings += found
        actors: set[int] = set()
        apologised = False
        for e in events:
            if e.kind != EventKind.PERSONAL_DATA_VIEWED:
                actors.add(e.actor_id)
            if r.is_closure(e):
                day = to_local(e.at).date()
                self.daily[e.actor_id][day] += 1
                closure = r.Closure(r.event_ref(e), e.at, agency)
                if r.is_unusual_hour(cal, e.at, t):
                    self.unusual[e.actor_id].append(closure)
                elif self._is_month_end(d.processing_unit_id, cal, day):
                    self.month_end[e.actor_id][day].append(closure)
            if e.kind == EventKind.APOLOGY:
                ref = r.event_ref(e)
                self.officer_apologies[e.actor_id].append(ref)
                if not apologised:
                    self.proc_apologies[d.procedure_id].append(ref)
                apologised = True
        for a in actors:
            self.acted[a] += 1
            self.officer_agency[a][agency] += 1
        if d.received_at is not None:
            self.proc_n[d.procedure_id] += 1
            self._withdrawal(d, events, cal, agency)

    def _withdrawal(self, d: Dossier, events: list[DossierEvent], cal: Calendar, agency: int | None) -> None:
        assert d.received_at is not None
        key = ("id", d.applicant_id_number) if d.applicant_id_number else \
            ("tax", d.applicant_tax_code) if d.applicant_tax_code else None
        if key is None:
            return
        stops = [e for e in events if e.kind == EventKind.STATUS_CHANGED and e.at >= d.received_at
                 and e.status_after in (Status.WITHDRAWAL_REQUESTED, Status.STOPPED)]
        if not stops:
            return
        at = stops[0].at
        start, due = d.clock_start_at or d.received_at, d.original_due_at or d.due_at
        share = 0.0
        if due is not None and due > start:
            total = cal.working_seconds_between(to_seconds(start), to_seconds(due))
            used = cal.working_seconds_between(to_seconds(start), to_seconds(at)) if at > start else 0
            share = used / total if total else 0.0
        self.withdrawn.append(Withdrawn(d.pk, key, d.procedure_id, at, share, [r.event_ref(e) for e in stops],
                                        agency))

    def finish(self) -> list[r.Finding]:
        t = self.t
        for actor, closures in self.unusual.items():
            self.findings += r.bursts(actor, closures, t, "unusual_hours")
        for actor, by_day in self.month_end.items():
            self.findings += r.month_end_bursts(actor, by_day, self.daily[actor].values(), t)
        year = timezone.localdate(self.now).year
        officers = {a: (self.acted[a], aps) for a, aps in self.officer_apologies.items()}
        officers.update({a: (n, self.officer_apologies.get(a, [])) for a, n in self.acted.items()
                         if a not in officers})
        officer_agency = {a: c.most_common(1)[0][0] for a, c in self.officer_agency.items()}
        self.findings += r.routine_apologies(officers, t, "officer", officer_agency, year)
        procs = {p: (n, self.proc_apologies.get(p, [])) for p, n in self.proc_n.items()}
        self.findings += r.routine_apologies(procs, t, "procedure", self.proc_agency, year)
        self.findings += self._linked()
        for f in self.findings:
            self.report.findings[f.rule] += 1
        return self.findings

    def _linked(self) -> list[r.Finding]:
        """Rules 1, 2 (``repeated_linked``) and 7: the dossiers submitted after a withdrawn one of the same applicant
        and procedure, found by the applicant's key in batches (the key never leaves this function)."""
        t = self.t
        by_key: dict[tuple[str, str], list[Withdrawn]] = defaultdict(list)
        for w in self.withdrawn:
            by_key[w.key].append(w)
        pairs: list[tuple[Withdrawn, dict[str, Any]]] = []
        for kind, column in (("id", "applicant_id_number"), ("tax", "applicant_tax_code")):
            values = [k[1] for k in by_key if k[0] == kind]
            for i in range(0, len(values), 500):
                rows = Dossier.objects.filter(**{f"{column}__in": values[i:i + 500]}).values(
                    "id", "procedure_id", "submitted_at", column)
                for row in rows:
                    candidates = [w for w in by_key[(kind, row[column])] if w.dossier_id != row["id"]
                                  and w.procedure_id == row["procedure_id"]
                                  and w.at < row["submitted_at"] <= w.at + dt.timedelta(days=t.link_days)]
                    if candidates:
                        pairs.append((max(candidates, key=lambda w: w.at), row))
        if not pairs:
            return []
        later_ids = [row["id"] for _, row in pairs]
        created = {e.dossier_id: r.event_ref(e) for e in DossierEvent.objects.filter(
            dossier_id__in=later_ids, kind=EventKind.CREATED)}
        built = {b.row["id"]: b for b, _ in dossier_facts.iter_built(
            {*later_ids, *(w.dossier_id for w, _ in pairs)}, ctx=self.ctx)}
        out: list[r.Finding] = []
        for w, row in pairs:
            later = row["id"]
            events = w.events + ([created[later]] if later in created else [])
            gap = row["submitted_at"] - w.at
            base = {"first_dossier_id": w.dossier_id, "withdrawn_at": w.at.isoformat(),
                    "resubmitted_at": row["submitted_at"].isoformat(), "days_between": round(gap.total_seconds()
                                                                                              / 86400, 1),
                    "same_applicant": True}
            ids = sorted({w.dossier_id, later})
            if gap <= dt.timedelta(days=t.resubmit_days):
                out.append(r.Finding(
                    Rule.RESUBMIT, "resubmitted", Severity.HIGH if w.share_used >= t.resubmit_used_share
                    else Severity.MEDIUM, f"{w.dossier_id}:{later}", row["submitted_at"], later, ids, w.agency_id,
                    None, row["procedure_id"], events, {**base, "share_used_at_withdrawal": round(w.share_used, 3)}))
            first_b, later_b = built.get(w.dossier_id), built.get(later)
            if first_b is None or later_b is None:
                continue
            n_first, n_later = len(first_b.facts.supplements), len(later_b.facts.supplements)
            if n_first + n_later > 1 and n_first <= 1 and n_later <= 1:
                out.append(r.Finding(
                    Rule.SUPPLEMENT, "repeated_linked", Severity.HIGH, f"{w.dossier_id}:{later}", row["submitted_at"],
                    later, ids, w.agency_id, None, row["procedure_id"], events,
                    {**base, "requests_first": n_first, "requests_later": n_later}))
            cal = self.ctx.calendar(later_b.row["processing_unit_id"])
            promised = r.due_from(cal, first_b.facts.start_at, self.ctx.version(later_b.row["procedure_version_id"]))
            alone = r.judged(later_b.facts, self.now)
            one = r.judged(r.as_one(first_b.facts, later_b.facts, promised), self.now)
            if alone.counted and alone.on_time_or_early and one.outcome == Outcome.LATE:
                out.append(r.Finding(
                    Rule.LINKED, "late_as_one", Severity.MEDIUM, f"{w.dossier_id}:{later}", row["submitted_at"], later,
                    ids, w.agency_id, None, row["procedure_id"], events,
                    {**base, "alone": str(alone.outcome), "as_one": str(one.outcome),
                     "due_as_one": promised.isoformat() if promised else ""}))
        return out


def scan(*, page: int = 500, now: dt.datetime | None = None, thresholds: r.Thresholds | None = None,
         write: bool = True) -> ScanReport:
    """Scan the whole history and write the flags (module docstring)."""
    scanner = Scanner(thresholds or r.Thresholds.from_settings(), now or timezone.now())
    qs = Dossier.objects.order_by("pk").only(*FIELDS)
    for d, events in audit.with_chains(qs, page):
        scanner.feed(d, events)
    findings = scanner.finish()
    if write:
        save(findings, scanner.report, scanner.now)
    return scanner.report


def save(findings: Iterable[r.Finding], report: ScanReport, now: dt.datetime) -> None:
    """Insert the new findings as flags, update the open ones, leave the reviewed ones alone."""
    by_fp: dict[str, r.Finding] = {}
    for f in findings:
        by_fp.setdefault(f.fingerprint, f)
    fps = list(by_fp)
    with transaction.atomic():
        for i in range(0, len(fps), 500):
            batch = fps[i:i + 500]
            existing = {f.fingerprint: f for f in Flag.objects.select_for_update().filter(fingerprint__in=batch)}
            new, changed = [], []
            for fp in batch:
                f = by_fp[fp]
                flag = existing.get(fp)
                if flag is None:
                    new.append(Flag(rule=f.rule, kind=f.kind, severity=f.severity, fingerprint=fp,
                                    dossier_id=f.dossier_id, dossier_ids=f.dossier_ids, agency_id=f.agency_id,
                                    officer_id=f.officer_id, procedure_id=f.procedure_id, occurred_at=f.occurred_at,
                                    evidence=f.evidence, found_at=now, seen_at=now))
                elif flag.state == FlagState.OPEN:
                    flag.severity, flag.evidence, flag.dossier_ids, flag.seen_at = (f.severity, f.evidence,
                                                                                    f.dossier_ids, now)
                    changed.append(flag)
                else:
                    report.kept += 1
            Flag.objects.bulk_create(new)
            Flag.objects.bulk_update(changed, ["severity", "evidence", "dossier_ids", "seen_at"])
            report.created += len(new)
            report.updated += len(changed)


def bare_scan(page: int = 500) -> tuple[int, int]:
    """The same walk with no rule: the baseline of the benchmark (``bench/bench_insight_scan.py``)."""
    n = e = 0
    for _d, events in audit.with_chains(Dossier.objects.order_by("pk").only(*FIELDS), page):
        n += 1
        e += len(events)
    return n, e
