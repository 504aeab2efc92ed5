from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """The agency's identity for the header and footer of every page."""
    return {"site": settings.MOTCUA_SITE}
