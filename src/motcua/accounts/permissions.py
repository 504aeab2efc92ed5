"""Who may do what, and on which units.

A capability is granted by a role; its reach is the unit subtree the role's assignment covers:
- a specialist or division head acts within their division;
- a desk officer or agency leader within their agency (the agency the desk belongs to);
- a centre officer within the centre and every agency the centre receives for;
- an inspector reads everything and changes nothing (every read by staff is logged elsewhere);
- an administrator configures the system everywhere.
Views and services ask ``has_capability`` or ``unit_ids_in_scope``; nothing checks role names directly.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .choices import STAFF_ROLES, Role, UnitKind
from .models import OrgUnit, RoleAssignment, User


class Capability(StrEnum):
    VIEW_DOSSIERS = "view_dossiers"
    RECEIVE_DOSSIERS = "receive_dossiers"
    PROCESS_DOSSIERS = "process_dossiers"
    ASSIGN_DOSSIERS = "assign_dossiers"
    SIGN_RESULTS = "sign_results"
    VIEW_STATS = "view_stats"
    MANAGE_CATALOGUE = "manage_catalogue"
    MANAGE_CALENDAR = "manage_calendar"
    ADMINISTER = "administer"
    SUBMIT_DOSSIERS = "submit_dossiers"
    # The reform scorecard (``motcua.scorecards``): an agency's officers self-score the criteria they own,
    # its leader assigns owners and submits, the council appraises, and inspectors read.
    ASSESS_REFORM = "assess_reform"
    LEAD_REFORM = "lead_reform"
    APPRAISE_REFORM = "appraise_reform"
    VIEW_REFORM = "view_reform"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CITIZEN: frozenset({Capability.SUBMIT_DOSSIERS}),
    Role.DESK_OFFICER: frozenset({Capability.VIEW_DOSSIERS, Capability.RECEIVE_DOSSIERS, Capability.ASSESS_REFORM}),
    Role.CENTRE_OFFICER: frozenset({Capability.VIEW_DOSSIERS, Capability.RECEIVE_DOSSIERS, Capability.ASSESS_REFORM}),
    Role.SPECIALIST: frozenset({Capability.VIEW_DOSSIERS, Capability.PROCESS_DOSSIERS, Capability.ASSESS_REFORM}),
    Role.DIVISION_HEAD: frozenset(
        {Capability.VIEW_DOSSIERS, Capability.PROCESS_DOSSIERS, Capability.ASSIGN_DOSSIERS, Capability.VIEW_STATS,
         Capability.ASSESS_REFORM}
    ),
    Role.AGENCY_LEADER: frozenset(
        {Capability.VIEW_DOSSIERS, Capability.PROCESS_DOSSIERS, Capability.SIGN_RESULTS, Capability.VIEW_STATS,
         Capability.ASSESS_REFORM, Capability.LEAD_REFORM}
    ),
    Role.INSPECTOR: frozenset({Capability.VIEW_DOSSIERS, Capability.VIEW_STATS, Capability.VIEW_REFORM}),
    Role.ADMINISTRATOR: frozenset(
        {Capability.ADMINISTER, Capability.MANAGE_CATALOGUE, Capability.MANAGE_CALENDAR, Capability.VIEW_STATS,
         Capability.VIEW_REFORM}
    ),
    Role.APPRAISER: frozenset({Capability.APPRAISE_REFORM, Capability.VIEW_REFORM}),
}

# Roles whose reach is the whole tree rather than the unit of their assignment.
_TREE_WIDE = frozenset({Role.INSPECTOR, Role.ADMINISTRATOR, Role.APPRAISER})
# Roles whose reach widens from their own unit to the agency that unit belongs to.
_AGENCY_WIDE = frozenset({Role.DESK_OFFICER, Role.AGENCY_LEADER, Role.CENTRE_OFFICER})


def _active_assignments(user: User, day: dt.date) -> list[RoleAssignment]:
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_motcua_assignments", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("unit", "unit__parent"))
        user._motcua_assignments = cached  # type: ignore[attr-defined]
    return [a for a in cached if a.is_active_on(day)]


def has_role(user: User, role: str, day: dt.date | None = None) -> bool:
    return any(a.role == role for a in _active_assignments(user, day or timezone.localdate()))


def has_capability(user: User, capability: Capability, unit: OrgUnit | None = None) -> bool:
    """Whether ``user`` holds ``capability`` at all (``unit`` None) or over ``unit``."""
    day = timezone.localdate()
    for assignment in _active_assignments(user, day):
        if capability not in ROLE_CAPABILITIES.get(assignment.role, frozenset()):
            continue
        if unit is None or assignment.role in _TREE_WIDE:
            return True
        if _covers(assignment, unit):
            return True
    return False


def _covers(assignment: RoleAssignment, unit: OrgUnit) -> bool:
    root = scope_root(assignment)
    if root is None:
        return False
    if root.path and unit.path.startswith(root.path):
        return True  # in the root's subtree: the materialised paths say so without a query
    return unit.pk in unit_ids_for_assignment(assignment)  # a service centre's agencies, or stale paths


def scope_root(assignment: RoleAssignment) -> OrgUnit | None:
    unit = assignment.unit
    if unit is None:
        return None
    if assignment.role in _AGENCY_WIDE:
        return unit.agency() or unit
    return unit


def unit_ids_for_assignment(assignment: RoleAssignment) -> set[int]:
    root = scope_root(assignment)
    if root is None:
        return set()
    ids = set(OrgUnit.objects.filter(path__startswith=root.path).values_list("pk", flat=True))
    if root.kind == UnitKind.SERVICE_CENTRE:
        # The centre acts for the agencies it receives for, and their subtrees.
        for agency in root.receives_for.all():
            ids |= set(OrgUnit.objects.filter(path__startswith=agency.path).values_list("pk", flat=True))
    return ids


def unit_ids_in_scope(user: User, capability: Capability) -> set[int] | None:
    """The ids of the units over which ``user`` holds ``capability``; None means every unit."""
    ids: set[int] = set()
    for assignment in _active_assignments(user, timezone.localdate()):
        if capability not in ROLE_CAPABILITIES.get(assignment.role, frozenset()):
            continue
        if assignment.role in _TREE_WIDE:
            return None
        ids |= unit_ids_for_assignment(assignment)
    return ids


# The kinds of unit that stand on their own: an agency (or the province's People's Committee, a service
# centre, a commune) speaks for itself, and a unit under it belongs to it, not to the units above it.
_SELF_STANDING = frozenset({UnitKind.PROVINCE, UnitKind.AGENCY, UnitKind.SERVICE_CENTRE, UnitKind.COMMUNE})


def own_unit_ids(user: User, capability: Capability) -> set[int] | None:
    """The units ``user`` belongs to as one of their own officers, through a role holding ``capability``: the
    role's unit and each unit above it up to the agency it belongs to (a division's specialist is an officer
    of the division and of its department), never further up (an officer of a department is not an officer
    of the province's People's Committee above it). None: every unit (a role whose reach is the whole tree).

    A request for an opinion addressed to a unit opens the dossier to these officers only, and only they
    answer it in that unit's name — not the officers of every agency placed under it."""
    result: set[int] = set()
    deeper: list[OrgUnit] = []
    for assignment in _active_assignments(user, timezone.localdate()):
        if capability not in ROLE_CAPABILITIES.get(assignment.role, frozenset()):
            continue
        if assignment.role in _TREE_WIDE:
            return None
        unit = assignment.unit
        if unit is None:
            continue
        # The unit and its parent come with the assignment: enough for an agency, a division or a desk.
        result.add(unit.pk)
        if unit.kind in _SELF_STANDING or unit.parent is None:
            continue
        result.add(unit.parent.pk)
        if unit.parent.kind not in _SELF_STANDING:
            deeper.append(unit)  # a unit inside a division: read the kinds further up
    if deeper:
        kinds = dict(OrgUnit.objects.filter(pk__in={pk for u in deeper for pk in u.ancestor_ids()})
                     .values_list("pk", "kind"))
        for unit in deeper:
            for pk in reversed(unit.ancestor_ids()):  # from the unit upwards
                result.add(pk)
                if kinds.get(pk) in _SELF_STANDING:
                    break
    return result


def scope_filter(user: User, capability: Capability, field: str) -> Q:
    """A filter restricting a queryset's ``field`` (a unit foreign key) to the user's scope."""
    ids = unit_ids_in_scope(user, capability)
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids})


def officers_with(capability: Capability, agency: OrgUnit, day: dt.date | None = None) -> list[User]:
    """The active people who hold ``capability`` as officers of ``agency`` (``own_unit_ids`` contains it): a
    role in the agency or a unit under it, not under another self-standing unit placed below it. Two queries,
    whatever the number of people (a leader choosing among a department's officers)."""
    day = day or timezone.localdate()
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps and role not in _TREE_WIDE]
    nested = list(OrgUnit.objects.filter(path__startswith=agency.path, kind__in=_SELF_STANDING)
                  .exclude(pk=agency.pk).values_list("path", flat=True))
    rows = (RoleAssignment.objects.valid_on(day)
            .filter(role__in=roles, unit__path__startswith=agency.path, user__is_active=True)
            .select_related("user", "unit"))
    people = {a.user for a in rows if a.unit is not None and not any(a.unit.path.startswith(p) for p in nested)}
    return sorted(people, key=lambda u: (u.full_name or u.username, u.pk))


def holders_of(capability: Capability, day: dt.date | None = None) -> list[User]:
    """The active people whose role reaches the whole tree with ``capability`` (e.g. the reform appraisal
    council, ``APPRAISE_REFORM``): those a province-wide matter is addressed to."""
    day = day or timezone.localdate()
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps and role in _TREE_WIDE]
    held = RoleAssignment.objects.valid_on(day).filter(role__in=roles).values("user_id")
    return list(User.objects.filter(pk__in=held, is_active=True).order_by("full_name", "pk"))


def requires_second_factor(user: User) -> bool:
    """Whether ``user`` must pass the second factor before any staff page, staff API call by session, or the
    admin site: every holder of a staff role (all of them open dossiers, registers, scorecards or the people
    in them: personal data) and anyone let into the admin site. Citizens are not asked (they sign in with
    VNeID or a password as before). ``MOTCUA_STAFF_2FA`` off (an operator's explicit choice) asks no one."""
    if not settings.MOTCUA_STAFF_2FA or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(a.role in STAFF_ROLES for a in _active_assignments(user, timezone.localdate()))
