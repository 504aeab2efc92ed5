"""Operator commands of the insight app:

- ``motcua insight scan [--page N]``: the integrity scan over the whole event history (``integrity.scan``): new
  flags written, open ones updated, reviewed ones left alone. Idempotent; the scheduler runs it nightly
  (``MOTCUA_SCHEDULE["insight scan"]``).
- ``motcua insight train [--seed S]``: learn a lateness model from the history and put it in use
  (``prediction.services.train``); prints its figures on the latest dossiers beside the fixed rule. A history
  too short to learn from changes nothing and says so (a new installation: not an error, the scheduled job
  simply waits for history). The scheduler runs it daily (``MOTCUA_SCHEDULE``).
- ``motcua insight score``: the prediction of every dossier being processed, by the model in use
  (``prediction.services.score``); without a model, nothing (the queues keep the fixed rule). Idempotent; the
  scheduler runs it hourly.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.insight.integrity import scan
from motcua.insight.prediction import model, services


class Command(BaseCommand):
    help = ("Insight: the integrity scan of the event history; train the lateness model, score the open dossiers. "
            "Sub-commands: scan, train, score.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["scan", "train", "score"])
        parser.add_argument("--page", type=int, default=500, help="scan: dossiers read per query (with their events)")
        parser.add_argument("--seed", type=int, default=0, help="train: the random state of the model")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "scan":
            if not 1 <= options["page"] <= 5000:
                raise CommandError("--page must be between 1 and 5000.")
            self.stdout.write(str(scan.scan(page=options["page"])))
        elif action == "train":
            try:
                m = services.train(seed=options["seed"])
            except model.NotEnoughHistory as exc:
                self.stdout.write(f"No model trained: {exc}; the work queues keep the fixed rule.")
                return
            figures = m.metrics
            self.stdout.write(
                f"Lateness model v{m.pk}: {m.examples} snapshots of {m.dossiers} dossiers; on the latest "
                f"{figures['test']} snapshots AUC {figures['model']['auc']:.3f} (fixed rule "
                f"{figures['rule']['auc']:.3f}), Brier {figures['model']['brier']:.4f} (fixed rule "
                f"{figures['rule']['brier']:.4f}).")
        else:
            self.stdout.write(f"Scored {services.score()} open dossier(s).")
