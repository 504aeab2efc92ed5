"""``motcua national-catalogue compare FILE`` | ``apply FILE [--codes C ...] [--publish] [--user NAME]`` |
``check`` | ``double [--port 9300]``: the catalogue in step with the national procedures database
(docs/integrations-national-catalogue.md).

``check`` is the scheduled comparison (``MOTCUA_SCHEDULE``, daily): it reads ``MOTCUA_NATIONAL_CATALOGUE_URL``,
stores the comparison and tells the administrators when the local catalogue is behind; it does nothing while
no URL is configured. ``compare`` changes nothing; ``apply`` changes only the procedures that differ.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import User
from motcua.core.errors import DomainError
from motcua.integrations.models import CatalogueComparison
from motcua.integrations.national_catalogue import services, source
from motcua.integrations.national_catalogue.double import NationalCatalogueDouble


class Command(BaseCommand):
    help = "Compare the catalogue with the national procedures database, apply its changes, or run its double."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        cmp_ = sub.add_parser("compare", help="Compare a file of national records with the catalogue; change nothing.")
        cmp_.add_argument("file")
        app = sub.add_parser("apply", help="Apply the national changes in a file (one transaction per procedure).")
        app.add_argument("file")
        app.add_argument("--codes", nargs="+", help="Only these procedure codes.")
        app.add_argument("--publish", action="store_true",
                         help="Publish the new versions (new procedures always start as drafts).")
        app.add_argument("--user", help="The administrator applying (recorded); default: the system.")
        sub.add_parser("check", help="Read MOTCUA_NATIONAL_CATALOGUE_URL, compare, tell the administrators.")
        dbl = sub.add_parser("double", help="Run a double of the national procedures database.")
        dbl.add_argument("--host", default="127.0.0.1")
        dbl.add_argument("--port", type=int, default=9300)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "compare":
                self._report(services.compare_file(options["file"]))
            elif action == "apply":
                self._apply(options)
            elif action == "check":
                self._check()
            else:
                self._double(options["host"], options["port"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _check(self) -> None:
        if not source.configured_url():
            self.stdout.write("MOTCUA_NATIONAL_CATALOGUE_URL is not set: no comparison.")
            return
        self._report(services.check())

    def _report(self, comparison: CatalogueComparison) -> None:
        diff = comparison.diff
        for error in diff.get("errors", []):
            self.stderr.write(f"{error['record']}: {error['field'] or '-'}: {error['message']}")
        for entry in diff.get("new", []):
            self.stdout.write(f"+ {entry['code']} {entry['name']}")
        for entry in diff.get("changed", []):
            self.stdout.write(f"~ {entry['code']} {entry['name']}")
            for change in entry["changes"]:
                self.stdout.write(f"    {change['field']}: {change['old']!r} -> {change['new']!r}")
        for entry in diff.get("local_only", []):
            self.stdout.write(f"- {entry['code']} {entry['name']} (local only)")
        self.stdout.write(
            f"{comparison.new_count} new, {comparison.changed_count} changed, {comparison.unchanged_count} "
            f"unchanged, {comparison.local_only_count} local only, {comparison.error_count} bad records.")

    def _apply(self, options: dict[str, Any]) -> None:
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']}.")
        outcome = services.apply_answer(source.read_file(options["file"]), codes=options.get("codes"), user=user,
                                        publish=options["publish"], source=options["file"])
        for applied in outcome.applied:
            if applied.action == "unchanged":
                self.stdout.write(f"= {applied.code} unchanged")
            else:
                self.stdout.write(f"* {applied.code} {applied.action} from {applied.valid_from} "
                                  f"({'published' if applied.published else 'draft'}) {applied.note}".rstrip())
        for error in outcome.errors:
            self.stderr.write(f"! {error['code']}: {error['message']}")
        if outcome.errors:
            raise CommandError(f"{len(outcome.errors)} record(s) not applied.")

    def _double(self, host: str, port: int) -> None:
        double = NationalCatalogueDouble(host, port)
        self.stdout.write(f"National procedures database double at {double.records_url} (Ctrl+C to stop).")
        with contextlib.suppress(KeyboardInterrupt):
            double.serve_forever()
