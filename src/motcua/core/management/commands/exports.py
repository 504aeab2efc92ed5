"""``motcua exports resume|sweep``: exports left waiting (the queue was down, a worker died) enqueued again;
expired exports and their files deleted. Both run from ``motcua scheduler``; both are idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core import exports


class Command(BaseCommand):
    help = "Resume the exports left waiting, or delete the expired ones (and their files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["resume", "sweep"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "resume":
            self.stdout.write(f"{exports.resume()} export(s) enqueued again")
        else:
            self.stdout.write(f"{exports.sweep()} expired export(s) deleted")
