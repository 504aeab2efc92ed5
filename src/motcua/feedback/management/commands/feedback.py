"""Operator commands for feedback and petitions (PAKN):

- ``motcua feedback tick [--at ISO]``: every open item past one of its limits (reject 2, forward 5, ask for
  information 5, handle 15, publish 2 working days) is flagged once and its agency's leaders and its officer
  told (``services.flag_late``). Run it every few minutes; the scheduler does (``MOTCUA_SCHEDULE``).
- ``motcua feedback sweep [--dry-run]``: remove the files under ``feedback/`` that no attachment names (left
  by a crash between the durable write and the commit), once older than MOTCUA_ORPHAN_GRACE_SECONDS.
- ``motcua feedback issue-key --name NAME --agency CODE``: a new Open311 client reporting to the agency with
  that code; its API key is printed once (only its SHA-256 is stored, so it cannot be shown again);
- ``motcua feedback revoke-key PREFIX``: revoke the client whose key starts with ``PREFIX.`` (the part before
  the dot, shown in the admin), at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import OrgUnit
from motcua.core.errors import DomainError
from motcua.feedback import files, services
from motcua.feedback.models import ApiClient


class Command(BaseCommand):
    help = "Operator commands for feedback and petitions. Sub-commands: tick, sweep, issue-key, revoke-key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["tick", "sweep", "issue-key", "revoke-key"])
        parser.add_argument("prefix", nargs="?", default="", help="revoke-key: the key's prefix (before the dot)")
        parser.add_argument("--dry-run", action="store_true", help="sweep: list the orphans only")
        parser.add_argument("--at", default="", help="tick: the instant to judge at (ISO 8601, default now)")
        parser.add_argument("--name", default="", help="issue-key: the client's name")
        parser.add_argument("--agency", default="", help="issue-key: the code of the agency it reports to")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "tick":
            self._tick(options["at"])
        elif action == "sweep":
            orphans = files.sweep_orphans(dry_run=options["dry_run"])
            verb = "Would remove" if options["dry_run"] else "Removed"
            for name in orphans:
                self.stdout.write(f"{verb} {name}")
            self.stdout.write(f"{verb} {len(orphans)} orphan file(s).")
        elif action == "issue-key":
            self._issue(options["name"], options["agency"])
        else:
            self._revoke(options["prefix"])

    def _tick(self, raw: str) -> None:
        at = None
        if raw:
            try:
                at = dt.datetime.fromisoformat(raw)
            except ValueError as exc:
                raise CommandError("--at takes an ISO 8601 instant, e.g. 2026-08-05T11:00+07:00") from exc
            if at.tzinfo is None:
                raise CommandError("--at needs a time zone offset, e.g. +07:00")
        flagged = services.flag_late(at)
        self.stdout.write(f"Flagged {flagged} late feedback item(s).")

    def _issue(self, name: str, agency_code: str) -> None:
        agency = OrgUnit.objects.filter(code=agency_code).first() if agency_code else None
        if agency is None:
            raise CommandError("--agency takes the code of an existing agency, e.g. T.SXD")
        try:
            _, key = services.issue_api_key(None, name=name, agency=agency)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(key)

    def _revoke(self, raw: str) -> None:
        prefix = raw.split(".", 1)[0]
        client = ApiClient.objects.filter(prefix=prefix).first() if prefix else None
        if client is None:
            raise CommandError("No Open311 client has this key prefix.")
        if client.revoked_at is not None:
            self.stdout.write(f"{client.name}: already revoked.")
            return
        services.revoke_api_key(None, client)
        self.stdout.write(f"{client.name}: revoked.")
