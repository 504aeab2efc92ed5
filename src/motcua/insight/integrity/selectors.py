"""Reads of the integrity flags: who may read and review them, the queue with its filters, one flag with its
evidence as its reader may see it, the per-agency and per-officer summaries and the "honest on-time rate".

**Who.** Those who may see statistics (``Capability.VIEW_STATS``) over at least one agency read the flags of the
agencies in their scope: an agency leader those of their agency, an inspector or an administrator every one. Only
those whose reach is the whole tree (the inspector, the administrator) review them (confirm or dismiss): an
agency's leader does not judge the flags about their own agency. A division head, who sees only a division's
statistics, reads none.

**Personal data.** A flag and its evidence hold ids, instants, kinds and officers, never an applicant's name,
identity number, phone or address; a dossier is named by its code, and linked to only for a reader who may open it
(``dossiers.selectors.visible``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, unit_ids_in_scope
from motcua.calendars.clock import to_local
from motcua.core.errors import NotFound, PermissionDenied
from motcua.dossiers import facts as dossier_facts
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.timeliness import DossierFacts, Supplement, classify

from ..models import Flag, FlagState, Rule
from . import rules as r

AGENCY_KINDS = (UnitKind.AGENCY, UnitKind.SERVICE_CENTRE, UnitKind.COMMUNE)


def _forbidden() -> PermissionDenied:
    return PermissionDenied(_("You may not read the integrity flags."), code="forbidden")


def agency_scope(user: User) -> set[int] | None:
    """The agencies whose flags ``user`` reads (None: every one); ``PermissionDenied`` when none."""
    if not user.is_authenticated or not has_capability(user, Capability.VIEW_STATS):
        raise _forbidden()
    ids = unit_ids_in_scope(user, Capability.VIEW_STATS)
    if ids is None:
        return None
    agencies = set(OrgUnit.objects.filter(pk__in=ids, kind__in=AGENCY_KINDS).values_list("pk", flat=True))
    if not agencies:
        raise _forbidden()
    return agencies


def may_read(user: User) -> bool:
    try:
        agency_scope(user)
    except PermissionDenied:
        return False
    return True


def may_review(user: User) -> bool:
    """The inspector and the administrator (module docstring)."""
    return bool(user.is_authenticated and has_capability(user, Capability.VIEW_STATS)
                and unit_ids_in_scope(user, Capability.VIEW_STATS) is None)


@dataclass
class Filters:
    rule: str = ""
    agency: int | None = None
    officer: int | None = None
    state: str = FlagState.OPEN
    severity: int | None = None


def flags(user: User, filters: Filters | None = None) -> QuerySet[Flag]:
    """The flags ``user`` reads, filtered, most severe and most recent first."""
    scope = agency_scope(user)
    qs = Flag.objects.select_related("agency", "officer", "procedure", "dossier")
    if scope is not None:
        qs = qs.filter(agency_id__in=scope)
    f = filters or Filters()
    if f.rule:
        qs = qs.filter(rule=f.rule)
    if f.agency:
        qs = qs.filter(agency_id=f.agency)
    if f.officer:
        qs = qs.filter(officer_id=f.officer)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    return qs.order_by("-severity", "-occurred_at", "-id")


def agencies_for(user: User) -> list[OrgUnit]:
    scope = agency_scope(user)
    qs = OrgUnit.objects.filter(kind__in=AGENCY_KINDS)
    if scope is not None:
        qs = qs.filter(pk__in=scope)
    return list(qs.order_by("name"))


def officers_for(user: User) -> list[User]:
    ids = flags(user, Filters(state="")).exclude(officer=None).values_list("officer_id", flat=True).distinct()
    return list(User.objects.filter(pk__in=list(ids)).order_by("full_name"))


def get(user: User, flag_id: int) -> Flag:
    """One flag the user reads, or ``NotFound`` (also outside their scope: its existence is not disclosed)."""
    flag = flags(user, Filters(state="")).filter(pk=flag_id).first()
    if flag is None:
        raise NotFound(_("There is no such flag."), code="flag_not_found")
    return flag


@dataclass
class EvidenceEvent:
    id: int
    dossier_id: int
    dossier: str  # the code (or reference), never the applicant
    seq: int
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str
    reason: str
    readable: bool  # the reader may open the dossier


FACT_LABELS = {
    "share_used": gettext_lazy("Share of the time used"),
    "share_used_at_withdrawal": gettext_lazy("Share of the time used at withdrawal"),
    "due_at": gettext_lazy("Promised date"),
    "due_before": gettext_lazy("Promised date before"),
    "clock_from": gettext_lazy("Clock counted from"),
    "requested_at": gettext_lazy("Supplement asked at"),
    "window_working_days": gettext_lazy("Window (working days)"),
    "window_ends_at": gettext_lazy("Window ended at"),
    "received_at": gettext_lazy("Receipt declared at"),
    "recorded_at": gettext_lazy("Record created at"),
    "hours": gettext_lazy("Hours between"),
    "working_day": gettext_lazy("On a working day"),
    "opens": gettext_lazy("Desk opens"),
    "closes": gettext_lazy("Desk closes"),
    "hours_before_previous": gettext_lazy("Hours before the previous"),
    "procedure_at_intake": gettext_lazy("Procedure at intake"),
    "procedure_now": gettext_lazy("Procedure now"),
    "days_moved": gettext_lazy("Days moved"),
    "closures": gettext_lazy("Closures"),
    "first_at": gettext_lazy("First at"),
    "last_at": gettext_lazy("Last at"),
    "dossiers": gettext_lazy("Dossiers"),
    "apologies": gettext_lazy("Apologies"),
    "rate": gettext_lazy("Rate"),
    "peer_median": gettext_lazy("Peers' median"),
    "year": gettext_lazy("Year"),
    "first_dossier_id": gettext_lazy("First dossier"),
    "withdrawn_at": gettext_lazy("Withdrawn at"),
    "resubmitted_at": gettext_lazy("Resubmitted at"),
    "days_between": gettext_lazy("Days between"),
    "same_applicant": gettext_lazy("Same applicant (identity number or tax code)"),
    "requests_first": gettext_lazy("Requests, first"),
    "requests_later": gettext_lazy("Requests, later"),
    "alone": gettext_lazy("Judged alone"),
    "as_one": gettext_lazy("Judged as one"),
    "due_as_one": gettext_lazy("Promised date as one"),
}
OUTCOME_LABELS = {"early": gettext_lazy("early"), "on_time": gettext_lazy("on time"), "late": gettext_lazy("late")}


@dataclass
class FlagView:
    flag: Flag
    events: list[EvidenceEvent]
    dossiers: list[dict[str, Any]]
    facts: list[tuple[str, str]] = field(default_factory=list)


def _fact_value(key: str, value: Any, names: dict[int, str]) -> str:
    if key == "first_dossier_id":
        return names.get(int(value), "?")
    if isinstance(value, bool):
        return str(gettext_lazy("yes") if value else gettext_lazy("no"))
    if isinstance(value, str) and value in OUTCOME_LABELS:
        return str(OUTCOME_LABELS[value])
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        return to_local(dt.datetime.fromisoformat(value)).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, float) and key in ("share_used", "share_used_at_withdrawal", "rate", "peer_median"):
        return f"{value * 100:.0f} %"
    return str(value)


def view(user: User, flag: Flag) -> FlagView:
    """The flag with its evidence as ``user`` may see it: each event's dossier by code, linked when the reader
    may open the dossier; no applicant data at all."""
    ids = set(flag.dossier_ids or []) | ({flag.dossier_id} if flag.dossier_id else set())
    evidence = flag.evidence if isinstance(flag.evidence, dict) else {}
    refs = evidence.get("events") or []
    ids |= {int(e["dossier_id"]) for e in refs if e.get("dossier_id")}
    names = {d["id"]: d["code"] or d["reference"] for d in Dossier.objects.filter(pk__in=ids)
             .values("id", "code", "reference")}
    readable = set(dossier_selectors.visible(user).filter(pk__in=ids).values_list("pk", flat=True))
    actors = {u.pk: u.full_name or u.username for u in User.objects.filter(
        pk__in={e.get("actor_id") for e in refs if e.get("actor_id")})}
    labels, statuses = dict(EventKind.choices), dict(Status.choices)
    events = []
    for e in refs:
        did = int(e["dossier_id"])
        label = str(labels.get(e["kind"], e["kind"]))
        if e.get("status_after"):
            label = f"{label} → {statuses.get(int(e['status_after']), e['status_after'])}"
        events.append(EvidenceEvent(int(e["id"]), did, names.get(did, "?"), int(e.get("seq") or 0), e["kind"],
                                    label, dt.datetime.fromisoformat(e["at"]),
                                    actors.get(e.get("actor_id"), ""), str(e.get("reason") or ""), did in readable))
    dossiers = [{"id": i, "code": names.get(i, "?"), "readable": i in readable} for i in sorted(ids)]
    raw = dict(evidence.get("facts") or {})
    if raw.get("first_dossier_id"):
        first = int(raw["first_dossier_id"])
        names.setdefault(first, next(iter(Dossier.objects.filter(pk=first).values_list("code", flat=True)), None)
                         or "?")
    facts = [(str(FACT_LABELS.get(k, k)), _fact_value(k, v, names)) for k, v in raw.items()]
    return FlagView(flag, events, dossiers, facts)


# --- summaries -----------------------------------------------------------------------------------------------

def summary(user: User, by: str) -> list[dict[str, Any]]:
    """Counts of the flags ``user`` reads per agency (``by`` "agency") or per officer ("officer"): open,
    confirmed, dismissed, high severity."""
    key = "agency" if by == "agency" else "officer"
    qs = flags(user, Filters(state="")).exclude(**{f"{key}_id": None})
    rows = qs.values(f"{key}_id").annotate(
        total=Count("id"), open=Count("id", filter=Q(state=FlagState.OPEN)),
        accepted=Count("id", filter=Q(state=FlagState.ACCEPTED)),
        dismissed=Count("id", filter=Q(state=FlagState.DISMISSED)),
        high=Count("id", filter=Q(severity=3))).order_by("-total")
    names: dict[int, str]
    if key == "agency":
        names = dict(OrgUnit.objects.filter(pk__in=[r[f"{key}_id"] for r in rows]).values_list("pk", "name"))
    else:
        names = {u.pk: u.full_name or u.username for u in User.objects.filter(pk__in=[r[f"{key}_id"] for r in rows])}
    return [{"id": r[f"{key}_id"], "name": names.get(r[f"{key}_id"], "?"), "total": r["total"], "open": r["open"],
             "accepted": r["accepted"], "dismissed": r["dismissed"], "high": r["high"]} for r in rows]


@dataclass
class HonestRate:
    agency: OrgUnit
    counted: int
    on_time: int
    honest_on_time: int
    corrected: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.counted if self.counted else None

    @property
    def honest_rate(self) -> float | None:
        return self.honest_on_time / self.counted if self.counted else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else self.rate * 100

    @property
    def honest_percent(self) -> float | None:
        return None if self.honest_rate is None else self.honest_rate * 100


def _corrected(flags_of: list[Flag], facts: DossierFacts, built: dict[int, dossier_facts.Built],
               ctx: dossier_facts.Context, row: dict[str, Any]) -> DossierFacts:
    """The dossier's facts with its confirmed cases corrected (docs/insight-integrity.md, "Honest on-time rate")."""
    for flag in flags_of:
        data = (flag.evidence or {}).get("facts") or {}
        if flag.rule in (Rule.RESUBMIT, Rule.LINKED) or flag.kind == "repeated_linked":
            first = built.get(int(data.get("first_dossier_id") or 0))
            if first is not None:
                cal = ctx.calendar(row["processing_unit_id"])
                promised = r.due_from(cal, first.facts.start_at, ctx.version(row["procedure_version_id"]))
                facts = r.as_one(first.facts, facts, promised)
        elif flag.rule == Rule.SUPPLEMENT and data.get("requested_at"):
            asked = dt.datetime.fromisoformat(data["requested_at"])
            kept = tuple(s for s in facts.supplements if abs((s.requested_at - asked).total_seconds()) > 1)
            facts = dataclasses.replace(facts, supplements=kept)
        elif flag.rule == Rule.BACKDATING and flag.kind == "receipt_vs_record" and facts.promised_at is not None:
            gap = dt.datetime.fromisoformat(data["received_at"]) - dt.datetime.fromisoformat(data["recorded_at"])
            if gap.total_seconds() > 0:
                facts = dataclasses.replace(facts, promised_at=facts.promised_at - gap,
                                            supplements=tuple(Supplement(s.requested_at, s.completed_at, None)
                                                              for s in facts.supplements))
        elif flag.rule == Rule.DATE_CHANGE and flag.kind == "due_changed" and data.get("due_before"):
            facts = dataclasses.replace(facts, promised_at=dt.datetime.fromisoformat(data["due_before"]))
    return facts


# --- the ranking's own counts, from the statistics ---------------------------------------------------------------
#
# The honest rate corrects the figure the ranking shows, so it starts from the same counts: indicator 2.1 over the
# dossiers processed in the period (ended in it, or still in progress at its end, ``stats.kpi.summary_from``), read
# from the statistics' rollups by a function that ``motcua.stats`` (an app above this one) registers in its
# ``ready()``. Without it (statistics not installed) the same counts come from a walk of the dossiers, which is
# exact but reads every dossier of the period.
ReportedCounts = Callable[[frozenset[int], dt.date, dt.date], tuple[int, int]]
_reported: ReportedCounts | None = None


def register_reported_counts(fn: ReportedCounts | None) -> None:
    """``fn(unit_ids, first, last)`` → (dossiers processed, of which early, on time or within time)."""
    global _reported
    _reported = fn


def _in_period(c: Any, start: dt.datetime) -> bool:
    """Processed in the period judged at the end of it: ended in it, or still in progress at its end."""
    return bool(c.counted) and (not c.finished or c.end_at >= start)


def walked_counts(units: frozenset[int], first: dt.date, last: dt.date, now: dt.datetime | None = None
                  ) -> tuple[int, int]:
    """The counts of ``register_reported_counts`` from a walk of the dossiers (the fallback, and the tests' check
    that the statistics count the same population)."""
    start, end = _bounds(first, last, now)
    ids = list(Dossier.objects.filter(Q(processing_unit_id__in=units) | Q(receiving_unit_id__in=units),
                                      received_at__lt=end).order_by("pk").values_list("pk", flat=True))
    counted = on_time = 0
    ctx = dossier_facts.Context()
    for i in range(0, len(ids), 2000):
        for b, _reused in dossier_facts.iter_built(ids[i:i + 2000], ctx=ctx):
            c = classify(b.facts, end, None)
            if _in_period(c, start):
                counted += 1
                on_time += c.on_time_or_early
    return counted, on_time


def _bounds(first: dt.date, last: dt.date, now: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    now = now or timezone.now()
    end = min(now, timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)))
    return timezone.make_aware(dt.datetime.combine(first, dt.time.min)), end


def honest_rates(user: User, first: dt.date, last: dt.date, now: dt.datetime | None = None) -> list[HonestRate]:
    """Per agency in the user's scope, indicator 2.1 of the period as the statistics report it (the dossiers
    received or processed by the agency's units that ended in the period or were in progress at its end, early, on
    time or within time) and with the confirmed flags corrected: only the confirmed dossiers are judged again
    (``dossiers.timeliness.classify`` at the end of the period), a resubmitted or linked dossier counted from the
    first receipt, a confirmed late supplement not stopping the clock, a backdated receipt counted from its record,
    a promised date moved without an apology judged by the date before. Rules without a correction (bursts, routine
    apologies) change nothing. The cost is the statistics' few queries plus the confirmed dossiers, whatever the
    size of the period."""
    scope = agency_scope(user)
    start, end = _bounds(first, last, now)
    confirmed: dict[int, list[Flag]] = {}
    for flag in Flag.objects.filter(state=FlagState.ACCEPTED).exclude(dossier=None):
        confirmed.setdefault(flag.dossier_id, []).append(flag)  # type: ignore[arg-type]
    ctx = dossier_facts.Context()
    built = {b.row["id"]: b for b, _ in dossier_facts.iter_built(sorted(confirmed), ctx=ctx)} if confirmed else {}
    firsts = {int((f.evidence or {}).get("facts", {}).get("first_dossier_id") or 0)
              for fs in confirmed.values() for f in fs} - {0} - set(built)
    extra = dict(built)
    if firsts:
        extra.update((b.row["id"], b) for b, _ in dossier_facts.iter_built(sorted(firsts), ctx=ctx))
    out = []
    for agency in agencies_for(user):
        units = frozenset(OrgUnit.objects.filter(path__startswith=agency.path).values_list("pk", flat=True))
        counted, on_time = (_reported or walked_counts)(units, first, last)
        honest, corrected = on_time, 0
        for dossier_id, b in built.items():
            if b.row["processing_unit_id"] not in units and b.row["receiving_unit_id"] not in units:
                continue
            c = classify(b.facts, end, None)
            if not _in_period(c, start):
                continue
            corrected += 1
            fixed = classify(_corrected(confirmed[dossier_id], b.facts, extra, ctx, b.row), end, None)
            honest += int(fixed.on_time_or_early) - int(c.on_time_or_early)
        if scope is None and not counted and not corrected and agency.pk not in {
                f.agency_id for fs in confirmed.values() for f in fs}:
            continue
        out.append(HonestRate(agency, counted, on_time, honest, corrected))
    return out


def state_counts(user: User) -> Counter[str]:
    # Without the queue's ordering, which would group by every ordered column too.
    rows = flags(user, Filters(state="")).order_by().values_list("state").annotate(n=Count("id"))
    return Counter(dict(rows))
