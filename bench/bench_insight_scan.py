"""Integrity scan (``motcua insight scan``, issue 22): the scan of every dossier's events with the seven rules, as a
ratio to a bare walk of the same rows (the same pages of dossiers and their events, no rule), p50 of a few runs, on
a generated history with the integrity patterns planted (``motcua.stats.plant``); and each rule's precision and
recall against the planted ground truth. Size: ``MOTCUA_BENCH_INSIGHT_DOSSIERS`` dossiers (default 20,000;
``--quick`` 3,000; the issue's one million takes hours of generation on SQLite: use PostgreSQL and
``MOTCUA_BENCH_WORKERS``, the generator's processes, default 1), with ``MOTCUA_BENCH_REPEAT`` pairs of runs (default
5). Runs on the configured database (SQLite by default; DATABASE_URL for PostgreSQL: a test database is created and
dropped)."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from collections import defaultdict
from typing import Any

from common import in_test_db


def run(args: Any) -> None:
    if os.environ.get("MOTCUA_BENCH_INSIGHT_EXISTING"):
        # The configured database as it is (a history generated before, e.g. the million of the issue, whose
        # generation takes longer than the measurement): the timings only, no ground truth to compare with.
        from django.db import connection

        _timings(connection.vendor, int(os.environ.get("MOTCUA_BENCH_REPEAT", "5")), full=False)
        return
    in_test_db(_measure, args)


def _measure(args: Any, vendor: str) -> None:
    from motcua.dossiers.models import Dossier
    from motcua.insight.models import Flag, Rule
    from motcua.stats import plant
    from motcua.stats.generate import generate

    n = 3_000 if args.quick else int(os.environ.get("MOTCUA_BENCH_INSIGHT_DOSSIERS", "20000"))
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    t0 = time.perf_counter()
    workers = int(os.environ.get("MOTCUA_BENCH_WORKERS", "1"))
    generate(n, agencies=5, first=first, last=last, seed=3, stream=sys.stderr, rebuild=False, workers=workers)
    truth = plant.plant(seed=3, first=first, last=last, agencies=5)
    print(f"generation of {n} dossiers + {len({t['dossier'] for t in truth})} planted: "
          f"{time.perf_counter() - t0:.0f} s", flush=True)
    _timings(vendor, int(os.environ.get("MOTCUA_BENCH_REPEAT", "5")))
    codes: dict[int, str] = {i: c or "" for i, c in Dossier.objects.values_list("id", "code")}
    found: dict[str, set[str]] = defaultdict(set)
    for f in Flag.objects.all():
        ids = f.dossier_ids if f.rule in (Rule.APOLOGY_ROUTINE, Rule.BURST) else [f.dossier_id] if f.dossier_id else []
        found[f.rule] |= {codes[i] for i in ids}
    wanted: dict[str, set[str]] = defaultdict(set)
    for t in truth:
        wanted[t["rule"]].add(t["dossier"])
    for rule in Rule.values:
        hit = len(found[rule] & wanted[rule])
        precision = hit / len(found[rule]) if found[rule] else 0.0
        print(f"  {rule}: precision {precision:.2f}, recall {hit / len(wanted[rule]):.2f} "
              f"({len(found[rule])} flagged, {len(wanted[rule])} planted)")


def _timings(vendor: str, repeat: int, full: bool = True) -> None:
    """The scan's ratios to a bare walk; without ``full``, no warm-up walk and no re-scan (on a big history each
    walk takes minutes)."""
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.insight.integrity import scan

    dossiers, events = Dossier.objects.count(), DossierEvent.objects.count()
    # The machine may be shared: each scan is timed right after a bare walk and the ratio of the pair kept, then the
    # median of the pairs (the ratios, not two medians taken at different moments).

    def pair(work: Any) -> tuple[float, Any]:
        t0 = time.perf_counter()
        scan.bare_scan()
        bare = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = work()
        return (time.perf_counter() - t0) / bare, result

    if full:
        scan.bare_scan()  # warm
    ratios = sorted(pair(lambda: scan.scan(write=False))[0] for _ in range(repeat))
    write, report = pair(scan.scan)
    print(f"{vendor}: {dossiers} dossiers, {events} events; bare walk = 1.00", flush=True)
    print(f"  scan, seven rules (no write), median of {repeat}: {statistics.median(ratios):.2f} × the bare walk "
          f"(min {ratios[0]:.2f}, max {ratios[-1]:.2f})")
    print(f"  first scan with its {report.created} flags written: {write:.2f} ×", flush=True)
    if full:
        rescan, again = pair(scan.scan)
        print(f"  re-scan ({again.created} new, {again.updated} updated, {again.kept} left as reviewed): "
              f"{rescan:.2f} ×")
