"""Reads about people and units."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from motcua.core.text import fold_vi

from .choices import UnitKind
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


# Units that give an opinion when asked: not a one-stop desk or a service centre, which receive dossiers
# and answer for none.
_CONSULTED_KINDS = (UnitKind.PROVINCE, UnitKind.AGENCY, UnitKind.DIVISION, UnitKind.COMMUNE)


def units_by_code_or_name(text: str) -> list[OrgUnit]:
    """The current units that ``text`` names: the one whose identifier code it is, else those whose name (or
    short name) it is, accents and case aside ("so nong nghiep va moi truong" names "Sở Nông nghiệp và Môi
    trường"). More than one: the name is ambiguous and the caller asks for the code."""
    text = (text or "").strip()
    if not text:
        return []
    by_code = OrgUnit.objects.current().filter(code=text).first()
    if by_code is not None:
        return [by_code]
    folded = fold_vi(text)
    candidates = OrgUnit.objects.current().filter(kind__in=_CONSULTED_KINDS).order_by("path")
    return [u for u in candidates if folded in (fold_vi(u.name), fold_vi(u.short_name or ""))]


def consultable_units() -> list[tuple[str, list[tuple[str, str]]]]:
    """The units one may ask for an opinion, by name, grouped under the agency they belong to (the agency
    first, then its divisions; the province's People's Committee first of all): the choices of a select
    that works without JavaScript, its values the units' codes."""
    units = list(OrgUnit.objects.current().filter(kind__in=_CONSULTED_KINDS).only("pk", "code", "name", "kind", "path",
                                                                                  "parent_id").order_by("path"))
    by_id = {u.pk: u for u in units}
    groups: dict[int, list[OrgUnit]] = {}
    heads: dict[int, OrgUnit] = {}
    for unit in units:
        home = unit
        for pk in reversed(unit.ancestor_ids()):  # from the unit upwards, to the first that stands on its own
            found = by_id.get(pk)
            if found is not None and found.kind != UnitKind.DIVISION:
                home = found
                break
        heads[home.pk] = home
        groups.setdefault(home.pk, []).append(unit)
    order = sorted(heads.values(), key=lambda u: (u.kind != UnitKind.PROVINCE, fold_vi(u.name)))
    return [(head.name, [(u.code, u.name) for u in sorted(groups[head.pk], key=lambda u: (u.pk != head.pk,
                                                                                           fold_vi(u.name)))])
            for head in order]
