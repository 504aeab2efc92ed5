"""Operator commands for dossiers:

- ``motcua dossiers sweep-orphans [--dry-run]``: remove stored files that no row names (left by a crash
  between the durable write and the commit), once older than MOTCUA_ORPHAN_GRACE_SECONDS;
- ``motcua dossiers tick [--at ISO]``: the periodic work of the internal processing — consultations past
  their deadline (deemed to agree for construction permits), late dossiers flagged and reminded, and
  escalated to the leader when no apology came in time; then the dossier events whose handlers (notices,
  statistics refresh) have not run, left by a dead process or a failed handler, are handled
  (``dispatch.sweep``). Run it every few minutes (cron, systemd timer);
- ``motcua dossiers partitions [--ahead N]``: on PostgreSQL, create the monthly partitions of the event
  table up to N months ahead (default 3) and move into them any rows the default partition took
  (``motcua.dossiers.partitions``); nothing to do on SQLite. Scheduled daily in MOTCUA_SCHEDULE.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers import dispatch, files, partitions
from motcua.dossiers.workflow import late


class Command(BaseCommand):
    help = "Operator commands for dossiers. Sub-commands: sweep-orphans, tick, partitions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sweep-orphans", "tick", "partitions"])
        parser.add_argument("--dry-run", action="store_true", help="sweep-orphans: list the orphans only")
        parser.add_argument("--ahead", type=int, default=3, help="partitions: months to create ahead")
        parser.add_argument("--at", default="", help="tick: the instant to judge at (ISO 8601, default now)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "partitions":
            if options["ahead"] < 0:
                raise CommandError("--ahead must be >= 0.")
            if not partitions.enabled():
                self.stdout.write("The event table is not partitioned here (SQLite): nothing to do.")
                return
            made = partitions.ensure(ahead=options["ahead"])
            self.stdout.write(f"Created {len(made)} partition(s): {', '.join(made) or '-'}")
            return
        if options["action"] == "tick":
            at = None
            if options["at"]:
                try:
                    at = dt.datetime.fromisoformat(options["at"])
                except ValueError as exc:
                    raise CommandError("--at takes an ISO 8601 instant, e.g. 2026-08-05T11:00+07:00") from exc
                if at.tzinfo is None:
                    raise CommandError("--at needs a time zone offset, e.g. +07:00")
            self.stdout.write(str(late.tick(at)))
            handled = dispatch.sweep()
            if handled:
                self.stdout.write(f"Dispatched {handled} pending event handler(s).")
            return
        orphans = files.sweep_orphans(dry_run=options["dry_run"])
        verb = "Would remove" if options["dry_run"] else "Removed"
        for name in orphans:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{verb} {len(orphans)} orphan file(s).")
