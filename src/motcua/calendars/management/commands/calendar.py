"""``motcua calendar import FILE [--user USERNAME]`` / ``motcua calendar export [FILE] [--year Y]``: the
override table as CSV.

CSV columns: date (YYYY-MM-DD or DD/MM/YYYY), kind (day_off or working_day), name, name_en,
legal_reference, note, calendar (the code of a unit with its own calendar; empty for every agency).
An import checks every row first; if any is bad it prints one line per error and imports nothing.
``--user`` names who made the change (the rows' "updated by", and the actor of the events of the open
dossiers whose dates move); without it the rows name no one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import User
from motcua.calendars import services


class Command(BaseCommand):
    help = "Import or export the calendar override table (official days off and working days) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import overrides from a CSV file ('-' for standard input)")
        imp.add_argument("file")
        imp.add_argument("--user", default=None, help="the username of who makes the change")
        exp = sub.add_parser("export", help="export overrides as CSV (to standard output by default)")
        exp.add_argument("file", nargs="?", default="-")
        exp.add_argument("--year", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options["file"], options["user"])
        else:
            self._export(options["file"], options["year"])

    def _import(self, name: str, username: str | None) -> None:
        user = None
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user named {username}.")
        try:
            if name == "-":
                report = services.import_overrides(sys.stdin, user)
            else:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(f"No such file: {name}")
                with path.open(encoding="utf-8-sig", newline="") as handle:
                    report = services.import_overrides(handle, user)
        except services.ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(f"{name}:{error.line}: {error.field}: {error.message}")
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError("The file is not UTF-8 text.") from exc
        self.stdout.write(f"Imported: {report.created} created, {report.updated} updated.")

    def _export(self, name: str, year: int | None) -> None:
        if name == "-":
            services.export_overrides(self.stdout, year)
            return
        with Path(name).open("w", encoding="utf-8", newline="") as handle:
            count = services.export_overrides(handle, year)
        self.stdout.write(f"Exported {count} rows to {name}.")
