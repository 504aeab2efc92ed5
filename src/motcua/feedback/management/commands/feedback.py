"""Operator commands for feedback and petitions (PAKN):

- ``motcua feedback tick [--at ISO]``: every open item past one of its limits (reject 2, forward 5, ask for
  information 5, handle 15, publish 2 working days) is flagged once and its agency's leaders and its officer
  told (``services.flag_late``). Run it every few minutes; the scheduler does (``MOTCUA_SCHEDULE``).
- ``motcua feedback sweep [--dry-run]``: remove the files under ``feedback/`` that no attachment names (left
  by a crash between the durable write and the commit), once older than MOTCUA_ORPHAN_GRACE_SECONDS.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.feedback import files, services


class Command(BaseCommand):
    help = "Operator commands for feedback and petitions. Sub-commands: tick, sweep."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["tick", "sweep"])
        parser.add_argument("--dry-run", action="store_true", help="sweep: list the orphans only")
        parser.add_argument("--at", default="", help="tick: the instant to judge at (ISO 8601, default now)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "tick":
            at = None
            if options["at"]:
                try:
                    at = dt.datetime.fromisoformat(options["at"])
                except ValueError as exc:
                    raise CommandError("--at takes an ISO 8601 instant, e.g. 2026-08-05T11:00+07:00") from exc
                if at.tzinfo is None:
                    raise CommandError("--at needs a time zone offset, e.g. +07:00")
            flagged = services.flag_late(at)
            self.stdout.write(f"Flagged {flagged} late feedback item(s).")
            return
        orphans = files.sweep_orphans(dry_run=options["dry_run"])
        verb = "Would remove" if options["dry_run"] else "Removed"
        for name in orphans:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{verb} {len(orphans)} orphan file(s).")
