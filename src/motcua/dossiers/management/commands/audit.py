"""``motcua audit``: the tamper evidence of the dossier event log (docs/security.md §3).

- ``verify``: walk every dossier's event chain, check each dossier row against its history and both against the
  signed checkpoints; print every broken dossier with its reasons and exit non-zero if there is one.
- ``checkpoint``: write the signed, timestamped heads of every chain to the checkpoint directory (scheduled).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers import audit

SHOWN_IN_ERROR = 20


class Command(BaseCommand):
    help = "Audit the append-only dossier event log. Sub-commands: verify, checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument("--checkpoints", choices=["all", "latest", "none"], default="all",
                            help="verify: compare with every checkpoint (default), the latest one, or none")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            path = audit.write_checkpoint()
            self.stdout.write(f"Checkpoint written: {path}")
            return
        report = audit.verify(checkpoints=options["checkpoints"])
        against = (f"{len(report.checkpoints)} checkpoint(s)" if report.checkpoints
                   else "no checkpoint (none found: run `motcua audit checkpoint`)")
        if report.problems:
            for problem in report.problems:
                self.stdout.write(str(problem))
            lines = [str(p) for p in report.problems[:SHOWN_IN_ERROR]]
            if len(report.problems) > SHOWN_IN_ERROR:
                lines.append(f"… and {len(report.problems) - SHOWN_IN_ERROR} more (listed above)")
            raise CommandError(
                f"{len(report.broken_dossiers)} dossier(s) broken, {len(report.problems)} problem(s) "
                f"({report.events} events of {report.dossiers} dossiers checked against {against}):\n"
                + "\n".join(lines))
        self.stdout.write(f"OK: {report.events} events of {report.dossiers} dossiers checked against {against}, "
                          "every chain intact, every row agrees with its history.")
