"""Operator commands of the insight app:

- ``motcua insight scan [--page N]``: the integrity scan over the whole event history (``integrity.scan``): new
  flags written, open ones updated, reviewed ones left alone. Idempotent; the scheduler runs it nightly
  (``MOTCUA_SCHEDULE["insight scan"]``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.insight.integrity import scan


class Command(BaseCommand):
    help = "Insight: the integrity scan of the event history. Sub-commands: scan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["scan"])
        parser.add_argument("--page", type=int, default=500, help="dossiers read per query (with their events)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["page"] <= 5000:
            raise CommandError("--page must be between 1 and 5000.")
        report = scan.scan(page=options["page"])
        self.stdout.write(str(report))
