"""KPIs of a unit subtree (or the whole tree), optionally one procedure, over a period of local days, by
the rules of indicator 2.1 (``rules``). Counts come from the rollups (by day of acceptance and
by day processing ended; whole months from the monthly rollups) plus the dossiers open at the end of the
period, judged at that instant from the pre-computed instants of ``DossierFact`` (the same decisions as
``rules.classify``), read from the month-end snapshots when the period ends on a kept month end.

Definitions (docs/stats.md):
- ``received``: accepted in the period; ``done``: processing done or result returned in the period;
  ``stopped``: stopped in the period;
- ``ended`` in the period, each ``early``, ``on_time`` or ``late`` (disjoint; the periodic report's columns);
- ``in_progress``: open at the end of the period (judged at ``judged_at``: the present instant while the
  period has not ended), ``overdue`` of them past the promised date, ``within_time`` the others,
  ``at_risk`` of those with less than one working day left;
- the dossiers *processed in the period* (the 766 2.1 denominator) = ended + in progress;
- early, on time, late by the one rule (``motcua.dossiers.timeliness.judge``: early = ended with a result on a
  day before the day of the promised date, as a supplement moved it);
- ``on_time_rate`` = (early + on_time + within_time) ÷ processed (766 2.1); ``early_rate`` = early ÷ processed;
- ``within_target_rate`` = done by the internal target ÷ done with one (a separate, optional measure);
- ``avg_working_days`` = working days from clock start to end, supplement time subtracted, over ``done``
  (766 2.2);
- ``paid_online_rate`` = received with a fee and paid online ÷ received with a fee (766 3.6);
  ``e_result_rate`` = done with an electronic result file ÷ done with a result recorded (766 4.1);
  ``digitised_rate`` = of those, the ones with files on their components too (766 4.2);
  rates are None when the denominator is 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.accounts.models import OrgUnit

from .models import DailyRollup, DossierFact, MonthlyRollup, OpenSnapshot, SnapshotMonth

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def end_instant(day: dt.date) -> dt.datetime:
    """The last instant of a local day: a dossier that ended on ``day`` has ended by then."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=VN)


def judged_at(day: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """The instant a period ending on ``day`` is judged at: its last instant once it has passed, else the
    present instant. A month not yet over is not judged at its end, an instant still in the future: a dossier
    due on the 16th is not late on the 4th (docs/stats.md "Overdue")."""
    now = now or timezone.now()
    return min(end_instant(day), now)


def passed(day: dt.date, now: dt.datetime | None = None) -> bool:
    """Whether the last instant of ``day`` has passed (a month end's snapshot may be read only then)."""
    return end_instant(day) <= (now or timezone.now())


def start_instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=VN)


@dataclass(frozen=True)
class Scope:
    """Which dossiers: those received or processed by a unit of ``unit_ids`` (None: all), of
    ``procedure_ids`` (None: all)."""

    unit_ids: frozenset[int] | None = None
    procedure_ids: frozenset[int] | None = None

    def q(self, prefix: str = "") -> Q:
        q = Q()
        if self.unit_ids is not None:
            q &= Q(**{f"{prefix}receiving_unit_id__in": self.unit_ids}) | Q(
                **{f"{prefix}processing_unit_id__in": self.unit_ids})
        if self.procedure_ids is not None:
            q &= Q(**{f"{prefix}procedure_id__in": self.procedure_ids})
        return q


def subtree_ids(unit: OrgUnit) -> frozenset[int]:
    return frozenset(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def rate(numerator: int | float, denominator: int | float) -> float | None:
    return None if not denominator else round(numerator / denominator, 4)


def open_q(at: dt.datetime) -> Q:
    """Facts of dossiers open at ``at``: accepted by then, not ended by then."""
    return Q(received_at__lte=at) & (Q(end_at__isnull=True) | Q(end_at__gt=at))


def open_at(scope: Scope, at: dt.datetime) -> QuerySet[DossierFact]:
    return DossierFact.objects.filter(scope.q()).filter(open_q(at))


def _open_aggregates(at: dt.datetime, suffix: str = "") -> dict[str, Any]:
    """Conditional counts of the dossiers open at ``at``: in progress, overdue (``late_at_q``) and at risk."""
    is_open, late = open_q(at), late_at_q(at)
    return {f"in_progress{suffix}": Count("pk", filter=is_open),
            f"overdue{suffix}": Count("pk", filter=is_open & late),
            f"at_risk{suffix}": Count("pk", filter=is_open & ~late & Q(risk_at__lte=at))}


def zero_counters() -> dict[str, Any]:
    return {name: 0.0 if name == "work_days" else 0 for name in DailyRollup.COUNTERS}


def late_at_q(at: dt.datetime) -> Q:
    """Whether an open dossier is late at ``at`` — ``rules.classify`` on the stored instants."""
    waiting = Q(supp1_req_at__lte=at) & (Q(supp1_done_at__isnull=True) | Q(supp1_done_at__gt=at))
    return (
        Q(supp2_req_at__lte=at)
        | (waiting & Q(promised_at__isnull=False) & Q(supp1_req_at__gt=F("promised_at")))
        | (~waiting & Q(supp1_done_at__lte=at) & Q(deadline_shifted__lt=at))
        | (~waiting & (Q(supp1_done_at__isnull=True) | Q(supp1_done_at__gt=at)) & Q(promised_at__lt=at))
    )


def is_late_at(f: dict[str, Any], at: dt.datetime) -> bool:
    """``late_at_q`` on one fact's values (a NULL instant compares false, as in SQL)."""
    req, done = f["supp1_req_at"], f["supp1_done_at"]
    waiting = req is not None and req <= at and (done is None or done > at)
    promised, shifted, second = f["promised_at"], f["deadline_shifted"], f["supp2_req_at"]
    return bool(
        (second is not None and second <= at)
        or (waiting and promised is not None and req > promised)
        or (not waiting and done is not None and done <= at and shifted is not None and shifted < at)
        or (not waiting and (done is None or done > at) and promised is not None and promised < at))


OPEN_FIELDS = ("in_progress", "overdue", "at_risk")


def open_state(f: dict[str, Any], at: dt.datetime) -> tuple[int, int, int]:
    """(open, overdue, at risk) of one fact at ``at``, each 0 or 1: ``open_counts`` for one dossier."""
    if f["received_at"] > at or (f["end_at"] is not None and f["end_at"] <= at):
        return 0, 0, 0
    late = is_late_at(f, at)
    risk = not late and f["risk_at"] is not None and f["risk_at"] <= at
    return 1, int(late), int(risk)


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _group_key(row: dict[str, Any], group: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(row.pop(g) for g in group)


def _grouped(qs: QuerySet[Any], group: tuple[str, ...], aggregates: dict[str, Any]) -> list[dict[str, Any]]:
    """``aggregates`` per ``group`` (one row per group), or over the whole ``qs`` when no group is given."""
    if not group:
        return [qs.aggregate(**aggregates)]
    return list(qs.values(*group).annotate(**aggregates))


def open_counts(scope: Scope, day: dt.date, group: tuple[str, ...] = ()) -> dict[tuple[Any, ...], dict[str, int]]:
    """Dossiers open at the end of ``day`` (in progress, overdue, at risk), per ``group`` (fields of the
    facts' cells), judged at ``judged_at(day)``: the present instant while ``day`` has not ended. A month end
    that has passed and is kept in ``SnapshotMonth`` is read from the snapshots (a few cells); any other day
    is counted from the facts."""
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    rows: list[dict[str, Any]]
    if day == month_end(day) and passed(day) and SnapshotMonth.objects.filter(day=day).exists():
        rows = _grouped(OpenSnapshot.objects.filter(scope.q(), day=day), group,
                        {k: Coalesce(Sum(k), 0) for k in OPEN_FIELDS})
    else:
        at = judged_at(day)
        rows = _grouped(open_at(scope, at), group, _open_aggregates(at))
    for r in rows:
        if r["in_progress"]:  # overdue and at risk are among the open ones
            out[_group_key(r, group)] = {k: r[k] or 0 for k in OPEN_FIELDS}
    return out


def open_counts_at(scope: Scope, days: list[dt.date]) -> dict[dt.date, dict[str, int]]:
    """``open_counts`` of the whole scope at the end of each of ``days``: the kept month ends that have passed
    in one query, any other day counted from the facts (at the present instant while it has not ended)."""
    zero = dict.fromkeys(OPEN_FIELDS, 0)
    out = {day: dict(zero) for day in days}
    kept = set(SnapshotMonth.objects.filter(day__in=[d for d in days if passed(d)]).values_list("day", flat=True))
    for r in _grouped(OpenSnapshot.objects.filter(scope.q(), day__in=kept), ("day",),
                      {k: Coalesce(Sum(k), 0) for k in OPEN_FIELDS}):
        out[r.pop("day")] = r
    others = sorted(set(days) - kept)
    if others:
        out.update(_counted_at(scope, others))
    return out


def _counted_at(scope: Scope, days: list[dt.date]) -> dict[dt.date, dict[str, int]]:
    """Open dossiers at the end of each of ``days`` counted from the facts, in one query (conditional
    counts over the facts open at some point of the span)."""
    aggregates: dict[str, Any] = {}
    for i, day in enumerate(days):
        aggregates.update(_open_aggregates(judged_at(day), f"_{i}"))
    first, last = judged_at(days[0]), judged_at(days[-1])
    r = DossierFact.objects.filter(scope.q(), received_at__lte=last).filter(
        Q(end_at__isnull=True) | Q(end_at__gt=first)).aggregate(**aggregates)
    return {day: {k: r[f"{k}_{i}"] or 0 for k in OPEN_FIELDS} for i, day in enumerate(days)}


def _open_counts(scope: Scope, at_day: dt.date) -> dict[str, int]:
    return open_counts(scope, at_day).get((), dict.fromkeys(OPEN_FIELDS, 0))


def _split(first: dt.date, last: dt.date) -> tuple[list[tuple[dt.date, dt.date]], tuple[dt.date, dt.date] | None]:
    """[first, last] as the day ranges of its ragged ends and the whole months between them."""
    ragged: list[tuple[dt.date, dt.date]] = []
    start = first
    if first.day != 1:
        ragged.append((first, min(month_end(first), last)))
        start = month_end(first) + dt.timedelta(days=1)
    if start > last:
        return ragged, None
    end = last
    if last != month_end(last):
        tail_start = max(last.replace(day=1), start)
        ragged.append((tail_start, last))
        end = tail_start - dt.timedelta(days=1)
    return ragged, ((start, end) if start <= end else None)


def period_sums(scope: Scope, first: dt.date, last: dt.date,
                group: tuple[str, ...] = ()) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The rollup counters over [first, last] per ``group``: whole months from ``MonthlyRollup``, the ragged
    ends from ``DailyRollup``."""
    ragged, whole = _split(first, last)
    totals = {name: Sum(name) for name in DailyRollup.COUNTERS}
    parts: list[Any] = []
    if whole is not None:
        parts.append(MonthlyRollup.objects.filter(scope.q(), month__gte=whole[0], month__lte=whole[1]))
    if ragged:
        days = Q()
        for a, b in ragged:
            days |= Q(day__gte=a, day__lte=b)
        parts.append(DailyRollup.objects.filter(scope.q()).filter(days))
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for qs in parts:
        for r in _grouped(qs, group, totals):
            if not group and r["received"] is None:
                continue  # an aggregate over no rows
            cell = out.setdefault(_group_key(r, group), zero_counters())
            for name in DailyRollup.COUNTERS:
                cell[name] += r[name] or 0
    return out


def rollup_sums(scope: Scope, first: dt.date, last: dt.date) -> dict[str, Any]:
    return period_sums(scope, first, last).get((), zero_counters())


def summary(scope: Scope, first: dt.date, last: dt.date) -> dict[str, Any]:
    return summary_from(rollup_sums(scope, first, last), _open_counts(scope, last), first, last)


def on_time_counts(unit_ids: frozenset[int], first: dt.date, last: dt.date) -> tuple[int, int]:
    """Indicator 2.1's denominator and numerator for the dossiers received or processed by ``unit_ids``: processed
    in [first, last], and of them early, on time or within time at its end. The "as reported" side of the integrity
    app's honest on-time rate (registered in ``StatsConfig.ready``)."""
    s = summary(Scope(unit_ids=unit_ids), first, last)
    return s["processed"], s["early"] + s["on_time"] + s["within_time"]


CELL = ("receiving_unit_id", "processing_unit_id", "procedure_id")


@dataclass(frozen=True)
class Cells:
    """The rollup counters and open counts of a period per cell (receiving unit, processing unit,
    procedure) for the whole province: many units' summaries from the same two or three queries."""

    sums: dict[tuple[Any, ...], dict[str, Any]]
    opened: dict[tuple[Any, ...], dict[str, int]]
    first: dt.date
    last: dt.date

    @classmethod
    def of(cls, first: dt.date, last: dt.date) -> Cells:
        return cls(period_sums(Scope(), first, last, CELL), open_counts(Scope(), last, CELL), first, last)

    def _mine(self, key: tuple[Any, ...], unit_ids: frozenset[int]) -> bool:
        # ``Scope.q``: received or processed by a unit of the subtree.
        return key[0] in unit_ids or key[1] in unit_ids

    def summary(self, unit_ids: frozenset[int]) -> dict[str, Any]:
        sums = zero_counters()
        for key, cell in self.sums.items():
            if self._mine(key, unit_ids):
                for name in DailyRollup.COUNTERS:
                    sums[name] += cell[name]
        opened = dict.fromkeys(OPEN_FIELDS, 0)
        for key, cell in self.opened.items():
            if self._mine(key, unit_ids):
                for name in OPEN_FIELDS:
                    opened[name] += cell[name]
        return summary_from(sums, opened, self.first, self.last)

    def procedures_with_fee(self, unit_ids: frozenset[int]) -> set[int]:
        return {key[2] for key, cell in self.sums.items() if cell["received_with_fee"] and self._mine(key, unit_ids)}

    def procedures_paid_online(self, unit_ids: frozenset[int]) -> set[int]:
        return {key[2] for key, cell in self.sums.items()
                if cell["received_paid_online"] and self._mine(key, unit_ids)}


def summary_from(sums: dict[str, Any], opened: dict[str, int], first: dt.date, last: dt.date) -> dict[str, Any]:
    """The summary from the period's rollup counters and the counts of dossiers open at its end (judged at
    ``judged_at``). The counts are those of the periodic report, under the same names: ``ended`` in the
    period (``early``, ``on_time``, ``late``; of which ``stopped``) and ``in_progress`` at its end
    (``within_time``, ``overdue``); ``processed`` = ``ended`` + ``in_progress`` (= carried over + received).
    The rates of 766 2.1 count an open dossier on time while within time, late once overdue."""
    early, on_time, late = sums["ended_early"], sums["ended_on_time"], sums["ended_late"]
    in_progress, overdue = opened["in_progress"], opened["overdue"]
    ended = early + on_time + late
    processed = ended + in_progress
    received = sums["received"]
    return {
        "from": first.isoformat(), "to": last.isoformat(),
        "received": received, "processed": processed, "ended": ended, "done": sums["done"],
        "stopped": sums["stopped"], "early": early, "on_time": on_time, "late": late,
        "in_progress": in_progress, "within_time": in_progress - overdue, "overdue": overdue,
        "at_risk": opened["at_risk"],
        "early_rate": rate(early, processed), "on_time_rate": rate(early + on_time + in_progress - overdue, processed),
        "late_rate": rate(late + overdue, processed),
        "avg_working_days": None if not sums["done"] else round(sums["work_days"] / sums["done"], 2),
        "online": sums["received_online"], "online_rate": rate(sums["received_online"], received),
        "fully_online": sums["received_fully_online"],
        "fully_online_rate": rate(sums["received_fully_online"], sums["received_eligible_full"]),
        "eligible_full": sums["received_eligible_full"], "reused_data": sums["received_reused"],
        "reused_data_rate": rate(sums["received_reused"], received),
        "from_store": sums["received_from_store"],
        "apologised": sums["apologised"],
        # 766 3.6: received with a fee, of which paid online.
        "with_fee": sums["received_with_fee"], "paid_online": sums["received_paid_online"],
        "paid_online_rate": rate(sums["received_paid_online"], sums["received_with_fee"]),
        # 766 4.1 and 4.2: done or returned with a result recorded, of which with an electronic result file,
        # and of which with files on the dossier's components too.
        "with_result": sums["ended_result"], "e_result": sums["ended_e_result"],
        "e_result_rate": rate(sums["ended_e_result"], sums["ended_result"]),
        "digitised": sums["ended_digitised"], "digitised_rate": rate(sums["ended_digitised"], sums["ended_result"]),
        # Ratings name an agency and a month, not the unit cells summed here: see ``index766`` (5.4) and the
        # public transparency page.
        "satisfaction": None,
        # The internal target, a separate measure where a procedure sets one: of the dossiers done or returned
        # in the period with a target, those done by it (``within_target_rate``; None when no target is set).
        "with_target": sums["ended_with_target"], "within_target": sums["ended_within_target"],
        "within_target_rate": rate(sums["ended_within_target"], sums["ended_with_target"]),
    }


def carried_over(scope: Scope, first: dt.date) -> int:
    """Dossiers open at the start of the period (received before it, not ended)."""
    return _open_counts(scope, first - dt.timedelta(days=1))["in_progress"]


def months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    day = first.replace(day=1)
    while day <= last:
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((max(day, first), min(nxt - dt.timedelta(days=1), last)))
        day = nxt
    return out


def trend(scope: Scope, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    return [summary(scope, a, b) for a, b in months(first, last)]


def shift_period(first: dt.date, last: dt.date, years: int = 0) -> tuple[dt.date, dt.date]:
    """The previous period of the same length (``years`` = 0) or the same period ``years`` earlier."""
    if years:
        def back(d: dt.date) -> dt.date:
            try:
                return d.replace(year=d.year - years)
            except ValueError:
                return d.replace(year=d.year - years, day=28)
        return back(first), back(last)
    new_last = first - dt.timedelta(days=1)
    if first.day == 1 and last == month_end(last):
        # Whole months (a month, a quarter, a year): the same number of whole months before, labelled by its
        # real bounds (December's previous period is 01/11 – 30/11, not the 30 days before it).
        count = (last.year - first.year) * 12 + last.month - first.month + 1
        year, month = first.year, first.month - count
        while month < 1:
            year, month = year - 1, month + 12
        return dt.date(year, month, 1), new_last
    length = last - first
    return new_last - length, new_last


def by_dimension(scope: Scope, first: dt.date, last: dt.date, dimension: str) -> list[dict[str, Any]]:
    """Ended-in-period counts per ``processing_unit`` / ``receiving_unit`` / ``procedure``."""
    field = f"{dimension}_id"
    rows = (DailyRollup.objects.filter(scope.q(), day__gte=first, day__lte=last).values(field)
            .annotate(received=Sum("received"), ended=Sum("ended"), early=Sum("ended_early"),
                      on_time=Sum("ended_on_time"), late=Sum("ended_late"))
            .order_by(field))
    return [dict(r, key=r.pop(field)) for r in rows]

