"""Operator commands of the synchronisation with the National Public Service Portal (docs/integrations.md):

- ``motcua dvcqg push [--loop]``: send what is due now (the scheduler runs it every minute; the on-commit
  tasks send most records at once). Nothing happens while ``MOTCUA_DVCQG_URL`` is unset.
- ``motcua dvcqg status``: the outbox's counts and the records set aside.
- ``motcua dvcqg replay ID | --all``: send a record set aside again.
- ``motcua dvcqg reconcile [--from DAY --to DAY]``: compare with what DVCQG holds (default: the last 30 days)
  and keep the report; the scheduler runs it daily.
- ``motcua dvcqg backfill [--since DAY]``: owe DVCQG the dossiers received before the synchronisation was on.
- ``motcua dvcqg double [--port 9000]``: run the DVCQG double (development; client id ``motcua``, secret
  ``bi-mat``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.integrations.dvcqg import reconcile, selectors, services, worker
from motcua.integrations.dvcqg.double import DvcqgDouble


def _day(raw: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"{name} takes a day, e.g. 2026-12-01") from exc


class Command(BaseCommand):
    help = "DVCQG synchronisation. Sub-commands: push, status, replay, reconcile, backfill, double."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["push", "status", "replay", "reconcile", "backfill", "double"])
        parser.add_argument("record", nargs="?", type=int, help="replay: the record's id")
        parser.add_argument("--all", action="store_true", help="replay: every record set aside")
        parser.add_argument("--loop", action="store_true", help="push: keep pushing every few seconds")
        parser.add_argument("--from", dest="first", default="", help="reconcile: first day (ISO)")
        parser.add_argument("--to", dest="last", default="", help="reconcile: last day (ISO)")
        parser.add_argument("--since", default="", help="backfill: only dossiers received since this day")
        parser.add_argument("--host", default="127.0.0.1", help="double: address to listen on")
        parser.add_argument("--port", type=int, default=9000, help="double: port to listen on")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        action = options["action"]
        if action == "double":
            double = DvcqgDouble(options["host"], options["port"])
            self.stdout.write(f"DVCQG double on {double.url} (client id motcua, secret bi-mat); Ctrl+C stops it")
            with contextlib.suppress(KeyboardInterrupt):
                double.serve_forever()
            return
        if action == "push":
            self._push(options["loop"])
        elif action == "status":
            s = selectors.summary()
            self.stdout.write(f"configured: {s['configured']}, records written: {s['enabled']}")
            self.stdout.write(f"acknowledged {s['acked']}, waiting {s['pending']} (held back {s['blocked']}), "
                              f"set aside {s['dead']}")
            for r in s["dead_records"]:
                self.stdout.write(f"  #{r.pk} {r.key}: {r.last_error}")
        elif action == "replay":
            if options["all"]:
                self.stdout.write(f"Replaying {services.replay_all(None)} record(s).")
            elif options["record"]:
                services.replay_record(options["record"])
                self.stdout.write(f"Record {options['record']} will be sent again.")
            else:
                raise CommandError("replay takes a record id or --all")
        elif action == "reconcile":
            self._reconcile(options["first"], options["last"])
        else:
            since = _day(options["since"], "--since") if options["since"] else None
            self.stdout.write(f"Backfilled {services.backfill(since=since)} dossier(s).")

    def _push(self, loop: bool) -> None:
        if not settings.MOTCUA_DVCQG_URL:
            if self.verbosity > 1:  # the scheduler runs it every minute: silent when there is nothing to do
                self.stdout.write("MOTCUA_DVCQG_URL is not set: nothing is sent.")
            return
        while True:
            done = worker.drain()
            if done.sent or not loop:
                self.stdout.write(f"acknowledged {done.acked}, to retry {done.retried}, set aside {done.dead}")
            if not loop:
                return
            time.sleep(5)

    def _reconcile(self, first_raw: str, last_raw: str) -> None:
        if not settings.MOTCUA_DVCQG_URL:
            if self.verbosity > 1:
                self.stdout.write("MOTCUA_DVCQG_URL is not set: nothing to reconcile.")
            return
        last = _day(last_raw, "--to") if last_raw else timezone.localdate()
        first = _day(first_raw, "--from") if first_raw else last - dt.timedelta(days=30)
        if first > last:
            raise CommandError("--from is after --to")
        report = reconcile.run(first, last)
        if report.error:
            raise CommandError(f"DVCQG could not be asked: {report.error}")
        self.stdout.write(f"{first}–{last}: owed {report.expected}, acknowledged {report.acknowledged}, held "
                          f"there {report.remote}; missing {len(report.missing)}, different "
                          f"{len(report.mismatched)}, unknown here {len(report.unknown)}, not sent yet "
                          f"{len(report.unsent)}")
        for row in report.missing:
            self.stdout.write(f"  missing there: {row['code']}")
