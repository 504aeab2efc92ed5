"""Operator commands of the citizen side:

- ``motcua portal sweep [--dry-run] [--days N]``: delete the registrations whose confirmation code expired more
  than ``MOTCUA_REGISTRATION_KEEP_DAYS`` (7) days ago, confirmed or not (``services.sweep_registrations``). The
  scheduler runs it once a day (``MOTCUA_SCHEDULE``).
- ``motcua portal retention [--dry-run]``: remove what has passed its retention period — drafts untouched for
  ``MOTCUA_RETENTION_DRAFT_DAYS`` (180) days with their files, the text of notices sent more than
  ``MOTCUA_RETENTION_NOTICE_BODY_DAYS`` (0: off) days ago (``services.apply_retention``). Operating choices, not
  periods of law; dossiers, events, files and feedback are never touched (docs/security.md). Daily in the
  scheduler.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.portal import services


class Command(BaseCommand):
    help = "Operator commands of the citizen side. Sub-commands: sweep, retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sweep", "retention"])
        parser.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
        parser.add_argument("--days", type=int, default=None,
                            help="days after expiry to keep a registration (default MOTCUA_REGISTRATION_KEEP_DAYS)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retention":
            counts = services.apply_retention(dry_run=options["dry_run"])
            verb = "Would remove" if options["dry_run"] else "Removed"
            self.stdout.write(f"{verb} {counts['drafts']} draft(s) untouched for "
                              f"{services.retention_days('drafts') or '-'} days, the text of "
                              f"{counts['notice_bodies']} notice(s) older than "
                              f"{services.retention_days('notice_bodies') or '-'} days (0 or -: off).")
            return
        days = options["days"]
        if days is not None and days < 0:
            raise CommandError("--days takes a number of days, 0 or more.")
        count = services.sweep_registrations(keep_days=days, dry_run=options["dry_run"])
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(f"{verb} {count} expired registration(s).")
