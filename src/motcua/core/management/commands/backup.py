"""``motcua backup [--output FILE] [--keep N]``, ``motcua backup --check FILE``: one archive with the database and
the stored files (motcua.core.backup); ``motcua restore FILE`` loads it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core import backup


class Command(BaseCommand):
    help = "Back up the database and the stored files into one archive, or check an archive (--check)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None,
                            help="the archive to write (default: MOTCUA_BACKUP_DIR or var/backups, dated)")
        parser.add_argument("--keep", type=int, default=None,
                            help="then delete all but the newest N archives of the folder (default MOTCUA_BACKUP_KEEP)")
        parser.add_argument("--check", type=Path, default=None, metavar="FILE",
                            help="verify an archive's checksums and print its manifest; writes nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                manifest = backup.check(options["check"])
                self.stdout.write(f"{options['check']}: intact — {manifest['database']}, "
                                  f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
                                  f"{manifest['files']['count']} files, made {manifest['created_at']}")
                return
            report = backup.create(options["output"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = report.manifest
        self.stdout.write(f"{m['path']}: {sum(m['tables'].values())} rows in {len(m['tables'])} tables, "
                          f"{m['files']['count']} files ({m['files']['bytes']} bytes), {report.seconds:.1f} s")
        keep = options["keep"] if options["keep"] is not None else int(getattr(settings, "MOTCUA_BACKUP_KEEP", 0))
        if keep > 0 and not options["output"]:
            for old in backup.prune(Path(m["path"]).parent, keep):
                self.stdout.write(f"removed {old}")
