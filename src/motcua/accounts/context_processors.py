from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .permissions import Capability, has_capability


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation offers the person signed in. Lazy, so that pages which never show it (PDFs,
    error pages) cost no query."""
    return {"nav": SimpleLazyObject(lambda: _nav_flags(request))}


def _nav_flags(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff": False, "handles": False, "stats": False, "citizen": False, "reform": False}
    return {
        "staff": has_capability(user, Capability.VIEW_DOSSIERS),  # type: ignore[arg-type]
        # Receives or processes dossiers: answers the applicants' personal-data requests (the portal's queue).
        "handles": any(has_capability(user, c) for c in (  # type: ignore[arg-type]
            Capability.RECEIVE_DOSSIERS, Capability.PROCESS_DOSSIERS)),
        "stats": has_capability(user, Capability.VIEW_STATS),  # type: ignore[arg-type]
        "citizen": has_capability(user, Capability.SUBMIT_DOSSIERS),  # type: ignore[arg-type]
        "reform": any(has_capability(user, c) for c in (  # type: ignore[arg-type]
            Capability.ASSESS_REFORM, Capability.APPRAISE_REFORM, Capability.VIEW_REFORM)),
    }
