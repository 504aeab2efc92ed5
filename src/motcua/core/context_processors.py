from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """The agency's identity for the header and footer of every page (what the navigation offers the
    person signed in: ``motcua.accounts.context_processors.navigation``).

    Named "brand", not "site": auth views put their own "site" in the context.
    """
    return {"brand": settings.MOTCUA_SITE}
