"""``motcua restore FILE [--replace]``: verify a backup archive, load it into the configured database and
storage, and compare the restored rows and files with its manifest (motcua.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core import backup


class Command(BaseCommand):
    help = "Restore a backup archive into the configured database (empty, or --replace) and file storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--replace", action="store_true",
                            help="overwrite a database that already holds data (everything in it is lost)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup.restore(options["archive"], replace=options["replace"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report.mismatches:
            raise CommandError("The restore is not whole:\n  " + "\n  ".join(report.mismatches))
        m = report.manifest
        self.stdout.write(f"restored {m['path']} (made {m['created_at']}): {sum(m['tables'].values())} rows in "
                          f"{len(m['tables'])} tables and {m['files']['count']} files, each checked, "
                          f"{report.seconds:.1f} s. Next: motcua migrate (if this version is newer), "
                          "motcua audit verify.")
