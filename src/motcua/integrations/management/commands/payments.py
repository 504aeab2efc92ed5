"""Operator commands of online payment (docs/integrations-payments.md):

- ``motcua payments expire``: every order past its validity is asked about at the provider once more (paid →
  recorded and the dossier confirmed; else closed as abandoned, the dossier still awaiting payment), and receipts
  not yet fetched are fetched. The scheduler runs it (``MOTCUA_SCHEDULE``).
- ``motcua payments reconcile [--day YYYY-MM-DD]``: check the provider's statement of the day (default:
  yesterday, Vietnam time) against the payments recorded here; the report is kept and shown to the
  administrators at /ket-noi/thanh-toan/doi-soat/. Exits 1 when it finds a mismatch or cannot read the statement.

Both do nothing while MOTCUA_PAYMENT_PROVIDER is off.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.integrations.payments import providers, services


class Command(BaseCommand):
    help = "Online payment: expire abandoned orders, reconcile a day's statement. Sub-commands: expire, reconcile."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["expire", "reconcile"])
        parser.add_argument("--day", default="", help="reconcile: the day (YYYY-MM-DD), default yesterday")

    def handle(self, *args: Any, **options: Any) -> None:
        if not providers.enabled():
            self.stdout.write("Online payment is off (MOTCUA_PAYMENT_PROVIDER): nothing to do.")
            return
        if options["action"] == "expire":
            counts = services.expire_abandoned()
            self.stdout.write("Checked {checked}, abandoned {abandoned}, paid {paid}, receipts fetched {receipts}."
                              .format(**counts))
            return
        if options["day"]:
            try:
                day = dt.date.fromisoformat(options["day"])
            except ValueError as exc:
                raise CommandError("--day takes a date as YYYY-MM-DD") from exc
        else:
            day = timezone.localdate(timezone=providers.VN) - dt.timedelta(days=1)
        report = services.reconcile(day)
        if report.error:
            raise CommandError(f"{day}: the statement could not be read: {report.error}")
        self.stdout.write(f"{day}: {report.lines_there} line(s) in the statement, {report.lines_here} here, "
                          f"{len(report.mismatches)} mismatch(es).")
        for m in report.mismatches:
            self.stdout.write(f"  {m['kind']}: {m['order_id']} "
                              f"there={m.get('amount_there')} here={m.get('amount_here')}")
        if report.mismatches:
            raise CommandError(f"{len(report.mismatches)} mismatch(es) on {day}.")
