from __future__ import annotations

import base64
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from motcua.accounts.demo import read_totp_secrets


class Command(BaseCommand):
    help = ("Print the current second-factor code of a demo officer, computed from the secret that `motcua demo` "
            "wrote to the demo credentials file (var/demo-credentials.txt); nothing is read from the database.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = read_totp_secrets().get(options["username"])
        if secret is None:
            raise CommandError(f"No demo authenticator for {options['username']!r}: run `motcua demo` first "
                               "(only the demo's staff personas have one).")
        totp = TOTP(base64.b32decode(secret))
        now = time.time()
        totp.time = now
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(f"valid for {30 - int(now) % 30} more seconds; each code signs in once")
