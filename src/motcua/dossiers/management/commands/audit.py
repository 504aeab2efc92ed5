"""``motcua audit verify``: walk every dossier's event chain and name the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers import events


class Command(BaseCommand):
    help = "Audit the append-only dossier event log. Sub-command: verify."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = events.verify()
        if broken is not None:
            raise CommandError(f"Broken link: {broken} ({checked} events checked)")
        self.stdout.write(f"OK: {checked} events checked, every chain intact.")
