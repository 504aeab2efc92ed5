"""Who may open the staff screens, and the dossier in the user's scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import NotFound

from .. import selectors
from ..models import Dossier


def staff(request: HttpRequest) -> User:
    """The signed-in member of staff; a citizen (or anyone without the right to see dossiers) gets 403."""
    user: User = request.user  # type: ignore[assignment]
    if not selectors.is_staff(user):
        raise PermissionDenied
    return user


def receiver(request: HttpRequest) -> User:
    """A member of staff who receives dossiers at a desk."""
    user: User = request.user  # type: ignore[assignment]
    if not has_capability(user, Capability.RECEIVE_DOSSIERS):
        raise PermissionDenied
    return user


def dossier_for(user: User, code: str) -> Dossier:
    """The dossier by code or reference within the user's scope; 404 outside it (its existence is not
    disclosed)."""
    try:
        return selectors.get_visible(user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def detail_url(dossier: Dossier) -> str:
    return reverse("dossiers:detail", args=[dossier.public_id])
