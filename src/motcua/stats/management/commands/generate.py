"""``motcua generate --dossiers N [--agencies K] [--from DATE --to DATE] [--seed S] [--workers W] [--plant
[--ground-truth PATH]]``: a realistic, deterministic history of dossiers (``motcua.stats.generate``), with progress
on standard error; ``--workers`` processes write it in parallel on PostgreSQL (one on SQLite). ``--plant`` adds
the integrity patterns of ``motcua.stats.plant`` (seeded) and ``--ground-truth`` writes their list as JSON."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.stats import plant, rollups
from motcua.stats.generate import generate


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Generate a realistic history of dossiers (bulk inserts), then compute the statistics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, required=True)
        parser.add_argument("--agencies", type=int, default=3)
        parser.add_argument("--from", dest="first", default=None)
        parser.add_argument("--to", dest="last", default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--workers", type=int, default=1,
                            help="processes writing at once, each with its own connection (PostgreSQL; "
                                 "SQLite takes one writer, so it always uses one)")
        parser.add_argument("--plant", action="store_true",
                            help="plant the integrity patterns (motcua.stats.plant) in the history")
        parser.add_argument("--ground-truth", dest="truth", default="",
                            help="with --plant: write the planted cases here as JSON [{rule, dossier}]")

    def handle(self, *args: Any, **options: Any) -> None:
        n, k = options["dossiers"], options["agencies"]
        if n < 0 or k < 1 or options["workers"] < 1:
            raise CommandError("--dossiers must be >= 0, --agencies >= 1 and --workers >= 1.")
        first = _date(options["first"]) if options["first"] else None
        last = _date(options["last"]) if options["last"] else None
        if first and last and last < first:
            raise CommandError("--to is before --from.")
        if options["truth"] and not options["plant"]:
            raise CommandError("--ground-truth needs --plant.")
        try:
            made = generate(n, k, first, last, options["seed"], stream=sys.stderr, workers=options["workers"],
                            rebuild=not options["plant"])
            if options["plant"]:
                truth = plant.plant(options["seed"], first, last, k)
                facts = rollups.rebuild(workers=options["workers"])
                sys.stderr.write(f"planted: {len({t['dossier'] for t in truth})} dossiers; statistics: {facts} "
                                 "facts\n")
                if options["truth"]:
                    plant.write_truth(truth, options["truth"])
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{made} dossiers generated.")
