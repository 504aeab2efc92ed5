"""KPIs of a unit subtree (or the whole tree), optionally one procedure, over a period of local days, by
the rules of indicator 2.1 (``rules``). Counts come from the daily rollups (by day of acceptance and
by day processing ended) plus the dossiers open at the end of the period, judged at that instant from
the pre-computed instants of ``DossierFact`` (the same decisions as ``rules.classify``).

Definitions (docs/stats.md):
- ``received``: accepted in the period; ``done``: processing done or result returned in the period;
  ``stopped``: stopped in the period;
- the dossiers *processed in the period* (the 766 2.1 denominator) are those that ended in it plus those
  still open at its end; each is ``early``, ``on_time`` or ``late`` (disjoint);
- ``in_progress``: open at the end of the period, ``overdue`` of them late, ``at_risk`` of them not late
  with less than one working day left;
- ``on_time_rate`` = (early + on_time) ÷ processed (766 2.1); ``early_rate`` = early ÷ processed;
- ``avg_working_days`` = working days from clock start to end, supplement time subtracted, over ``done``
  (766 2.2); rates are None when the denominator is 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from motcua.accounts.models import OrgUnit

from .models import DailyRollup, DossierFact

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def end_instant(day: dt.date) -> dt.datetime:
    """The last instant of a local day: a dossier that ended on ``day`` has ended by then."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=VN)


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


def open_at(scope: Scope, at: dt.datetime) -> QuerySet[DossierFact]:
    return DossierFact.objects.filter(scope.q(), received_at__lte=at).filter(
        Q(end_at__isnull=True) | Q(end_at__gt=at))


def late_at_q(at: dt.datetime) -> Q:
    """Whether an open dossier is late at ``at`` — ``rules.classify`` on the stored instants."""
    waiting = Q(supp1_req_at__lte=at) & (Q(supp1_done_at__isnull=True) | Q(supp1_done_at__gt=at))
    return (
        Q(supp2_req_at__lte=at)
        | (waiting & Q(promised_at__isnull=False) & Q(supp1_req_at__gt=F("promised_at")))
        | (~waiting & Q(supp1_done_at__lte=at) & Q(deadline_shifted__lt=at))
        | (~waiting & (Q(supp1_done_at__isnull=True) | Q(supp1_done_at__gt=at)) & Q(promised_at__lt=at))
    )


def _open_counts(scope: Scope, at: dt.datetime) -> dict[str, int]:
    late = late_at_q(at)
    r = open_at(scope, at).aggregate(
        in_progress=Count("pk"), overdue=Count("pk", filter=late),
        at_risk=Count("pk", filter=~late & Q(risk_at__lte=at)))
    return {k: v or 0 for k, v in r.items()}


def rollup_sums(scope: Scope, first: dt.date, last: dt.date) -> dict[str, Any]:
    r = DailyRollup.objects.filter(scope.q(), day__gte=first, day__lte=last).aggregate(
        **{name: Coalesce(Sum(name), 0 if name != "work_days" else 0.0) for name in DailyRollup.COUNTERS})
    return r


def summary(scope: Scope, first: dt.date, last: dt.date) -> dict[str, Any]:
    sums = rollup_sums(scope, first, last)
    opened = _open_counts(scope, end_instant(last))
    # An open dossier is early never, late when overdue, else on time.
    early = sums["ended_early"]
    on_time = sums["ended_on_time"] + opened["in_progress"] - opened["overdue"]
    late = sums["ended_late"] + opened["overdue"]
    processed = early + on_time + late
    received = sums["received"]
    return {
        "from": first.isoformat(), "to": last.isoformat(),
        "received": received, "processed": processed, "done": sums["done"], "stopped": sums["stopped"],
        "early": early, "on_time": on_time, "late": late,
        "in_progress": opened["in_progress"], "overdue": opened["overdue"], "at_risk": opened["at_risk"],
        "early_rate": rate(early, processed), "on_time_rate": rate(early + on_time, processed),
        "late_rate": rate(late, processed),
        "avg_working_days": None if not sums["done"] else round(sums["work_days"] / sums["done"], 2),
        "online": sums["received_online"], "online_rate": rate(sums["received_online"], received),
        "fully_online": sums["received_fully_online"],
        "fully_online_rate": rate(sums["received_fully_online"], sums["received_eligible_full"]),
        "reused_data_rate": rate(sums["received_reused"], received),
        "apologised": sums["apologised"],
        # Not recorded by the system yet (see docs/stats.md): never invented.
        "paid_online_rate": None, "digitised_rate": None, "satisfaction": None,
    }


def carried_over(scope: Scope, first: dt.date) -> int:
    """Dossiers open at the start of the period (received before it, not ended)."""
    before = start_instant(first) - dt.timedelta(microseconds=1)
    return open_at(scope, before).count()


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
    length = last - first
    new_last = first - dt.timedelta(days=1)
    return new_last - length, new_last


def by_dimension(scope: Scope, first: dt.date, last: dt.date, dimension: str) -> list[dict[str, Any]]:
    """Ended-in-period counts per ``processing_unit`` / ``receiving_unit`` / ``procedure``."""
    field = f"{dimension}_id"
    rows = (DailyRollup.objects.filter(scope.q(), day__gte=first, day__lte=last).values(field)
            .annotate(received=Sum("received"), ended=Sum("ended"), early=Sum("ended_early"),
                      on_time=Sum("ended_on_time"), late=Sum("ended_late"))
            .order_by(field))
    return [dict(r, key=r.pop(field)) for r in rows]

