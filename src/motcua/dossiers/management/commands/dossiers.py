"""Operator commands for dossiers:

- ``motcua dossiers sweep-orphans [--dry-run]``: remove stored files that no row names (left by a crash
  between the durable write and the commit), once older than MOTCUA_ORPHAN_GRACE_SECONDS;
- ``motcua dossiers tick [--at ISO]``: the periodic work of the internal processing — consultations past
  their deadline (deemed to agree for construction permits), late dossiers flagged and reminded, and
  escalated to the leader when no apology came in time; then the dossier events whose handlers (notices,
  statistics refresh) have not run, left by a dead process or a failed handler, are handled
  (``dispatch.sweep``). Run it every few minutes (cron, systemd timer);
- ``motcua dossiers partitions [--ahead N]``: on PostgreSQL, create the monthly partitions of the event
  table up to N months ahead (default 3) and move into them any rows the default partition took
  (``motcua.dossiers.partitions``); nothing to do on SQLite. Scheduled daily in MOTCUA_SCHEDULE;
- ``motcua dossiers retention [--list | --approve ID --decision TEXT --by USERNAME] [--dry-run]``: the closed
  dossiers past their procedure's retention period (``motcua.dossiers.retention``). Without an option (daily in
  MOTCUA_SCHEDULE): put those not yet listed on their agency's proposed destruction list, then anonymise the
  dossiers of the lists already approved — never a dossier of a list nobody approved. ``--list`` prints the
  lists and the dossiers past their period, changing nothing; ``--approve`` records the head of the agency's
  decision on a list in the name of USERNAME (a leader of the agency or an administrator).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import User
from motcua.core.errors import DomainError
from motcua.dossiers import dispatch, files, partitions, retention
from motcua.dossiers.models import DestructionList
from motcua.dossiers.workflow import late


class Command(BaseCommand):
    help = "Operator commands for dossiers. Sub-commands: sweep-orphans, tick, partitions, retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sweep-orphans", "tick", "partitions", "retention"])
        parser.add_argument("--dry-run", action="store_true",
                            help="sweep-orphans, retention: say what would be done, change nothing")
        parser.add_argument("--list", action="store_true", help="retention: print the lists, change nothing")
        parser.add_argument("--approve", type=int, default=None, metavar="ID",
                            help="retention: record the decision approving destruction list ID")
        parser.add_argument("--decision", default="", help="retention: the decision's number and date")
        parser.add_argument("--by", default="", metavar="USERNAME", help="retention: who approves")
        parser.add_argument("--ahead", type=int, default=3, help="partitions: months to create ahead")
        parser.add_argument("--at", default="", help="tick: the instant to judge at (ISO 8601, default now)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retention":
            self._retention(options)
            return
        if options["action"] == "partitions":
            if options["ahead"] < 0:
                raise CommandError("--ahead must be >= 0.")
            if not partitions.enabled():
                self.stdout.write("The event table is not partitioned here (SQLite): nothing to do.")
                return
            made = partitions.ensure(ahead=options["ahead"])
            self.stdout.write(f"Created {len(made)} partition(s): {', '.join(made) or '-'}")
            return
        if options["action"] == "tick":
            at = None
            if options["at"]:
                try:
                    at = dt.datetime.fromisoformat(options["at"])
                except ValueError as exc:
                    raise CommandError("--at takes an ISO 8601 instant, e.g. 2026-08-05T11:00+07:00") from exc
                if at.tzinfo is None:
                    raise CommandError("--at needs a time zone offset, e.g. +07:00")
            self.stdout.write(str(late.tick(at)))
            handled = dispatch.sweep()
            if handled:
                self.stdout.write(f"Dispatched {handled} pending event handler(s).")
            return
        orphans = files.sweep_orphans(dry_run=options["dry_run"])
        verb = "Would remove" if options["dry_run"] else "Removed"
        for name in orphans:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{verb} {len(orphans)} orphan file(s).")

    def _retention(self, options: dict[str, Any]) -> None:
        if options["list"]:
            for d in DestructionList.objects.select_related("agency", "approved_by").order_by("pk"):
                out = retention.list_out(d)
                self.stdout.write(f"List {out['id']} {out['agency']['code']} {out['status']}: {out['dossiers']} "
                                  f"dossier(s); decision {out['decision'] or '-'} by {out['approved_by'] or '-'}")
            waiting = retention.past_period().exclude(pk__in=retention.listed())
            for dossier in waiting.select_related("procedure"):
                closed = retention.closed_at(dossier)
                until = retention.kept_until(closed, dossier.procedure.retention_years or 0) if closed else "-"
                self.stdout.write(f"Past its period, not yet listed: {dossier.public_id} "
                                  f"({dossier.procedure.code}, kept until {until})")
            return
        if options["approve"] is not None:
            user = User.objects.filter(username=options["by"]).first()
            if user is None:
                raise CommandError("--by names no user.")
            try:
                approved = retention.approve(user, options["approve"], options["decision"])
            except DomainError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"List {approved.pk} approved ({approved.decision}); its dossiers are anonymised "
                              "by the next run of `motcua dossiers retention`.")
            return
        dry = options["dry_run"]
        prepared = retention.prepare(dry_run=dry)
        done = retention.carry_out(dry_run=dry)
        verb = "Would" if dry else "Did"
        self.stdout.write(f"{verb} list {prepared.dossiers} dossier(s) past their period for a decision; "
                          f"{verb.lower()} anonymise {done.dossiers} dossier(s) of approved lists "
                          f"({done.files} file(s)).")
        for code in done.skipped:
            self.stdout.write(f"Skipped {code}: no longer past its period.")
