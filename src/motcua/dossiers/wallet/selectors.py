"""Reads of the citizen's documents."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, unit_ids_in_scope

from .models import HeldDocument


def _live() -> QuerySet[HeldDocument]:
    return HeldDocument.objects.filter(withdrawn_at__isnull=True).select_related("issuer", "attachment")


def held_by(holder_id: str = "", user: User | None = None) -> QuerySet[HeldDocument]:
    """The documents of a person: by their ID number or tax code, or their account."""
    q = Q(pk__in=[])
    if holder_id:
        q |= Q(holder_number=holder_id)
    if user is not None and user.is_authenticated:
        q |= Q(holder=user)
    return _live().filter(q)


def offers(snapshot: dict[str, Any], holder_id: str = "", user: User | None = None) -> dict[int, list[HeldDocument]]:
    """For each document of the procedure version (its order in the list) with a kind, the documents of that
    kind the applicant holds: what the desk or the portal offers to reuse instead of a new copy."""
    docs = (snapshot.get("version") or {}).get("documents") or []
    kinds = {i: d.get("kind") for i, d in enumerate(docs, start=1) if d.get("kind")}
    if not kinds or not (holder_id or user):
        return {}
    held = list(held_by(holder_id, user).filter(kind__in=set(kinds.values())))
    return {order: [h for h in held if h.kind == kind] for order, kind in kinds.items()
            if any(h.kind == kind for h in held)}


def look_up(user: User, number: str) -> list[HeldDocument]:
    """A result looked up by its number at the desk, instead of asking for a copy: staff who receive dossiers."""
    if not number.strip() or unit_ids_in_scope(user, Capability.RECEIVE_DOSSIERS) == set():
        return []
    return list(_live().filter(number__iexact=number.strip())[:20])
