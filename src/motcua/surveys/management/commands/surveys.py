"""Operator commands for the satisfaction surveys:

- ``motcua surveys retally [--questionnaire CODE]``: rebuild the running tallies from the raw answers (after a
  restore, or to check them): ``services.retally``.
- ``motcua surveys remind``: the one reminder of every campaign sent at least MOTCUA_SURVEY_REMINDER_DAYS days
  ago and not reminded yet (``services.remind_due``). Idempotent; the scheduler runs it (``MOTCUA_SCHEDULE``).
- ``motcua surveys seed``: create the questionnaires motcua starts with (``seed.py``) that are missing, by
  code; an existing questionnaire, edited or not, is left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from motcua.surveys import services
from motcua.surveys.models import Criterion, Factor, Questionnaire
from motcua.surveys.seed import seed


class Command(BaseCommand):
    help = "Operator commands for the satisfaction surveys. Sub-commands: retally, remind, seed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["retally", "remind", "seed"])
        parser.add_argument("--questionnaire", default="", help="retally: only the versions of this code")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "retally":
            self._retally(options["questionnaire"])
        elif action == "remind":
            sent = services.remind_due()
            self.stdout.write(f"Sent {sent} survey reminder(s).")
        else:
            with transaction.atomic():
                made = seed(Questionnaire, Factor, Criterion, timezone.localdate())
            self.stdout.write(f"Created {made} questionnaire(s).")

    def _retally(self, code: str) -> None:
        if not code:
            rows = services.retally()
        else:
            forms = list(Questionnaire.objects.filter(code=code))
            if not forms:
                raise CommandError(f"No questionnaire has the code {code!r}.")
            rows = 0
            for form in forms:
                rows = services.retally(form)
        self.stdout.write(f"Tallies rebuilt: {rows} row(s).")
