"""One-stop inter-agency (*một cửa liên thông*) and the dossier's trip between agencies (dossier-lifecycle.md §5).

A procedure version may name several agencies of the same level (``catalogue.Participant``): the lead agency
(the procedure's implementing agency, which assembles and signs the result) and the others, each with its part
of the work and its share of the legal time. When the dossier reaches the processing agency:

- electronically (``InteragencyMode.PARALLEL``) it is sent to every agency at once, naming the lead agency and
  each agency's deadline; the lead agency works on its own steps meanwhile and signs once every part is done;
- on paper (``InteragencyMode.SEQUENTIAL``) the agencies work one after another in the order the version fixes,
  each passing the dossier on with a transfer slip; the lead agency, last, assembles the result.

Each part is sent with a transfer slip (*phiếu chuyển xử lý*) that states its work and deadline, numbered in the
register of the unit that sends it, and is processed in the agency's own queue through its own steps: the
version's steps whose unit belongs to that agency, else one step for its officers. A part is due its share of
working time after it is sent (never later than the promised return); it is late when it ends after that. A late
dossier is attributed to the agencies whose parts were late, or to the lead agency when none was
(``responsible``): on the control sheet, in the statistics per agency and in indicator 2 of Circular 01/2018
(the time taken by each unit, coordinating units included).

This module plans and measures; the writes run inside ``workflow.services`` (which holds the dossier's lock).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from motcua.accounts.choices import Role
from motcua.accounts.models import OrgUnit
from motcua.catalogue.choices import InteragencyMode

from .. import codes, deadlines
from ..models import Dossier
from .models import AgencyPart

SLIP_ROLE = "transfer-slip"
SLIP_SYMBOL = "PCXL"
# The step an agency without its own steps in the version runs: its officers do the part and answer.
DEFAULT_PART_STEP = "Thực hiện phần việc liên thông và trả kết quả cho cơ quan chủ trì"


def mode(dossier: Dossier) -> str:
    """The dossier's inter-agency mode as received ("" for a dossier of one agency)."""
    version = (dossier.snapshot or {}).get("version") or {}
    if len(version.get("participants") or []) < 2:
        return ""
    return str(version.get("interagency_mode") or "")


def _agency_code(unit: OrgUnit) -> str:
    return (unit.agency() or unit).code


def participants(dossier: Dossier) -> list[dict[str, Any]]:
    """The participating agencies of the snapshot, in order, with their ``OrgUnit`` (an agency that no longer
    exists is left out: its part cannot be sent)."""
    if not mode(dossier):
        return []
    rows = sorted(dossier.snapshot["version"]["participants"], key=lambda p: int(p.get("order") or 0))
    wanted = {p["agency"]["code"] for p in rows if p.get("agency")}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=wanted)}
    out = []
    for p in rows:
        unit = units.get((p.get("agency") or {}).get("code", ""))
        if unit is not None:
            out.append({**p, "unit": unit})
    return out


def belongs_to(unit: OrgUnit | None, agency: OrgUnit) -> bool:
    return unit is not None and bool(agency.path) and unit.path.startswith(agency.path)


def partner_of(step_unit: OrgUnit | None, partners: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The partner agency (not the lead) a step of the version belongs to, by its unit."""
    for p in partners:
        if not p["lead"] and belongs_to(step_unit, p["unit"]):
            return p
    return None


def part_steps(p: dict[str, Any], version_steps: list[dict[str, Any]],
               units: dict[str, OrgUnit]) -> list[dict[str, Any]]:
    """The plan of one partner's steps: the version's steps whose unit is in that agency, else one step for
    the agency's specialists."""
    own = []
    for s in version_steps:
        ref = s.get("unit")
        unit = units.get(ref["code"]) if isinstance(ref, dict) and ref.get("code") else None
        if belongs_to(unit, p["unit"]):
            budget = s.get("budget") or {}
            own.append({"order": int(s["order"]), "name": s["name"][:500], "unit": unit, "role": s.get("role") or "",
                        "amount": Decimal(str(budget["amount"])) if budget.get("amount") is not None else None,
                        "budget_unit": budget.get("unit") or "", "produces": list(s.get("produces") or [])})
    if own:
        return sorted(own, key=lambda x: x["order"])
    return [{"order": 1, "name": DEFAULT_PART_STEP, "unit": p["unit"], "role": Role.SPECIALIST, "amount": None,
             "budget_unit": "", "produces": []}]


def share_seconds(p: dict[str, Any], calendar_code: str) -> int:
    share = p.get("share") or {}
    if share.get("amount") is None:
        return 0
    return deadlines.planned_seconds(Decimal(str(share["amount"])), share.get("unit") or "", calendar_code)


def part_due(dossier: Dossier, part: AgencyPart, at: dt.datetime) -> dt.datetime | None:
    """A part's deadline: its share of working time from when it is sent, on the agency's own calendar, never
    later than the promised return; a part without a share (or the lead's) is due at the promised return."""
    if part.lead or not part.share_seconds:
        return dossier.due_at
    due = deadlines.add_working(at, part.share_seconds, _agency_code(part.agency))
    if dossier.due_at is not None and due > dossier.due_at:
        return dossier.due_at
    return due


def take_slip_number(dossier: Dossier, part: AgencyPart, sender: OrgUnit, at: dt.datetime) -> str:
    """The transfer slip's number in the sending agency's register of slips for the year (Decree 30/2020
    Art. 15: from 01 each year), kept with the dossier's papers (one per part)."""
    from ..models import PaperNumber

    agency = sender.agency() or sender
    year = timezone.localdate(at).year
    number = codes.next_paper_number(agency.code, SLIP_ROLE, year)
    reference = f"{number:02d}/{SLIP_SYMBOL}"
    PaperNumber.objects.create(dossier=dossier, role=SLIP_ROLE, version=part.order, agency_code=agency.code,
                               year=year, number=number, reference=reference)
    return reference


def sender_of(dossier: Dossier, part: AgencyPart, parts: list[AgencyPart]) -> OrgUnit:
    """Who sends a part: electronically, the unit that received the dossier (the desk sends it to every
    agency at once); on paper, the agency before it (the first agency gets it from the desk)."""
    if mode(dossier) == InteragencyMode.SEQUENTIAL:
        before = [p for p in parts if p.order < part.order and not p.lead]
        if before:
            return before[-1].agency
    return dossier.receiving_unit


def is_late(part: AgencyPart) -> bool:
    return part.due_at is not None and part.ended_at is not None and part.ended_at > part.due_at


def responsible(dossier: Dossier, parts: list[AgencyPart], ended_at: dt.datetime | None = None) -> list[OrgUnit]:
    """The agencies a late dossier is attributed to: those whose parts ended after their share (or are still
    open past it), else the lead agency; none when the dossier is not late."""
    end = ended_at or dossier.processing_ended_at or timezone.now()
    if dossier.due_at is None or end <= dossier.due_at or not parts:
        return []
    late = [p.agency for p in parts if not p.lead and p.due_at is not None
            and (p.ended_at or end) > p.due_at]
    if late:
        return late
    lead = next((p.agency for p in parts if p.lead), None)
    return [lead] if lead is not None else []


def judge_part(part: AgencyPart) -> str:
    """"early", "on_time", "late" or "" (open): a part against its own deadline, as a step (a part that ends
    on a working day before its due day is early, as in the control sheet)."""
    if part.ended_at is None or part.due_at is None:
        return ""
    if part.ended_at > part.due_at:
        return "late"
    local_end, local_due = timezone.localtime(part.ended_at), timezone.localtime(part.due_at)
    return "early" if local_end.date() < local_due.date() else "on_time"


def open_parts(dossier: Dossier) -> list[AgencyPart]:
    return list(dossier.parts.filter(lead=False, ended_at__isnull=True).select_related("agency"))


