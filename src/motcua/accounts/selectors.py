"""Reads about people and units."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import OrgUnit, User


def profile(user: User) -> dict[str, Any]:
    """What a person is in the system: name, roles and units, for ``/api/v1/me`` and the account page."""
    day = timezone.localdate()
    assignments = [a for a in user.role_assignments.select_related("unit") if a.is_active_on(day)]
    unit = user.unit
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "roles": sorted({a.role for a in assignments}),
        "assignments": [
            {"role": a.role, "role_label": str(a.get_role_display()),
             "unit": unit_summary(a.unit) if a.unit else None}
            for a in assignments
        ],
        "unit": unit_summary(unit) if unit else None,
    }


def unit_summary(unit: OrgUnit) -> dict[str, Any]:
    agency = unit.agency()
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "agency": {"code": agency.code, "name": agency.name} if agency and agency.pk != unit.pk else None,
    }


def unit_tree() -> list[OrgUnit]:
    """Every current unit in tree order (paths sort parents before children)."""
    return list(OrgUnit.objects.current().select_related("parent").order_by("path"))
