from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import User
from motcua.accounts.services import create_token


class Command(BaseCommand):
    help = "Create an API bearer token for USERNAME and print it once (only its digest is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label to recognise the token by.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is disabled.")
        _, clear = create_token(user, options["name"] or "createtoken")
        self.stdout.write(clear)
