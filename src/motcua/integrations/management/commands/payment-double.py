"""``motcua payment-double [--host 127.0.0.1] [--port 9200] [--secret S] [--merchant M]``: run the double of the
online payment platform as its own process, for development and demonstrations. Point the application at it with
MOTCUA_PAYMENT_PROVIDER=dvcqg MOTCUA_PAYMENT_URL=http://127.0.0.1:9200 and the same merchant and secret
(defaults: MOTCUA-DEV, the development secret printed at start). Steer it over HTTP: ``POST /_double/faults``
(failures, delays), ``POST /_double/faults {"callback_copies": 2}`` (each notice posted twice),
``POST /_double/statement {"kind": "add"|"drop"|"amount", "order_id": ..., "amount": ..., "day": ...}``."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations.payments.double import MERCHANT, SECRET, PaymentDouble


class Command(BaseCommand):
    help = "Run the double of the online payment platform (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9200)
        parser.add_argument("--secret", default=SECRET)
        parser.add_argument("--merchant", default=MERCHANT)

    def handle(self, *args: Any, **options: Any) -> None:
        double = PaymentDouble(options["host"], options["port"], secret=options["secret"],
                               merchant=options["merchant"])
        self.stdout.write(f"Payment platform double on {double.url} (merchant {options['merchant']}, "
                          f"secret {options['secret']}). Ctrl+C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            double.serve_forever()
