"""``motcua stats rebuild``: recompute every dossier fact and daily rollup from the dossiers and their
events (after an import, a calendar change, or to repair a failed refresh)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.stats.rollups import rebuild


class Command(BaseCommand):
    help = "Statistics maintenance: rebuild the facts and daily rollups."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="recompute every fact and rollup")

    def handle(self, *args: Any, **options: Any) -> None:
        def show(count: int) -> None:
            sys.stderr.write(f"\rfacts: {count}")
            sys.stderr.flush()

        count = rebuild(progress=show)
        sys.stderr.write("\n")
        self.stdout.write(f"{count} dossier facts rebuilt.")
