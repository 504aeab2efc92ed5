"""Reads of the statistics pages: whose dashboard, KPIs with comparisons, month-by-month trends,
breakdowns by unit and officer, the dossiers behind a number, the ranking of agencies and the public
transparency figures. Every function runs a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, unit_ids_in_scope
from motcua.catalogue.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.surveys import selectors as survey_selectors

from . import index766, kpi
from .forms import Period, last_full_months, month_range
from .models import DossierFact, MonthlyRollup, PublishedResults

AGENCY_KINDS = (UnitKind.AGENCY, UnitKind.SERVICE_CENTRE, UnitKind.COMMUNE)


# --- who sees what -------------------------------------------------------------------------------------


def may_view_stats(user: User) -> bool:
    return user.is_authenticated and has_capability(user, Capability.VIEW_STATS)


def sees_province(user: User) -> bool:
    return may_view_stats(user) and unit_ids_in_scope(user, Capability.VIEW_STATS) is None


def home_unit(user: User) -> OrgUnit | None:
    """The unit whose dashboard the user sees first (the top of their scope); None: the whole province."""
    if not may_view_stats(user):
        raise PermissionDenied
    ids = unit_ids_in_scope(user, Capability.VIEW_STATS)
    if ids is None:
        return None
    unit = OrgUnit.objects.filter(pk__in=ids).order_by("path").first()
    if unit is None:
        raise PermissionDenied
    return unit


def unit_for(user: User, code: str) -> OrgUnit:
    """The unit of ``code`` if the user may see its statistics; 404 / 403 otherwise."""
    from django.http import Http404

    unit = OrgUnit.objects.filter(code=code).select_related("parent").first()
    if unit is None:
        raise Http404
    if not has_capability(user, Capability.VIEW_STATS, unit):
        raise PermissionDenied
    return unit


@dataclass(frozen=True)
class ProcessingScope(kpi.Scope):
    """Dossiers *processed* by a unit of ``unit_ids`` (the breakdowns by unit count by processing unit)."""

    def q(self, prefix: str = "") -> Q:
        q = Q()
        if self.unit_ids is not None:
            q &= Q(**{f"{prefix}processing_unit_id__in": self.unit_ids})
        if self.procedure_ids is not None:
            q &= Q(**{f"{prefix}procedure_id__in": self.procedure_ids})
        return q


def scope_of(unit: OrgUnit | None, side: str = "") -> kpi.Scope:
    """The dossiers received or processed in the unit's subtree; ``side`` "processing": processed there;
    "own": processed in the subtree but not under one of the unit's current children (the breakdown's first
    row)."""
    ids = None if unit is None else kpi.subtree_ids(unit)
    if side == "own" and unit is not None and ids is not None:
        below = subtrees(children_of(unit))
        ids = ids - frozenset().union(*below.values())
    return ProcessingScope(ids) if side in ("processing", "own") else kpi.Scope(ids)


# --- KPIs and comparisons ------------------------------------------------------------------------------

# (key, format, drill-down measure or ""): the counts of the periodic report under its names (ended in the
# period by class, of which stopped; in progress at its end, within time or overdue), then the rates.
KPI_KEYS = (("received", "count", "received"), ("processed", "count", "processed"), ("ended", "count", "ended"),
            ("early", "count", "early"), ("on_time", "count", "on_time"), ("late", "count", "late"),
            ("stopped", "count", "stopped"), ("in_progress", "count", "in_progress"),
            ("within_time", "count", "within_time"), ("overdue", "count", "overdue"),
            ("at_risk", "count", "at_risk"), ("on_time_rate", "rate", ""), ("early_rate", "rate", ""),
            ("avg_working_days", "days", ""), ("online_rate", "rate", ""), ("within_target_rate", "rate", ""))
# Shown only where some dossier of the periods compared has it (the internal target is optional).
OPTIONAL_KPIS = ("within_target_rate",)


def _delta(value: Any, other: Any) -> float | None:
    if value is None or other is None:
        return None
    return round(value - other, 4)


def kpis(scope: kpi.Scope, period: Period) -> dict[str, Any]:
    """The period's summary beside the previous period of the same length and the same period a year before."""
    current = kpi.summary(scope, period.first, period.last)
    previous_span = kpi.shift_period(period.first, period.last)
    year_span = kpi.shift_period(period.first, period.last, years=1)
    previous = kpi.summary(scope, *previous_span)
    year = kpi.summary(scope, *year_span)
    rows = [{"key": key, "format": fmt, "measure": measure, "value": current[key], "previous": previous[key],
             "last_year": year[key], "vs_previous": _delta(current[key], previous[key]),
             "vs_last_year": _delta(current[key], year[key])} for key, fmt, measure in KPI_KEYS]
    # A period not yet over is judged at the present instant (``kpi.judged_at``): the page says so.
    return {"summary": current, "rows": {r["key"]: r for r in rows}, "list": rows,
            "previous_span": previous_span, "year_span": year_span,
            "judged_at": kpi.judged_at(period.last), "ongoing": not kpi.passed(period.last)}


def trend_months(last: dt.date, count: int = 12) -> list[tuple[dt.date, dt.date]]:
    """The ``count`` calendar months ending with the month of ``last`` (whole months)."""
    year, month = last.year, last.month - count + 1
    while month < 1:
        year, month = year - 1, month + 12
    return kpi.months(dt.date(year, month, 1), month_range(last.year, last.month)[1])


def monthly(scope: kpi.Scope, spans: list[tuple[dt.date, dt.date]]) -> list[dict[str, Any]]:
    """The figures of ``kpi.summary`` for each span (whole calendar months, as ``trend_months`` gives) in three
    queries: the monthly rollups grouped by month, and the dossiers open at each month's end (the kept
    snapshots; a month end not kept is counted from the facts)."""
    sums: dict[dt.date, dict[str, int]] = {}
    for r in (MonthlyRollup.objects.filter(scope.q(), month__gte=spans[0][0].replace(day=1), month__lte=spans[-1][1])
              .values("month").annotate(received=Sum("received"), done=Sum("done"), early=Sum("ended_early"),
                                        on_time=Sum("ended_on_time"), late=Sum("ended_late"))):
        sums[r.pop("month")] = r
    opened = kpi.open_counts_at(scope, [b for _a, b in spans])
    out = []
    for a, b in spans:
        r = sums.get(a.replace(day=1), {})
        early = r.get("early") or 0
        o = opened[b]
        on_time, late = r.get("on_time") or 0, r.get("late") or 0
        within = o["in_progress"] - o["overdue"]
        processed = early + on_time + late + o["in_progress"]
        out.append({"from": a, "to": b, "label": f"{b:%m/%y}", "received": r.get("received") or 0,
                    "done": r.get("done") or 0, "early": early, "on_time": on_time, "late": late,
                    "processed": processed, "in_progress": o["in_progress"], "overdue": o["overdue"],
                    "early_rate": kpi.rate(early, processed),
                    "on_time_rate": kpi.rate(early + on_time + within, processed)})
    return out


# --- breakdowns ----------------------------------------------------------------------------------------


def _counts(scope: kpi.Scope, period: Period, key: str) -> dict[Any, dict[str, int]]:
    """Early / on time / late / received / done per ``key`` (a field of both rollups and facts)."""
    out: dict[Any, dict[str, int]] = {}
    for (value,), r in kpi.period_sums(scope, period.first, period.last, (key,)).items():
        out[value] = {"received": r["received"], "done": r["done"], "early": r["ended_early"],
                      "on_time": r["ended_on_time"], "late": r["ended_late"], "stopped": r["stopped"]}
    for (value,), r in kpi.open_counts(scope, period.last, (key,)).items():
        row = out.setdefault(value, {"received": 0, "done": 0, "early": 0, "on_time": 0, "late": 0})
        row["in_progress"], row["overdue"] = r["in_progress"], r["overdue"]
    return out


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    """A breakdown row with the summary's definitions (``kpi.summary_from``): ended by class, in progress
    within time or overdue, processed = ended + in progress, the rates of 766 2.1."""
    row.setdefault("in_progress", 0)
    row.setdefault("overdue", 0)
    row["ended"] = row["early"] + row["on_time"] + row["late"]
    row["within_time"] = row["in_progress"] - row["overdue"]
    row["processed"] = row["ended"] + row["in_progress"]
    row["early_rate"] = kpi.rate(row["early"], row["processed"])
    row["on_time_rate"] = kpi.rate(row["early"] + row["on_time"] + row["within_time"], row["processed"])
    return row


def _add(total: dict[str, int], part: dict[str, int]) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0) + v


def children_of(unit: OrgUnit | None) -> list[OrgUnit]:
    """The rows of a dashboard's breakdown: the agencies of the province, else the unit's direct children."""
    if unit is None:
        return list(OrgUnit.objects.current().filter(kind__in=AGENCY_KINDS).order_by("name"))
    return list(OrgUnit.objects.current().filter(parent=unit).order_by("name"))


def by_unit(parent: OrgUnit | None, children: list[OrgUnit], period: Period) -> list[dict[str, Any]]:
    """Per child unit (its subtree), the dossiers it processed: two queries for all children."""
    scope = scope_of(parent, "processing")
    counts = _counts(scope, period, "processing_unit_id")
    paths = dict(OrgUnit.objects.filter(pk__in=list(counts)).values_list("pk", "path")) if counts else {}
    rows = []
    placed: set[int] = set()
    for child in children:
        total: dict[str, int] = {"received": 0, "done": 0, "early": 0, "on_time": 0, "late": 0}
        for unit_id, row in counts.items():
            if paths.get(unit_id, "").startswith(child.path):
                _add(total, row)
                placed.add(unit_id)
        rows.append({"unit": child, "own": False, **_finish(total)})
    rest = [row for unit_id, row in counts.items() if unit_id not in placed]
    if parent is not None and rest:
        # Dossiers processed at the unit itself (no division named): one row, first.
        total = {"received": 0, "done": 0, "early": 0, "on_time": 0, "late": 0}
        for row in rest:
            _add(total, row)
        rows.insert(0, {"unit": parent, "own": True, **_finish(total)})
    return rows


def _held_in(unit_ids: frozenset[int] | None, officer: int | None = None) -> Q:
    """Facts of dossiers with a step held by an officer (``officer``, or anyone) in ``unit_ids`` (None: any
    unit). Both conditions name the same step row (one ``filter`` call)."""
    q = Q(dossier__steps__actor__isnull=False)
    if officer is not None:
        q &= Q(dossier__steps__actor_id=officer)
    if unit_ids is not None:
        q &= Q(dossier__steps__unit_id__in=unit_ids)
    return q


def by_officer(unit: OrgUnit, period: Period) -> list[dict[str, Any]]:
    """Per officer who held a step of the unit (its subtree), the dossiers they worked on that ended in the
    period or were open at its end: every officer who held a step is credited (Circular 01/2018 Art. 14 scores
    each officer), not only the one a dossier is assigned to now, which is cleared when the last step closes.
    Rollups have no officer, so this counts facts: three queries."""
    held = _held_in(kpi.subtree_ids(unit))
    at = kpi.judged_at(period.last)
    key = "dossier__steps__actor"

    def count(q: Q | None = None) -> Count:
        return Count("pk", filter=q, distinct=True)

    ended = (DossierFact.objects.filter(held, end_day__gte=period.first, end_day__lte=period.last)
             .values(key).annotate(early=count(Q(end_class="early")), on_time=count(Q(end_class="on_time")),
                                   late=count(Q(end_class="late")),
                                   done=count(Q(end_kind__in=("done", "returned")))))
    counts: dict[Any, dict[str, int]] = {r.pop(key): dict(r, received=0) for r in ended}
    for r in (DossierFact.objects.filter(held, kpi.open_q(at)).values(key)
              .annotate(open=count(), overdue=count(kpi.late_at_q(at)))):
        row = counts.setdefault(r[key], {"received": 0, "done": 0, "early": 0, "on_time": 0, "late": 0})
        row["in_progress"], row["overdue"] = r["open"], r["overdue"]
    names = {u.pk: u for u in User.objects.filter(pk__in=[k for k in counts if k is not None])}
    rows = [{"officer": names.get(k), "officer_id": k, **_finish(v)} for k, v in counts.items()]
    return sorted(rows, key=lambda r: (r["officer"] is None, r["officer"].get_full_name() if r["officer"] else ""))


# --- the dossiers behind a number ----------------------------------------------------------------------

MEASURES = ("received", "processed", "ended", "done", "stopped", "early", "on_time", "late", "in_progress",
            "within_time", "overdue", "at_risk", "online", "carried_over")


def measure_q(measure: str, first: dt.date, last: dt.date) -> Q:
    """The facts counted by ``measure`` in the period (the definitions of ``kpi.summary``; open dossiers judged
    at ``kpi.judged_at``: the present instant while the period has not ended)."""
    at = kpi.judged_at(last)
    ended = Q(end_day__gte=first, end_day__lte=last)
    is_open = kpi.open_q(at)
    late = is_open & kpi.late_at_q(at)
    received = Q(received_day__gte=first, received_day__lte=last)
    before = kpi.judged_at(first - dt.timedelta(days=1))
    table = {
        "received": received, "online": received & Q(online=True),
        "processed": ended | is_open, "ended": ended, "done": ended & Q(end_kind__in=("done", "returned")),
        "stopped": ended & Q(end_kind="stopped"), "early": ended & Q(end_class="early"),
        "on_time": ended & Q(end_class="on_time"), "late": ended & Q(end_class="late"),
        "in_progress": is_open, "within_time": is_open & ~kpi.late_at_q(at), "overdue": late,
        "at_risk": is_open & ~kpi.late_at_q(at) & Q(risk_at__lte=at),
        "carried_over": kpi.open_q(before),
    }
    return table[measure]


def dossiers_behind(scope: kpi.Scope, measure: str, first: dt.date, last: dt.date,
                    officer: int | None = None) -> QuerySet[Dossier]:
    if officer is not None:
        # The officer's row of a unit's dashboard: the dossiers with a step they held in the unit (``by_officer``).
        facts = DossierFact.objects.filter(_held_in(scope.unit_ids, officer), measure_q(measure, first, last))
    else:
        facts = DossierFact.objects.filter(scope.q(), measure_q(measure, first, last))
    return (Dossier.objects.filter(pk__in=facts.values("dossier_id"))
            .select_related("procedure", "processing_unit", "receiving_unit", "stats_fact")
            .order_by("-received_at", "-id"))


# --- ranking -------------------------------------------------------------------------------------------


def _ranks(rows: list[dict[str, Any]], key: str) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) on ``key``, highest first; a row without a value has no rank."""
    values = sorted((r[key] for r in rows if r[key] is not None), reverse=True)
    return {r["unit"].pk: values.index(r[key]) + 1 for r in rows if r[key] is not None}


def _scores(agencies: list[OrgUnit], subtrees: dict[int, frozenset[int]], first: dt.date,
            last: dt.date) -> list[dict[str, Any]]:
    computed = index766.compute_many({a.pk: subtrees[a.pk] for a in agencies}, first, last)
    rows = []
    for agency in agencies:
        index, s = computed[agency.pk]
        progress = index["groups"][1]["indicators"][0]
        # Nothing computable (no dossier, no published procedure): no score, so no rank, rather than a 0 that
        # would rank an agency the system knows nothing about beside one that scored nothing.
        total = index["total"] if index["max_points_computed"] else None
        rows.append({"unit": agency, "total": total, "max_points_computed": index["max_points_computed"],
                     "on_time_rate": progress["value"], "early_rate": s["early_rate"], "processed": s["processed"]})
    return rows


def subtrees(units: Iterable[OrgUnit]) -> dict[int, frozenset[int]]:
    everything = list(OrgUnit.objects.values_list("pk", "path"))
    return {u.pk: frozenset(pk for pk, path in everything if path.startswith(u.path)) for u in units}


RANK_KEYS = ("total", "on_time_rate", "early_rate")


def ranking(first: dt.date, last: dt.date) -> dict[str, Any]:
    """The agencies of the province ranked on the computed 766 total and on the on-time and early rates, with
    the change of rank since the previous period of the same length (positive: moved up)."""
    agencies = list(OrgUnit.objects.current().filter(kind=UnitKind.AGENCY).order_by("name"))
    trees = subtrees(agencies)
    previous_span = kpi.shift_period(first, last)
    rows = _scores(agencies, trees, first, last)
    before = _scores(agencies, trees, *previous_span)
    for key in RANK_KEYS:
        now, then = _ranks(rows, key), _ranks(before, key)
        for r in rows:
            pk = r["unit"].pk
            r[f"{key}_rank"] = now.get(pk)
            r[f"{key}_previous_rank"] = then.get(pk)
            r[f"{key}_change"] = (then[pk] - now[pk]) if pk in now and pk in then else None
    rows.sort(key=lambda r: (r["total_rank"] is None, r["total_rank"] or 0, r["unit"].name))
    return {"from": first, "to": last, "previous_from": previous_span[0], "previous_to": previous_span[1],
            "rows": rows}


# --- public transparency -------------------------------------------------------------------------------


def _ratings(first: dt.date, last: dt.date) -> dict[tuple[int, str], tuple[int, int]]:
    """(agency id, procedure code) → (answers to the overall question, satisfied: 4 or 5 of 5)."""
    return survey_selectors.overall_question_counts(first, last)


def _agency_of(units: dict[int, OrgUnit]) -> dict[int, OrgUnit]:
    agencies = [u for u in units.values() if u.kind in AGENCY_KINDS]
    out = {}
    for pk, unit in units.items():
        best = max((a for a in agencies if unit.path.startswith(a.path)), key=lambda a: len(a.path), default=None)
        if best is not None:
            out[pk] = best
    return out


def transparency(today: dt.date) -> dict[str, Any]:
    """Per agency and procedure over the last 12 whole months: dossiers processed, early and on-time rates
    (indicator 2.1), and the satisfaction index from ratings. Counts only: no personal data."""
    first, last = last_full_months(today)
    by_procedure: dict[tuple[int, int], dict[str, int]] = {}
    cell = ("processing_unit_id", "procedure_id")
    for key, r in kpi.period_sums(kpi.Scope(), first, last, cell).items():
        by_procedure[key] = {"early": r["ended_early"], "on_time": r["ended_on_time"], "late": r["ended_late"]}
    for key, r in kpi.open_counts(kpi.Scope(), last, cell).items():
        row = by_procedure.setdefault(key, {"early": 0, "on_time": 0, "late": 0})
        row["in_progress"], row["overdue"] = r["in_progress"], r["overdue"]
    units = {u.pk: u for u in OrgUnit.objects.all()}
    agency_of = _agency_of(units)
    procedures = {p.pk: p for p in Procedure.objects.filter(pk__in={k[1] for k in by_procedure}).only("code", "name")}
    ratings = _ratings(first, last)
    agencies: dict[int, dict[str, Any]] = {}
    for (unit_id, procedure_id), row in by_procedure.items():
        agency = agency_of.get(unit_id)
        if agency is None:
            continue
        entry = agencies.setdefault(agency.pk, {"agency": agency, "procedures": {}, "totals": {}})
        cell = entry["procedures"].setdefault(procedure_id, {})
        _add(cell, row)
        _add(entry["totals"], row)
    out = []
    for entry in sorted(agencies.values(), key=lambda e: e["agency"].name):
        agency = entry["agency"]
        rows = []
        for procedure_id, cell in entry["procedures"].items():
            p = procedures[procedure_id]
            rows.append(_public_row(agency, p, cell, ratings))
        rows.sort(key=lambda r: r["procedure_name"])
        out.append({"agency_code": agency.code, "agency_name": agency.name,
                    "totals": _public_row(agency, None, entry["totals"], ratings), "procedures": rows})
    return {"from": first, "to": last, "ratings_recorded": ratings is not None, "agencies": out}


def published_results(today: dt.date) -> PublishedResults | None:
    """The last computation of the public results of the 12 whole months before ``today``, if any."""
    return PublishedResults.objects.filter(last=last_full_months(today)[1]).first()


def published_token() -> str:
    """The public pages' revision token (``core.pagecache``): which computation of which period they show."""
    row = PublishedResults.objects.filter(last=last_full_months(timezone.localdate())[1]).values_list(
        "pk", "built_at").first()
    return f"{row[0]}:{row[1].isoformat()}" if row else ""


def results_data(row: PublishedResults) -> dict[str, Any]:
    """A published row as ``transparency`` gave it (its dates are dates again), with the instant it was computed."""
    return {**row.data, "from": row.first, "to": row.last, "computed_at": row.built_at}


def _public_row(agency: OrgUnit, procedure: Procedure | None, cell: dict[str, int],
                ratings: dict[tuple[int, str], tuple[int, int]] | None) -> dict[str, Any]:
    row = _finish({"early": cell.get("early", 0), "on_time": cell.get("on_time", 0), "late": cell.get("late", 0),
                   "in_progress": cell.get("in_progress", 0), "overdue": cell.get("overdue", 0)})
    # The public figures are indicator 2.1's classes over the dossiers processed: an open dossier is on time
    # while within time, late once overdue (the same counts, grouped as 766 groups them).
    row["on_time"] += row["within_time"]
    row["late"] += row["overdue"]
    if ratings is None:
        n = satisfied = 0
    elif procedure is None:
        n = sum(v[0] for (a, _p), v in ratings.items() if a == agency.pk)
        satisfied = sum(v[1] for (a, _p), v in ratings.items() if a == agency.pk)
    else:
        n, satisfied = ratings.get((agency.pk, procedure.code), (0, 0))
    # Fewer answers than the surveys' minimum group: neither the count nor the share is published, so that
    # no one reads a single citizen's answer (``surveys.selectors.minimum_group``).
    if n < survey_selectors.minimum_group():
        n, satisfied = 0, 0
    return {"agency_code": agency.code, "agency_name": agency.name,
            "procedure_code": procedure.code if procedure else "",
            "procedure_name": procedure.name if procedure else "",
            "processed": row["processed"], "early": row["early"], "on_time": row["on_time"], "late": row["late"],
            "early_rate": row["early_rate"], "on_time_rate": row["on_time_rate"],
            "ratings": n, "satisfaction": kpi.rate(satisfied, n)}


OPEN_DATA_FIELDS = ("agency_code", "agency_name", "procedure_code", "procedure_name", "processed", "early",
                    "on_time", "late", "early_rate", "on_time_rate", "ratings", "satisfaction")


def open_data_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per agency and procedure (the agency totals are not repeated: sum the rows)."""
    return [{k: row[k] for k in OPEN_DATA_FIELDS} for agency in data["agencies"] for row in agency["procedures"]]
