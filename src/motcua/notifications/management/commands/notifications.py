"""``motcua notifications retry``: deliver the notices whose next try is due. Run it from cron every minute
or two; it also picks up messages whose worker died or whose task could not be enqueued.

``motcua notifications seed``: create the default templates that are missing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.notifications import services


class Command(BaseCommand):
    help = "Notification maintenance: retry due deliveries, seed the default templates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser("retry", help="deliver the messages whose next try is due")
        retry.add_argument("--limit", type=int, default=500, help="at most this many messages (default 500)")
        retry.add_argument("--inline", action="store_true",
                           help="deliver in this process instead of enqueuing background tasks")
        sub.add_parser("seed", help="create the default templates that are missing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed":
            services.seed_default_templates(self.stdout)
            return
        count = services.retry_due(limit=options["limit"], inline=options["inline"])
        if options["verbosity"] >= 1:
            self.stdout.write(f"Due messages handled: {count}.")
