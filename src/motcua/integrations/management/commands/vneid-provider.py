"""``motcua vneid-provider --port 9100``: the development stand-in for VNeID, in its own process.

Point a development server at it with ``MOTCUA_VNEID_ISSUER=http://127.0.0.1:9100 MOTCUA_VNEID_CLIENT_ID=motcua
MOTCUA_VNEID_CLIENT_SECRET=motcua-dev-secret`` (docs/integrations-vneid.md).
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations.vneid.provider import VneidProvider


class Command(BaseCommand):
    help = "Run the development OpenID provider that stands in for VNeID (never in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=9100, help="port to listen on (default 9100)")
        parser.add_argument("--client-id", default="motcua")
        parser.add_argument("--client-secret", default="motcua-dev-secret")
        parser.add_argument("--redirect-uri", action="append", default=[],
                            help="accepted redirect URI (repeat for several; none = any)")
        parser.add_argument("--issuer", default="", help="the public address, when not http://HOST:PORT")

    def handle(self, *args: Any, **options: Any) -> None:
        provider = VneidProvider(options["host"], options["port"], client_id=options["client_id"],
                                 client_secret=options["client_secret"],
                                 redirect_uris=tuple(options["redirect_uri"]), issuer=options["issuer"])
        self.stdout.write(f"VNeID stand-in at {provider.issuer} (client {options['client_id']}); Ctrl+C stops it.\n"
                          f"  MOTCUA_VNEID_ISSUER={provider.issuer} MOTCUA_VNEID_CLIENT_ID={options['client_id']} "
                          f"MOTCUA_VNEID_CLIENT_SECRET={options['client_secret']}")
        self.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            provider.serve_forever()
