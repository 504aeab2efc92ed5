"""Retention periods of dossiers and the destruction review (issue 21; docs/security.md, *Retention of the agencies'
records*; docs/operations.md, *Retention periods*).

The period is the procedure's ``retention_years``, taken by the agency from its own list of retention periods
(*bảng thời hạn bảo quản*): the archive law leaves it to that list, so there is no default, and a procedure
without one keeps its dossiers for good. It is counted from the end of the year the dossier was closed (the
archive rules count from the year the work ended): a dossier returned, refused or withdrawn in 2020 under a
period of 5 years is kept until 31 December 2025 and may be destroyed from 1 January 2026. Open dossiers are
never touched.

Records past their period are destroyed only on the decision of the head of the agency after appraisal (Law on
Archives 33/2024/QH15; Circular 06/2025/TT-BNV as secondary sources summarise it: a list of the records past
their period, the appraisal council's opinion, the head's decision). So the daily job only *prepares* a list per
agency (``prepare``); a leader of the agency (or an administrator recording the head's decision) approves it with
the decision's number and date (``approve``); only then are its dossiers anonymised (``carry_out``, through
``services.anonymise_dossier``). Reads and writes of these lists live here, beside the dossier services.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, unit_ids_in_scope
from motcua.catalogue.models import Procedure
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.core.text import has_control_character, nfc

from . import services
from .choices import DestructionStatus, Status
from .models import DestructionItem, DestructionList, Dossier

CLOSED = (Status.NOT_RECEIVED, Status.STOPPED, Status.RETURNED)
# The instant that closed a dossier of each closed status: its final instant.
CLOSED_AT = {Status.RETURNED: "returned_at", Status.STOPPED: "stopped_at", Status.NOT_RECEIVED: "refused_at"}


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def closed_at(dossier: Dossier) -> dt.datetime | None:
    """The dossier's final instant (result returned, withdrawn or stopped, refused), None while it is open."""
    name = CLOSED_AT.get(Status(dossier.status)) if dossier.status in CLOSED else None
    return getattr(dossier, name) if name else None


def kept_until(closed: dt.datetime, years: int) -> dt.date:
    """The last day of the period: 31 December of the year the dossier was closed (local time) plus ``years``."""
    return dt.date(closed.astimezone(_zone()).year + years, 12, 31)


def _cut(now: dt.datetime, years: int) -> dt.datetime:
    """Dossiers closed before this instant are past a period of ``years`` on ``now``: 1 January, local time, of the
    year ``years`` before the current one."""
    return dt.datetime(now.astimezone(_zone()).year - years, 1, 1, tzinfo=_zone())


def past_period(now: dt.datetime | None = None) -> QuerySet[Dossier]:
    """Closed dossiers, not yet anonymised, whose procedure has a period that has passed on ``now``."""
    now = now or timezone.now()
    periods = Procedure.objects.filter(retention_years__isnull=False).values_list("pk", "retention_years")
    by_years: dict[int, list[int]] = {}
    for pk, years in periods:
        if years:
            by_years.setdefault(years, []).append(pk)
    if not by_years:
        return Dossier.objects.none()
    wanted = Q(pk__in=[])
    for years, procedures in by_years.items():
        cut = _cut(now, years)
        closed = Q()
        for status, name in CLOSED_AT.items():
            closed |= Q(status=status, **{f"{name}__lt": cut})
        wanted |= Q(procedure_id__in=procedures) & closed
    return Dossier.objects.filter(wanted, anonymised_at__isnull=True).order_by("pk")


def listed() -> QuerySet[DestructionItem, Any]:
    """The ids of the dossiers a list already names: on a list awaiting a decision or being carried out, or
    anonymised. A dossier skipped by a list carried out (its period changed meanwhile) may be listed again."""
    return (DestructionItem.objects.filter(Q(destruction_list__status__in=[DestructionStatus.PROPOSED,
                                                                          DestructionStatus.APPROVED])
                                           | Q(done_at__isnull=False))
            .values("dossier_id"))


def _agency(unit: OrgUnit) -> OrgUnit:
    return unit.agency() or unit


@dataclass
class Prepared:
    lists: list[int] = field(default_factory=list)
    dossiers: int = 0


def prepare(now: dt.datetime | None = None, *, dry_run: bool = False) -> Prepared:
    """Put the dossiers past their period that no list names yet on their agency's proposed list (one open list per
    agency, created when needed). Never anonymises. Idempotent: a dossier already on a list is left alone."""
    now = now or timezone.now()
    found = list(past_period(now).exclude(pk__in=listed()).select_related("processing_unit", "procedure"))
    done = Prepared(dossiers=len(found))
    if dry_run or not found:
        return done
    units: dict[int, OrgUnit] = {}
    by_agency: dict[int, list[Dossier]] = {}
    for d in found:
        agency = units.setdefault(d.processing_unit_id, _agency(d.processing_unit))
        by_agency.setdefault(agency.pk, []).append(d)
    with transaction.atomic():
        for agency_id, dossiers in by_agency.items():
            current = (DestructionList.objects.select_for_update()
                       .filter(agency_id=agency_id, status=DestructionStatus.PROPOSED).first())
            if current is None:
                current = DestructionList.objects.create(agency_id=agency_id, prepared_at=now)
            rows = []
            for d in dossiers:
                closed = closed_at(d)
                if closed is not None:  # always, for a dossier past its period
                    rows.append(DestructionItem(destruction_list=current, dossier=d, closed_at=closed,
                                                kept_until=kept_until(closed, d.procedure.retention_years or 0)))
            DestructionItem.objects.bulk_create(rows)
            done.lists.append(current.pk)
    return done


def may_decide(user: User, destruction_list: DestructionList) -> bool:
    """A leader of the list's agency (who signs for it: the head or a deputy) or an administrator recording the
    head's decision."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (has_capability(user, Capability.SIGN_RESULTS, destruction_list.agency)
            or has_capability(user, Capability.ADMINISTER))


def visible_lists(user: User) -> QuerySet[DestructionList]:
    """The lists ``user`` may read and decide: those of the agencies they sign for; every list for an
    administrator. Anyone else: PermissionDenied (the API answers 403)."""
    lists = DestructionList.objects.select_related("agency", "approved_by").order_by("-prepared_at", "-pk")
    if has_capability(user, Capability.ADMINISTER):
        return lists
    units = unit_ids_in_scope(user, Capability.SIGN_RESULTS)
    if units is None:
        return lists
    if not units:
        raise PermissionDenied(_("Only the agency's leaders and administrators decide on destruction lists."))
    return lists.filter(agency_id__in=units)


def get_list(user: User, pk: int) -> DestructionList:
    found = visible_lists(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such destruction list."))
    return found


def items(destruction_list: DestructionList) -> QuerySet[DestructionItem]:
    return (DestructionItem.objects.filter(destruction_list=destruction_list)
            .select_related("dossier", "dossier__procedure").order_by("pk"))


def approve(user: User, pk: int, decision: str, *, now: dt.datetime | None = None) -> DestructionList:
    """Record the head of the agency's decision on a proposed list (its number and date in ``decision``). Bad input
    or a list already decided changes nothing. The dossiers are anonymised afterwards (``carry_out``)."""
    text = nfc(decision or "").strip()
    if not text or len(text) > 255 or has_control_character(text) or "\n" in text:
        message = _("Give the number and date of the decision (one line, at most 255 characters).")
        raise DomainError(message, code="invalid_input",
                          details={"fields": [{"field": "decision", "message": message}]})
    found = get_list(user, pk)
    if not may_decide(user, found):
        raise PermissionDenied(_("Only the agency's leaders and administrators decide on destruction lists."))
    with transaction.atomic():
        locked = DestructionList.objects.select_for_update().get(pk=found.pk)
        if locked.status != DestructionStatus.PROPOSED:
            raise Conflict(_("This destruction list has already been decided."))
        if not locked.items.exists():
            raise Conflict(_("This destruction list is empty."))
        locked.status, locked.decision = DestructionStatus.APPROVED, text
        locked.approved_by, locked.approved_at = user, now or timezone.now()
        locked.save(update_fields=["status", "decision", "approved_by", "approved_at"])
    return locked


def decision_text(number: str, decided_on: dt.date) -> str:
    """The decision as one line, the way ``DestructionList.decision`` keeps it whichever way it was recorded (the
    API and the command take this line as it is): the document is Vietnamese, so is the line."""
    return f"Quyết định số {number} ngày {decided_on:%d/%m/%Y}"


_NUMBER_PREFIX = re.compile(r"^(quyết định\s+)?số\s+", re.IGNORECASE)


def approve_decision(user: User, pk: int, number: str, decided_on: dt.date | None, *,
                     now: dt.datetime | None = None) -> DestructionList:
    """Record the head's decision given as its number and date apart (the staff page's form), through ``approve``.

    The date is checked first: a decision is not dated after today (Vietnam's date), nor before the day the list was
    prepared — the head decides on the list the system proposed, after the appraisal of that list (Law on Archives
    33/2024/QH15; Circular 06/2025/TT-BNV as summarised in docs/security.md). Bad input changes nothing."""
    now = now or timezone.now()
    text = _NUMBER_PREFIX.sub("", nfc(number or "").strip()).strip()
    problems: list[dict[str, str]] = []
    if not text or len(text) > 100 or has_control_character(text) or "\n" in text:
        problems.append({"field": "number", "message": _(
            "Give the decision's number, e.g. 12/QĐ-SXD (one line, at most 100 characters).")})
    if decided_on is None:
        problems.append({"field": "decided_on", "message": _("Give the date the decision was signed.")})
    elif decided_on > now.astimezone(_zone()).date():
        problems.append({"field": "decided_on", "message": _("The decision's date cannot be in the future.")})
    if problems or decided_on is None:
        raise DomainError(problems[0]["message"], code="invalid_input", details={"fields": problems})
    found = get_list(user, pk)
    prepared_on = found.prepared_at.astimezone(_zone()).date()
    if found.status == DestructionStatus.PROPOSED and decided_on < prepared_on:
        message = _("The decision cannot be dated before the list was prepared (%(day)s).") % {
            "day": f"{prepared_on:%d/%m/%Y}"}
        raise DomainError(message, code="invalid_input",
                          details={"fields": [{"field": "decided_on", "message": message}]})
    return approve(user, pk, decision_text(text, decided_on), now=now)


@dataclass
class CarriedOut:
    dossiers: int = 0
    files: int = 0
    skipped: list[str] = field(default_factory=list)
    lists: list[int] = field(default_factory=list)


def carry_out(now: dt.datetime | None = None, *, dry_run: bool = False) -> CarriedOut:
    """Anonymise the dossiers of every approved list, one transaction per dossier (a crash resumes where it
    stopped). A dossier no longer past its period (its procedure's period lengthened or cleared since the list was
    prepared) is skipped and stays as it is. A list whose every item was handled is marked carried out."""
    now = now or timezone.now()
    done = CarriedOut()
    for destruction_list in DestructionList.objects.filter(status=DestructionStatus.APPROVED).order_by("pk"):
        due = set(past_period(now).filter(pk__in=destruction_list.items.values("dossier_id"))
                  .values_list("pk", flat=True))
        for item in items(destruction_list).filter(done_at__isnull=True):
            if item.dossier_id not in due and item.dossier.anonymised_at is None:
                done.skipped.append(item.dossier.public_id)
                continue
            outcome = services.anonymise_dossier(destruction_list.approved_by,  # type: ignore[arg-type]
                                                 item.dossier, destruction_list=destruction_list.pk, dry_run=dry_run)
            done.dossiers += int(outcome.changed)
            done.files += len(outcome.files)
            if not dry_run:
                DestructionItem.objects.filter(pk=item.pk).update(done_at=now)
        if not dry_run:
            DestructionList.objects.filter(pk=destruction_list.pk).update(status=DestructionStatus.DONE, done_at=now)
        done.lists.append(destruction_list.pk)
    return done


def list_out(d: DestructionList) -> dict[str, Any]:
    return {"id": d.pk, "agency": {"code": d.agency.code, "name": d.agency.name}, "status": d.status,
            "status_label": str(DestructionStatus(d.status).label), "prepared_at": d.prepared_at,
            "decision": d.decision, "approved_by": d.approved_by.get_full_name() if d.approved_by else None,
            "approved_at": d.approved_at, "done_at": d.done_at, "dossiers": d.items.count()}


def item_out(i: DestructionItem) -> dict[str, Any]:
    d = i.dossier
    return {"dossier": d.public_id, "procedure": d.procedure.code, "closed_at": i.closed_at,
            "kept_until": i.kept_until, "done_at": i.done_at}
