"""Reads about people and units."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.text import fold_vi

from .choices import Role, UnitKind
from .models import OrgUnit, RecoveryCodeDevice, RoleAssignment, SecurityKeyDevice, User


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


# The position printed when a leader's assignment names none: the generic term of Circular 03/2025 form 04.
HEAD_TITLE = "Thủ trưởng cơ quan"


def _is_deputy(title: str) -> bool:
    # Every deputy position in Vietnamese administration is the head's title after "Phó" (Phó Giám đốc,
    # Phó Chủ tịch, Phó Trưởng phòng), so the head's title is what follows it.
    return title.casefold().startswith("phó ")


def _head_title_of(agency: OrgUnit, day: dt.date) -> str:
    """The title of the head of ``agency`` (the one who is not a deputy), for "KT."/"TL." lines."""
    titles = RoleAssignment.objects.valid_on(day).filter(unit=agency, role=Role.AGENCY_LEADER).exclude(
        title="").values_list("title", flat=True)
    for title in titles:
        if not _is_deputy(title):
            return title
    for title in titles:  # only deputies are recorded: their head's title is theirs without "Phó"
        return title[4:].strip()
    return HEAD_TITLE


def signature(user: User | None, agency: OrgUnit | None, day: dt.date | None = None) -> dict[str, str]:
    """The signature block of a paper issued in the name of ``agency`` and signed by ``user``, from the
    person's role assignments (Decree 30/2020 Art. 13 and Annex I): ``authority`` ("KT. GIÁM ĐỐC" when a
    deputy signs for the head, "TL. GIÁM ĐỐC" when a division head signs by the head's order, else empty),
    ``title`` (the signer's own position), ``name`` and ``unit`` (the unit the signer works in)."""
    if user is None:
        return {"authority": "", "title": "", "name": "", "unit": ""}
    day = day or timezone.localdate()
    active = [a for a in user.role_assignments.select_related("unit") if a.is_active_on(day) and a.unit]
    name = user.get_full_name()
    in_agency = [a for a in active if agency is None or a.unit_id == agency.pk or (
        a.unit is not None and a.unit.agency() == agency)]
    leader = next((a for a in in_agency if a.role == Role.AGENCY_LEADER), None)
    if leader is not None and leader.unit is not None:
        title = leader.title or HEAD_TITLE
        head = title[4:].strip() if _is_deputy(title) else ""
        return {"authority": f"KT. {head}" if head else "", "title": title, "name": name,
                "unit": leader.unit.name}
    head_of = next((a for a in in_agency if a.role == Role.DIVISION_HEAD), None)
    if head_of is not None and head_of.unit is not None:
        unit = head_of.unit
        title = head_of.title or f"Trưởng {unit.name[:1].lower()}{unit.name[1:]}"
        on_behalf = agency is not None and unit.pk != agency.pk
        return {"authority": f"TL. {_head_title_of(agency, day)}" if on_behalf and agency else "",
                "title": title, "name": name, "unit": unit.name}
    own = next((a for a in active if a.title), None)
    unit_name = user.unit.name if user.unit else (active[0].unit.name if active and active[0].unit else "")
    return {"authority": "", "title": own.title if own else "", "name": name, "unit": unit_name}


def leader_of(agency: OrgUnit, day: dt.date | None = None) -> User | None:
    """The head of ``agency`` (a leader who is not a deputy, else any leader), for a paper the agency issues."""
    day = day or timezone.localdate()
    leaders = list(RoleAssignment.objects.valid_on(day).filter(unit=agency, role=Role.AGENCY_LEADER)
                   .select_related("user").order_by("id"))
    head = next((a for a in leaders if not _is_deputy(a.title)), leaders[0] if leaders else None)
    return head.user if head else None


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


def authenticator(user: User) -> TOTPDevice | None:
    """The confirmed authenticator app of ``user``, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_device(user: User) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user=user).order_by("-pk").first()


def security_keys(user: User) -> list[SecurityKeyDevice]:
    """The security keys and passkeys ``user`` has enrolled, oldest first."""
    return list(SecurityKeyDevice.objects.filter(user=user, confirmed=True).order_by("created_at", "pk"))


def has_second_factor(user: User) -> bool:
    """Whether ``user`` has a second factor to sign in with: the authenticator app or a security key (recovery
    codes alone do not count: they are the way back when the factor is lost)."""
    return authenticator(user) is not None or SecurityKeyDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_status(user: User) -> dict[str, Any]:
    """For the account page: whether an authenticator is enrolled, the security keys, how many recovery codes
    are left."""
    recovery = recovery_device(user)
    return {"enrolled": authenticator(user) is not None, "keys": security_keys(user),
            "recovery_left": recovery.remaining() if recovery is not None else 0}
