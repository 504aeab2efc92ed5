from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def site(request: HttpRequest) -> dict[str, Any]:
    """The agency's identity for the header and footer of every page, and what the navigation offers.

    Named "brand", not "site": auth views put their own "site" in the context. The navigation flags are
    lazy so that pages which never show them (PDFs, error pages) cost no query.
    """
    return {"brand": settings.MOTCUA_SITE, "nav": SimpleLazyObject(lambda: _nav_flags(request))}


def _nav_flags(request: HttpRequest) -> dict[str, bool]:
    from motcua.accounts.permissions import Capability, has_capability

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff": False, "stats": False, "citizen": False}
    return {
        "staff": has_capability(user, Capability.VIEW_DOSSIERS),  # type: ignore[arg-type]
        "stats": has_capability(user, Capability.VIEW_STATS),  # type: ignore[arg-type]
        "citizen": has_capability(user, Capability.SUBMIT_DOSSIERS),  # type: ignore[arg-type]
    }
