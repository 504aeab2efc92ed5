"""Demo data of the surveys app: three counters at each demo agency that has a one-stop desk and at the
service centre, so that a desk officer can set a kiosk up (``views.kiosk``). Idempotent."""

from __future__ import annotations

from typing import Any

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit

from .models import Counter

COUNTERS = [("Q1", "Quầy 1"), ("Q2", "Quầy 2"), ("Q3", "Quầy 3")]


def seed_counters() -> int:
    """Create the missing demo counters; the number created."""
    desks = OrgUnit.objects.filter(kind=UnitKind.DESK).select_related("parent")
    agencies = {d.agency() for d in desks} | set(OrgUnit.objects.filter(kind=UnitKind.SERVICE_CENTRE))
    created = 0
    for agency in sorted((a for a in agencies if a is not None), key=lambda a: a.code):
        for code, name in COUNTERS:
            _, made = Counter.objects.get_or_create(unit=agency, code=code, defaults={"name": name})
            created += made
    return created


def seed(stdout: Any) -> None:
    created = seed_counters()
    if created:
        stdout.write(f"surveys: {created} desk counters\n")
