"""``motcua stats rebuild``: recompute every dossier fact and daily rollup from the dossiers and their
events (after an import, a calendar change, or to repair a failed refresh). ``motcua stats publish``: compute
the public results of the last 12 whole months again (a periodic job; the public pages show its last run)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.stats import services
from motcua.stats.rollups import rebuild


class Command(BaseCommand):
    help = "Statistics maintenance: rebuild the facts and daily rollups; publish the public results."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rb = sub.add_parser("rebuild", help="recompute every fact and rollup")
        rb.add_argument("--workers", type=int, default=1,
                        help="processes computing the facts (PostgreSQL only; the rebuild is then not one "
                             "transaction: for a bulk load or a repair while nobody reads the statistics)")
        sub.add_parser("publish", help="compute the public results of the last 12 whole months again")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "publish":
            row = services.publish_results(timezone.localdate())
            self.stdout.write(f"Public results {row.first:%d/%m/%Y} – {row.last:%d/%m/%Y} computed.")
            return

        def show(count: int) -> None:
            sys.stderr.write(f"\rfacts: {count}")
            sys.stderr.flush()

        if options["workers"] < 1:
            raise CommandError("--workers must be >= 1.")
        count = rebuild(progress=show, workers=options["workers"])
        sys.stderr.write("\n")
        self.stdout.write(f"{count} dossier facts rebuilt.")
