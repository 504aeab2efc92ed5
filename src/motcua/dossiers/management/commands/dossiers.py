"""``motcua dossiers sweep-orphans [--dry-run]``: remove stored files that no row names (left by a crash
between the durable write and the commit), once older than MOTCUA_ORPHAN_GRACE_SECONDS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.dossiers import files


class Command(BaseCommand):
    help = "Operator commands for dossiers. Sub-command: sweep-orphans."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sweep-orphans"])
        parser.add_argument("--dry-run", action="store_true", help="list the orphans without deleting them")

    def handle(self, *args: Any, **options: Any) -> None:
        orphans = files.sweep_orphans(dry_run=options["dry_run"])
        verb = "Would remove" if options["dry_run"] else "Removed"
        for name in orphans:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{verb} {len(orphans)} orphan file(s).")
