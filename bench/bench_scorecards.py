"""Reform scorecards: the ranking of 20 agencies on a tree whose automatic leaves read a province-year of
generated dossiers (1,000,000; ``--quick`` 5,000), p50 and p95 with the queries counted.

Three figures, each as a ratio to a baseline measured in the same run:
- ``read``: the measures of the 20 agencies (``metrics.read_many``: one reading of the period's rollups for
  every agency, the survey and the register) against the 766 index computed agency by agency
  (``index766.compute`` per agency: what a per-agency loop would do);
- ``recompute``: filling every automatic leaf of the 20 assessments (``services.recompute``: the reading and
  the writes, in the steady state where the data has not moved) against that reading alone;
- ``ranking``: the ranking page's data (``selectors.ranking``: totals, areas, ranks, last year) against one
  province summary (``kpi.summary``), the cheapest read of the dashboard.
Runs on the configured database (SQLite by default; DATABASE_URL for PostgreSQL: a test database is created and
dropped)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from common import in_test_db, times


def run(args: Any) -> None:
    in_test_db(_measure, args)


def _queries(fn: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


METRICS = ["on_time_rate", "early_rate", "online_rate", "fully_online_rate", "paid_online_rate", "e_result_rate",
           "digitised_rate", "reused_data_rate", "catalogue_complete", "feedback_on_time", "feedback_satisfaction",
           "dossier_satisfaction", "survey_index", "legal_lawful"]


def _spec(year: int) -> dict[str, Any]:
    """Eight areas of 12.5 points: four manual leaves of 1.5 each and, in every area, automatic leaves taking
    the remaining 6.5 points in turn from the measures above (every measure used at least once)."""
    nodes = []
    for area in range(1, 9):
        leaves: list[dict[str, Any]] = [{"code": f"{area}.{i}", "name": f"Tiêu chí {area}.{i}", "max_points": "1.5"}
                                        for i in range(1, 5)]
        for j, points in enumerate(("2.5", "2", "2"), start=5):
            metric = METRICS[(area * 3 + j) % len(METRICS)]
            leaves.append({"code": f"{area}.{j}", "name": f"Tiêu chí {area}.{j}", "max_points": points,
                           "method": "formula", "metric": metric, "rule": "proportional", "target": "0.9"})
        nodes.append({"code": str(area), "name": f"Lĩnh vực {area}", "max_points": "12.5", "children": leaves})
    return {"scheme": "par-bench", "year": year, "name": f"Bench {year}", "nodes": nodes,
            "data_from": f"{year}-01-01", "data_to": f"{year}-12-31",
            "bands": [{"code": "A", "min": 90}, {"code": "B", "min": 80}, {"code": "C", "min": 70}]}


def _measure(args: Any, vendor: str) -> None:
    from motcua.accounts.choices import UnitKind
    from motcua.accounts.models import OrgUnit
    from motcua.scorecards import metrics, services
    from motcua.scorecards.selectors import ranking
    from motcua.stats import index766, kpi
    from motcua.stats.generate import generate

    n = 5_000 if args.quick else 1_000_000
    t0 = time.perf_counter()
    generate(n, agencies=20, first=dt.date(2024, 1, 1), last=dt.date(2025, 12, 31), seed=1, stream=sys.stderr)
    print(f"generation + rebuild of {n} dossiers: {(time.perf_counter() - t0) / 60:.1f} min", flush=True)
    agencies = list(OrgUnit.objects.filter(kind=UnitKind.AGENCY).order_by("code"))[:20]
    last_year = services.create_tree(_spec(2024))
    this_year = services.create_tree(_spec(2025))
    services.open_assessments(last_year, agencies)
    services.open_assessments(this_year, agencies)
    leaves = services.leaves(this_year)
    print(f"{len(agencies)} agencies, {len(leaves)} leaves of which {sum(1 for x in leaves if x.automatic)} "
          f"automatic, {len({x.metric for x in leaves if x.automatic})} measures", flush=True)
    repeat = 5 if args.quick else 10
    first, last = this_year.data_from, this_year.data_to

    def per_agency() -> None:
        for a in agencies:
            index766.compute(kpi.Scope(kpi.subtree_ids(a)), first, last)

    scope = services.agency_scope(list(this_year.assessments.select_related("agency")))
    keys = {x.metric for x in leaves if x.automatic}

    def read() -> None:
        metrics.read_many(scope, keys, first, last)

    m50, m95 = times(read, repeat)
    b50, b95 = times(per_agency, max(3, repeat // 2))
    print(f"read the measures of 20 agencies: p50 = {m50 / b50:.2f} x, p95 = {m95 / b95:.2f} x the per-agency "
          f"loop ({_queries(read)} queries against {_queries(per_agency)})")
    r50, r95 = times(lambda: services.recompute(this_year), repeat)
    print(f"recompute 20 assessments: p50 = {r50 / m50:.2f} x, p95 = {r95 / m95:.2f} x the reading alone "
          f"({_queries(lambda: services.recompute(this_year))} queries)")
    k50, k95 = times(lambda: ranking.ranking(this_year), repeat * 2)
    s50, s95 = times(lambda: kpi.summary(kpi.Scope(), first, last), repeat * 2)
    data = ranking.ranking(this_year)
    print(f"ranking of {data['count']} agencies with last year: p50 = {k50 / s50:.2f} x, p95 = {k95 / s95:.2f} x "
          f"one province summary ({_queries(lambda: ranking.ranking(this_year))} queries)")
    print(f"({vendor}) absolute, for the record: recompute p95 {r95 * 1000:.0f} ms, ranking p95 {k95 * 1000:.1f} ms")
