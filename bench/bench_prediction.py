"""Lateness prediction (issue 22): how well the model does beside the fixed rule, and what scoring costs.

1. **Quality** on a time split of generated history (``motcua generate``, seeded): the model learns from the
   dossiers received first (70 %), is calibrated on the next 15 % and measured on the last 15 %; the fixed
   rule the queues used before (less than one working day left: the statistics' ``risk_at``) is measured on
   the same snapshots, as a 0/1 flag and made into the late rates of its two groups in training. Printed:
   AUC, Brier score and the calibration table (deciles of the model's score).
2. **Scoring time** of N open dossiers (``services.score``: read their history, features, predict, reasons,
   write) as a ratio to a bare scan of the same rows (the dossiers, their events and their steps read as
   plain tuples, what the scoring reads before any work).

Sizes: ``MOTCUA_BENCH_PREDICTION_HISTORY`` dossiers of history (default 20,000; ``--quick`` 4,000) and
``MOTCUA_BENCH_PREDICTION_OPEN`` open dossiers to score (default 100,000; ``--quick`` 2,000), on the configured
database (SQLite by default; DATABASE_URL for PostgreSQL), in a throw-away test database.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from typing import Any

from common import in_test_db


def run(args: Any) -> None:
    in_test_db(_measure, args)


def _table(rows: list[dict[str, float]]) -> str:
    lines = ["    decile      n  mean score  observed late rate"]
    for i, r in enumerate(rows, 1):
        lines.append(f"    {i:>6} {r['n']:>6}  {r['predicted']:>10.3f}  {r['observed']:>18.3f}")
    return "\n".join(lines)


def _measure(args: Any, vendor: str) -> None:
    from motcua.insight.prediction import model, services
    from motcua.stats.generate import generate

    history = int(os.environ.get("MOTCUA_BENCH_PREDICTION_HISTORY", 4000 if args.quick else 20_000))
    n_open = int(os.environ.get("MOTCUA_BENCH_PREDICTION_OPEN", 2000 if args.quick else 100_000))
    t0 = time.perf_counter()
    generate(history, agencies=3, first=dt.date(2024, 1, 1), last=dt.date(2025, 12, 31), seed=22,
             stream=io.StringIO(), rebuild=False)
    print(f"{vendor}: {history} dossiers of history generated in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    snaps = services.training_set()
    t1 = time.perf_counter()
    trained = model.fit(snaps, seed=0)
    t2 = time.perf_counter()
    m = trained.metrics
    print(f"{len(snaps)} snapshots of {len({s.dossier_id for s in snaps})} ended dossiers "
          f"({sum(1 for s in snaps if s.late)} of a late one); features {t1 - t0:.1f} s, fit {t2 - t1:.1f} s")
    print(f"test slice (the last 15 % of the dossiers by reception): {m['test']} snapshots, "
          f"late rate {m['test_late_rate']:.3f}")
    print(f"  model                      AUC {m['model']['auc']:.3f}  Brier {m['model']['brier']:.4f}")
    print(f"  fixed rule (0/1)           AUC {m['rule']['auc']:.3f}  Brier {m['rule']['brier']:.4f}")
    print(f"  fixed rule (as its rates)  AUC {m['rule_rates']['auc']:.3f}  Brier {m['rule_rates']['brier']:.4f}")
    beats = (m["model"]["auc"] > max(m["rule"]["auc"], m["rule_rates"]["auc"])
             and m["model"]["brier"] < min(m["rule"]["brier"], m["rule_rates"]["brier"]))
    print(f"  the model beats the rule on both AUC and Brier: {'yes' if beats else 'NO'}")
    print("  calibration of the model (deciles of its score):")
    print(_table(m["model"]["deciles"]))
    print("  the fixed rule (0/1), the snapshots in ten groups by its flag:")
    print(_table(m["rule"]["deciles"]))
    _scoring(n_open)


def _scoring(n_open: int) -> None:
    from django.db import connection

    from motcua.dossiers.facts import DOSSIER_FIELDS, EVENT_FIELDS
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.dossiers.timeliness import PROCESSING_STATUSES
    from motcua.dossiers.workflow.models import ProcessingStep
    from motcua.insight.prediction import services
    from motcua.stats.generate import generate

    services.train()
    t0 = time.perf_counter()
    # Received in the last week before the horizon: more than half still being processed, their clock running.
    generate(int(n_open / 0.54), agencies=3, first=dt.date(2026, 6, 8), last=dt.date(2026, 6, 12), seed=23,
             stream=io.StringIO(), rebuild=False)
    now = dt.datetime(2026, 6, 12, 16, 30, tzinfo=dt.UTC)
    open_ids = list(Dossier.objects.filter(status__in=PROCESSING_STATUSES, received_at__isnull=False)
                    .order_by("pk").values_list("pk", flat=True))
    print(f"{int(n_open / 0.54)} dossiers generated ({len(open_ids)} being processed at the end, with the "
          f"history's) in {time.perf_counter() - t0:.0f} s")

    def bare() -> int:
        rows = 0
        for i in range(0, len(open_ids), 2000):
            ids = open_ids[i:i + 2000]
            rows += len(list(Dossier.objects.filter(pk__in=ids).values_list(*DOSSIER_FIELDS)))
            rows += len(list(DossierEvent.objects.filter(dossier_id__in=ids).values_list(*EVENT_FIELDS)))
            rows += len(list(ProcessingStep.objects.filter(dossier_id__in=ids).values_list(
                "dossier_id", "order", "name", "unit_id", "actor_id", "started_at", "ended_at")))
        return rows

    bare()  # warm
    t0 = time.perf_counter()
    rows = bare()
    scan = time.perf_counter() - t0
    t0 = time.perf_counter()
    scored = services.score(now=now)
    total = time.perf_counter() - t0
    print(f"scoring {scored} open dossiers (all being processed, {connection.vendor}): "
          f"{total / max(scan, 1e-9):.1f}x a bare scan of the same rows ({rows} rows: dossiers, events, steps); "
          f"{1e6 * total / max(1, scored):.0f} µs per dossier on this machine")
