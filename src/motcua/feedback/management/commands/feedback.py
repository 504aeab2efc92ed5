"""Operator commands for feedback (PAKN):

- ``motcua feedback issue-key --name NAME --agency CODE``: a new Open311 client reporting to the agency with
  that code; its API key is printed once (only its SHA-256 is stored, so it cannot be shown again);
- ``motcua feedback revoke-key PREFIX``: revoke the client whose key starts with ``PREFIX.`` (the part before
  the dot, shown in the admin), at once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import OrgUnit
from motcua.core.errors import DomainError
from motcua.feedback import services
from motcua.feedback.models import ApiClient


class Command(BaseCommand):
    help = "Operator commands for feedback. Sub-commands: issue-key, revoke-key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["issue-key", "revoke-key"])
        parser.add_argument("prefix", nargs="?", default="", help="revoke-key: the key's prefix (before the dot)")
        parser.add_argument("--name", default="", help="issue-key: the client's name")
        parser.add_argument("--agency", default="", help="issue-key: the code of the agency it reports to")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "issue-key":
            agency = OrgUnit.objects.filter(code=options["agency"]).first() if options["agency"] else None
            if agency is None:
                raise CommandError("--agency takes the code of an existing agency, e.g. T.SXD")
            try:
                _, key = services.issue_api_key(None, name=options["name"], agency=agency)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(key)
            return
        prefix = options["prefix"].split(".", 1)[0]
        client = ApiClient.objects.filter(prefix=prefix).first() if prefix else None
        if client is None:
            raise CommandError("No Open311 client has this key prefix.")
        if client.revoked_at is not None:
            self.stdout.write(f"{client.name}: already revoked.")
            return
        services.revoke_api_key(None, client)
        self.stdout.write(f"{client.name}: revoked.")
