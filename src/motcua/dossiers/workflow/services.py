"""Every write of the internal processing. Like the intake services: check the permission, lock the
dossier row, one transaction (a refused action changes nothing), append the event, notify on commit.
Every deadline comes from the legal clock (``dossiers.deadlines`` over ``motcua.calendars``).

Each service takes ``at`` (default: now) so that the demo can backdate real work through the same rules.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.choices import Role
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, own_unit_ids, unit_ids_in_scope
from motcua.accounts.selectors import signature, units_by_code_or_name
from motcua.catalogue.choices import InteragencyMode
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.core.text import nfc

from .. import deadlines, events, files, issuing, lifecycle, signatures
from .. import services as intake
from ..choices import EventKind, Status
from ..models import Attachment, Dossier
from ..rules import silence_rule, switch
from ..timeliness import Outcome, judge
from ..wallet import services as wallet
from . import interagency, selectors
from .choices import DraftKind, PaymentChannel, ResultKind, ReturnMethod, StepOutcome
from .models import AgencyPart, Apology, Consultation, PaperDraft, Payment, ProcessingStep, Result

# The capability a step's role needs over the step's unit.
ROLE_CAPABILITY: dict[str, Capability] = {
    Role.SPECIALIST: Capability.PROCESS_DOSSIERS,
    Role.DIVISION_HEAD: Capability.ASSIGN_DOSSIERS,
    Role.AGENCY_LEADER: Capability.SIGN_RESULTS,
    Role.DESK_OFFICER: Capability.RECEIVE_DOSSIERS,
    Role.CENTRE_OFFICER: Capability.RECEIVE_DOSSIERS,
}
DESK_ROLES = frozenset({Role.DESK_OFFICER, Role.CENTRE_OFFICER})

# The internal process used when the procedure version defines none (Decree 61/2018 Art. 19 in outline:
# the desk transfers, a specialist appraises, the head of division reviews, the leader signs, the desk
# returns). Units: "receiving" and "processing" name the dossier's units.
DEFAULT_STEPS: list[dict[str, Any]] = [
    {"order": 1, "name": "Tiếp nhận hồ sơ", "role": Role.DESK_OFFICER, "unit": "receiving"},
    {"order": 2, "name": "Thẩm định hồ sơ", "role": Role.SPECIALIST, "unit": "processing"},
    {"order": 3, "name": "Xem xét, trình ký", "role": Role.DIVISION_HEAD, "unit": "processing"},
    {"order": 4, "name": "Ký duyệt kết quả", "role": Role.AGENCY_LEADER, "unit": "processing"},
    {"order": 5, "name": "Trả kết quả", "role": Role.DESK_OFFICER, "unit": "receiving"},
]


# --- helpers ----------------------------------------------------------------------------------------

def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _agency(dossier: Dossier) -> str:
    unit = dossier.processing_unit
    return (unit.agency() or unit).code


def _invalid(message: str, field_name: str) -> DomainError:
    return DomainError(message, code="invalid_input", details={"fields": [{"field": field_name, "message": message}]})


def _forbidden() -> PermissionDenied:
    return PermissionDenied(_("You may not do this for this dossier."), code="forbidden")


def _lock(dossier: Dossier) -> Dossier:
    # The snapshot (tens of kilobytes of JSON) is read only by the few services that need it.
    return (Dossier.objects.select_for_update(of=("self",)).select_related("receiving_unit", "processing_unit")
            .defer("snapshot").get(pk=dossier.pk))


def _set_status(dossier: Dossier, after: int, actor: User, at: dt.datetime, *, reason: str = "",
                data: dict[str, Any] | None = None, fields: tuple[str, ...] = ()) -> None:
    intake.set_status(dossier, after, actor, reason=reason, data=data, extra_fields=fields, at=at)


def _holds_below(user: User, capability: Capability, unit: OrgUnit) -> bool:
    """``user`` holds ``capability`` over ``unit`` or over a unit inside it (a step placed at the agency
    may be taken by any of its divisions)."""
    if has_capability(user, capability, unit):
        return True
    ids = unit_ids_in_scope(user, capability)
    if ids is None:
        return True
    return OrgUnit.objects.filter(pk__in=ids, path__startswith=unit.path).exists()


def can_act(user: User, step: ProcessingStep) -> bool:
    """Whether ``user`` may work on ``step``: the capability of its role over its unit."""
    capability = ROLE_CAPABILITY.get(step.role, Capability.PROCESS_DOSSIERS)
    unit = step.unit or step.dossier.processing_unit
    if step.role in DESK_ROLES:
        return has_capability(user, capability, unit)
    return _holds_below(user, capability, unit)


def _open_steps(dossier: Dossier) -> list[ProcessingStep]:
    return list(dossier.steps.filter(open=True).select_related("unit").order_by("order", "id"))


def _my_step(user: User, dossier: Dossier, roles: frozenset[str] | None = None) -> ProcessingStep:
    """The open step ``user`` works on: assigned to them, else one they may take (then taken)."""
    steps = [s for s in _open_steps(dossier) if roles is None or s.role in roles]
    for step in steps:
        if step.actor_id == user.pk:
            return step
    for step in steps:
        step.dossier = dossier
        if step.actor_id is None and can_act(user, step):
            return step
    if not steps:
        raise Conflict(_("No step of this kind is open on the dossier."), code="no_open_step")
    raise _forbidden()


def _step_data(step: ProcessingStep) -> dict[str, Any]:
    return {"step": step.pk, "order": step.order, "name": step.name, "unit": step.unit.code if step.unit else None,
            "role": step.role, "due_at": step.due_at}


# --- the plan: steps from the snapshot ----------------------------------------------------------------

def supplement_rule(dossier: Dossier) -> str:
    """What the clock does after a supplement during processing, as the dossier's rules say (the rule set
    in force at receipt, or its procedure version's exception): by default the full time counts again when
    the complete dossier arrives (Decree 61/2018 Art. 19(4))."""
    return str(switch(dossier.rules, "supplement_rule"))


def _plan(dossier: Dossier) -> list[dict[str, Any]]:
    steps = (dossier.snapshot.get("version") or {}).get("steps") or DEFAULT_STEPS
    codes = {s["unit"]["code"] for s in steps if isinstance(s.get("unit"), dict) and s["unit"].get("code")}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    partners = interagency.participants(dossier)
    if partners:  # a participating agency's own steps run in its part (``_create_parts``), not in this plan
        steps = [s for s in steps if interagency.partner_of(
            units.get(s["unit"]["code"]) if isinstance(s.get("unit"), dict) else None, partners) is None]
    last_order = max(int(s["order"]) for s in steps)
    plan = []
    for s in steps:
        role = s.get("role") or ""
        ref = s.get("unit")
        unit: OrgUnit | None
        if role in DESK_ROLES and (int(s["order"]) == 1 or int(s["order"]) == last_order):
            unit = dossier.receiving_unit  # received and returned where the applicant filed
        elif ref == "receiving":
            unit = dossier.receiving_unit
        elif isinstance(ref, dict) and ref.get("code") in units:
            unit = units[ref["code"]]
        else:
            unit = dossier.processing_unit
        budget = s.get("budget") or {}
        plan.append({"order": int(s["order"]), "name": s["name"][:500], "unit": unit, "role": role,
                     "amount": Decimal(str(budget["amount"])) if budget.get("amount") is not None else None,
                     "budget_unit": budget.get("unit") or "", "produces": list(s.get("produces") or [])})
    return sorted(plan, key=lambda p: p["order"])


def _budgets(dossier: Dossier, plan: list[dict[str, Any]], at: dt.datetime) -> None:
    """Planned working time of each step: its own budget, else the usual time of a step without one
    (the dossier's ``step_working_days``, 1 working day by default), never more than an equal share of what the budgeted
    steps leave of the working time up to the promised return."""
    agency = _agency(dossier)
    day = deadlines.planned_seconds(Decimal(1), "working_days", agency)
    for p in plan:
        p["seconds"] = deadlines.planned_seconds(p["amount"], p["budget_unit"], agency) if p["amount"] else 0
    groups: dict[int, int] = {}
    for p in plan:
        groups[p["order"]] = max(groups.get(p["order"], 0), p["seconds"])
    first = plan[0]["order"]
    later = [o for o in groups if o != first]
    unbudgeted = [o for o in later if groups[o] == 0]
    available = deadlines.working_seconds_between(at, dossier.due_at, agency) if dossier.due_at else day * len(later)
    share = max(0, available - sum(groups[o] for o in later)) // max(1, len(unbudgeted)) if unbudgeted else 0
    usual = deadlines.planned_seconds(Decimal(str(switch(dossier.rules, "step_working_days"))),
                                      "working_days", agency)
    share = min(share, usual) or min(usual, max(available, 0))
    for p in plan:
        if p["seconds"] == 0:
            p["seconds"] = groups[p["order"]] or share


def start_processing(user: User, dossier: Dossier, *, at: dt.datetime | None = None) -> list[ProcessingStep]:
    """The dossier reached the processing unit (2 → 4): its steps are created from the SNAPSHOT of the
    version it was received under, the desk's intake step ends with the transfer, the next group starts.
    Called inside the transfer's transaction."""
    now = _now(at)
    plan = _plan(dossier)
    _budgets(dossier, plan, now)
    rows = [ProcessingStep(dossier=dossier, order=p["order"], name=p["name"], unit=p["unit"], role=p["role"],
                           budget_amount=p["amount"], budget_unit=p["budget_unit"], budget_seconds=p["seconds"],
                           produces=p["produces"]) for p in plan]
    ProcessingStep.objects.bulk_create(rows)
    rows = list(dossier.steps.filter(part__isnull=True).select_related("unit").order_by("order", "id"))
    parts = _create_parts(dossier, now)
    first = rows[0].order
    intake = [r for r in rows if r.order == first]
    if all(r.role in DESK_ROLES for r in intake):
        for r in intake:
            r.actor, r.started_at, r.ended_at = user, dossier.received_at or now, now
            r.due_at, r.ended_by, r.outcome = dossier.transfer_due_at, user, StepOutcome.DONE
            r.save(update_fields=["actor", "started_at", "ended_at", "due_at", "ended_by", "outcome"])
        nxt = _next_order(rows, first)
    else:
        nxt = first
    events.append(dossier, EventKind.PROCESSING_STARTED, user, at=now, data={
        "steps": [{"order": r.order, "name": r.name, "unit": r.unit.code if r.unit else None, "role": r.role,
                   "planned_seconds": r.budget_seconds} for r in rows],
        **({"interagency": interagency.mode(dossier),
            "parts": [{"agency": p.agency.code, "lead": p.lead, "order": p.order, "part": p.part,
                       "share_seconds": p.share_seconds} for p in parts]} if parts else {})})
    partners = [p for p in parts if not p.lead]
    if partners and interagency.mode(dossier) == InteragencyMode.SEQUENTIAL:
        # On paper the agencies work one after another and the lead agency, last, assembles the result.
        _send_part(dossier, partners[0], parts, user, now)
        _refresh_current(dossier, now)
        return rows
    for p in partners:  # electronically: to every agency at once, each with its own deadline
        _send_part(dossier, p, parts, user, now)
    if nxt is not None:
        _start_group(dossier, nxt, user, now)
    elif partners:
        _refresh_current(dossier, now)
    return rows


# --- inter-agency parts (``interagency``) -------------------------------------------------------------

def _create_parts(dossier: Dossier, at: dt.datetime) -> list[AgencyPart]:
    """The agencies' parts of an inter-agency dossier, with each partner's steps (not started)."""
    partners = interagency.participants(dossier)
    if not partners:
        return []
    calendar = _agency(dossier)
    version_steps = (dossier.snapshot.get("version") or {}).get("steps") or []
    codes = {s["unit"]["code"] for s in version_steps if isinstance(s.get("unit"), dict) and s["unit"].get("code")}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    parts = []
    for i, p in enumerate(partners, start=1):
        part = AgencyPart.objects.create(dossier=dossier, agency=p["unit"], lead=bool(p["lead"]), order=i,
                                         part=str(p.get("part") or "")[:500],
                                         share_seconds=interagency.share_seconds(p, calendar))
        if part.lead:
            # The lead agency holds the dossier from its arrival; its part is its own process.
            part.sent_at, part.due_at = at, dossier.due_at
            part.save(update_fields=["sent_at", "due_at"])
        else:
            plan = interagency.part_steps(p, version_steps, units)
            for step in plan:
                step["seconds"] = deadlines.planned_seconds(step["amount"], step["budget_unit"], calendar) \
                    if step["amount"] else 0
            ProcessingStep.objects.bulk_create([
                ProcessingStep(dossier=dossier, part=part, order=step["order"], name=step["name"], unit=step["unit"],
                               role=step["role"], budget_amount=step["amount"], budget_unit=step["budget_unit"],
                               budget_seconds=step["seconds"], produces=step["produces"]) for step in plan])
        parts.append(part)
    return parts


def _send_part(dossier: Dossier, part: AgencyPart, parts: list[AgencyPart], user: User, at: dt.datetime) -> None:
    """Send a part to its agency with a numbered transfer slip stating its work and deadline; its first steps
    start in the agency's own queue."""
    sender = interagency.sender_of(dossier, part, parts)
    part.sent_at, part.sent_by = at, user
    part.due_at = interagency.part_due(dossier, part, at)
    part.slip_reference = interagency.take_slip_number(dossier, part, sender, at)
    part.save(update_fields=["sent_at", "sent_by", "due_at", "slip_reference"])
    events.append(dossier, EventKind.PART_SENT, user, at=at, data={
        "part": part.pk, "agency": part.agency.code, "agency_name": part.agency.name, "from_unit": sender.code,
        "order": part.order, "work": part.part, "due_at": part.due_at, "slip": part.slip_reference})
    first = part.steps.order_by("order").values_list("order", flat=True).first()
    if first is not None:
        _start_group(dossier, first, user, at, part=part)


def _end_part(dossier: Dossier, part: AgencyPart, last: ProcessingStep, user: User, at: dt.datetime) -> None:
    """The partner's last step ended: its part is done, its answer the step's note. On paper the dossier then
    goes on to the next agency, or to the lead agency when every other part is done."""
    part.ended_at, part.ended_by, part.outcome, part.answer = at, user, last.outcome, last.note
    part.late = interagency.is_late(part)
    part.save(update_fields=["ended_at", "ended_by", "outcome", "answer", "late"])
    events.append(dossier, EventKind.PART_ENDED, user, at=at, reason=part.answer, data={
        "part": part.pk, "agency": part.agency.code, "agency_name": part.agency.name, "order": part.order,
        "due_at": part.due_at, "late": part.late,
        "result": interagency.judge_part(part)})
    if interagency.mode(dossier) != InteragencyMode.SEQUENTIAL:
        return
    parts = list(dossier.parts.select_related("agency").order_by("order"))
    waiting = [p for p in parts if not p.lead and p.sent_at is None]
    if waiting:
        _send_part(dossier, waiting[0], parts, user, at)
        return
    pending = dossier.steps.filter(part__isnull=True, started_at__isnull=True).exclude(role__in=DESK_ROLES)
    order = pending.order_by("order").values_list("order", flat=True).first()
    if order is not None:
        _start_group(dossier, order, user, at)


def check_parts_done(dossier: Dossier) -> None:
    """The lead agency assembles the result once every other agency's part is done."""
    waiting = interagency.open_parts(dossier)
    if waiting:
        raise Conflict(_("Waiting for the part of %(agencies)s.") % {
            "agencies": ", ".join(p.agency.name for p in waiting)}, code="parts_pending",
            details={"agencies": [p.agency.code for p in waiting]})


def _end_lead_part(dossier: Dossier, user: User, at: dt.datetime, outcome: str) -> None:
    part = dossier.parts.filter(lead=True, ended_at__isnull=True).first()
    if part is not None:
        # Against the promised return in force (an apology's new date replaces the first one).
        part.ended_at, part.ended_by, part.outcome, part.due_at = at, user, outcome, dossier.due_at
        part.late = interagency.is_late(part)
        part.save(update_fields=["ended_at", "ended_by", "outcome", "due_at", "late"])


def _next_order(rows: list[ProcessingStep], order: int) -> int | None:
    later = sorted({r.order for r in rows if r.order > order})
    return later[0] if later else None


def _rows_for(dossier: Dossier, order: int, part: AgencyPart | None = None) -> list[ProcessingStep]:
    """The rows of group ``order`` (of ``part``, or of the lead agency's process) that have not run yet; a group
    that already ran (the dossier came back to it) is copied afresh, each copy keeping the officer who did it
    before."""
    rows = list(dossier.steps.filter(order=order, part=part).select_related("unit").order_by("id"))
    fresh = [r for r in rows if r.started_at is None]
    if fresh:
        return fresh
    last_run: dict[str, ProcessingStep] = {}
    for r in rows:
        last_run[r.name] = r
    last_run = {k: r for k, r in last_run.items() if r.outcome != StepOutcome.SKIPPED} or last_run
    copies = [ProcessingStep(dossier=dossier, part=part, order=order, name=r.name, unit=r.unit, role=r.role,
                             budget_amount=r.budget_amount, budget_unit=r.budget_unit, budget_seconds=r.budget_seconds,
                             produces=r.produces, actor=r.actor if r.outcome != StepOutcome.SKIPPED else None)
              for r in last_run.values()]
    ProcessingStep.objects.bulk_create(copies)
    return list(dossier.steps.filter(order=order, part=part, started_at__isnull=True).select_related("unit")
                .order_by("id"))


def _start_group(dossier: Dossier, order: int, user: User, at: dt.datetime,
                 part: AgencyPart | None = None) -> list[ProcessingStep]:
    agency = _agency(dossier)
    rows = _rows_for(dossier, order, part)
    for r in rows:
        r.started_at, r.open, r.due_from = at, True, at
        r.due_at = step_due(dossier, r, at, agency)
        if part is not None and part.due_at is not None and (r.due_at is None or r.due_at > part.due_at):
            r.due_at = part.due_at  # a partner's step never runs past its agency's share
        r.save(update_fields=["started_at", "open", "due_from", "due_at"])
        events.append(dossier, EventKind.STEP_STARTED, user, at=at, data=_step_data(r))
    _refresh_current(dossier, at)
    return rows


def step_due(dossier: Dossier, step: ProcessingStep, since: dt.datetime, agency: str) -> dt.datetime | None:
    """The step's deadline: its budget of working time from ``since``, never later than the promised return
    (a desk step may end after it); a step without a budget is due at the promised return."""
    due = deadlines.add_working(since, step.budget_seconds, agency) if step.budget_seconds else dossier.due_at
    if dossier.due_at is not None and due is not None and due > dossier.due_at and step.role not in DESK_ROLES:
        due = dossier.due_at
    return due


def _refresh_current(dossier: Dossier, at: dt.datetime) -> None:
    """The denormalised current step, unit, officer and the instant from which the dossier is at risk."""
    # The lead agency's process first: the dossier is "at" its step while the partners work on theirs.
    open_rows = sorted(dossier.steps.filter(open=True), key=lambda r: (r.part_id is not None, r.order,
                                                                        -r.budget_seconds, r.id))
    current = open_rows[0] if open_rows else None
    dossier.current_step = current
    dossier.current_unit_id = current.unit_id if current else None
    dossier.assigned_to_id = current.actor_id if current else None
    dossier.risk_at = None
    if current is not None and dossier.due_at is not None and dossier.clock.get("paused_at") is None:
        dossier.risk_at = risk_from(dossier, open_rows, at)
    dossier.save(update_fields=["current_step", "current_unit", "assigned_to", "risk_at"])


def risk_from(dossier: Dossier, open_rows: list[ProcessingStep], at: dt.datetime) -> dt.datetime:
    """From when the working time left before the promised return is less than the planned time of the
    steps still to come (each later group's longest step): the promised return moved back by that time,
    or now when the current step's own deadline already leaves too little."""
    order = open_rows[0].order
    groups: dict[int, int] = {}
    for o, seconds in dossier.steps.filter(order__gt=order, part__isnull=True, started_at__isnull=True).values_list(
            "order", "budget_seconds"):
        groups[o] = max(groups.get(o, 0), seconds)
    assert dossier.due_at is not None
    risk = deadlines.add_working(dossier.due_at, -sum(groups.values()), _agency(dossier))
    step_due = max((r.due_at for r in open_rows if r.due_at is not None and r.role not in DESK_ROLES),
                   default=None)
    if step_due is not None and step_due > risk:
        return min(at, risk)
    return risk


def _end_step(step: ProcessingStep, dossier: Dossier, user: User, at: dt.datetime, outcome: str,
              note: str = "", kind: str = EventKind.STEP_ENDED) -> None:
    step.ended_at, step.ended_by, step.outcome, step.open = at, user, outcome, False
    step.note = nfc(note or "")
    if step.actor_id is None and outcome != StepOutcome.SKIPPED:
        step.actor = user
    step.save(update_fields=["ended_at", "ended_by", "outcome", "open", "note", "actor"])
    late = step.due_at is not None and at > step.due_at
    events.append(dossier, kind, user, at=at, reason=step.note,
                  data={**_step_data(step), "outcome": outcome, "late": late})


def _advance(dossier: Dossier, step: ProcessingStep, user: User, at: dt.datetime) -> None:
    """After ``step`` ended: the parallel steps nobody took are not needed; when the group has ended the
    next group starts."""
    group = list(dossier.steps.filter(order=step.order, part_id=step.part_id, open=True))
    waiting = set(Consultation.objects.filter(step__in=group, answered_at__isnull=True, deemed_agreed_at__isnull=True)
                  .values_list("step_id", flat=True)) if group else set()
    still_open = False
    for other in group:
        if other.actor_id is None and other.pk not in waiting:
            _end_step(other, dossier, user, at, StepOutcome.SKIPPED)
        else:
            still_open = True
    if still_open:
        _refresh_current(dossier, at)
        return
    later = sorted(set(dossier.steps.filter(order__gt=step.order, part_id=step.part_id)
                       .values_list("order", flat=True)))
    part = step.part if step.part_id else None
    if later:
        _start_group(dossier, later[0], user, at, part=part)
        return
    if part is not None and part.ended_at is None:
        _end_part(dossier, part, step, user, at)
    _refresh_current(dossier, at)


def close_steps(dossier: Dossier, user: User, at: dt.datetime, outcome: str) -> None:
    """End every open step (a stop, a refusal), and the agencies' parts with them."""
    for step in _open_steps(dossier):
        _end_step(step, dossier, user, at, outcome)
    for part in dossier.parts.filter(ended_at__isnull=True):
        part.ended_at, part.ended_by, part.outcome = at, user, outcome
        part.save(update_fields=["ended_at", "ended_by", "outcome"])
    _refresh_current(dossier, at)


def _check_processing(dossier: Dossier) -> None:
    if dossier.status != Status.IN_PROGRESS:
        raise Conflict(_("This action is possible only while the dossier is being processed."),
                       code="illegal_transition", details={"status_code": dossier.status})


def _processes(user: User, dossier: Dossier) -> bool:
    return _holds_below(user, Capability.PROCESS_DOSSIERS, dossier.processing_unit)


# --- assignment ---------------------------------------------------------------------------------------

def assign(user: User, dossier: Dossier, officer: User, *, step_id: int | None = None,
           at: dt.datetime | None = None) -> ProcessingStep:
    """A division head assigns (or reassigns) an open step they oversee to an officer who may work on it
    (Decree 61/2018 Art. 19: the head of the processing unit assigns an officer): a step of their division,
    or one placed at the agency that an officer of their division holds, then to an officer of their
    division. Which steps a head oversees is the rule of their work queue (``selectors.overseen_steps``)."""
    now = _now(at)
    with transaction.atomic():
        dossier = _lock(dossier)
        candidates = [s for s in _open_steps(dossier) if step_id is None or s.pk == step_id]
        steps = selectors.overseen_steps(user, candidates)
        if not steps:
            if candidates or not has_capability(user, Capability.ASSIGN_DOSSIERS):
                raise _forbidden()
            raise Conflict(_("No open step of this dossier is in your division."), code="no_open_step")
        step = steps[0]
        step.dossier = dossier
        if not (officer.is_active and can_act(officer, step) and selectors.may_receive_from(user, officer, step)):
            raise _invalid(_("This officer may not work on this step."), "officer")
        previous = step.actor
        step.actor, step.assigned_by, step.assigned_at = officer, user, now
        step.save(update_fields=["actor", "assigned_by", "assigned_at"])
        events.append(dossier, EventKind.ASSIGNED, user, at=now, data={
            **_step_data(step), "officer": officer.username, "officer_name": officer.get_full_name(),
            "previous": previous.username if previous else None})
        _refresh_current(dossier, now)
    return step


def claim(user: User, dossier: Dossier, *, at: dt.datetime | None = None) -> ProcessingStep:
    """An officer of the step's unit takes an open step nobody is assigned to."""
    now = _now(at)
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        if any(s.actor_id == user.pk for s in _open_steps(dossier)):
            raise Conflict(_("You already work on this dossier."), code="already_claimed")
        candidates = [s for s in _open_steps(dossier) if s.actor_id is None]
        for s in candidates:
            s.dossier = dossier
        mine = [s for s in candidates if can_act(user, s)]
        if not mine:
            if not candidates:
                raise Conflict(_("Every open step already has an officer."), code="already_claimed")
            raise _forbidden()
        step = mine[0]
        step.actor, step.assigned_at = user, now
        step.save(update_fields=["actor", "assigned_at"])
        events.append(dossier, EventKind.CLAIMED, user, at=now, data=_step_data(step))
        _refresh_current(dossier, now)
    return step


# --- moving between steps -------------------------------------------------------------------------------

def _pending_consultations(step: ProcessingStep, at: dt.datetime) -> list[Consultation]:
    return list(step.dossier.consultations.filter(answered_at__isnull=True, deemed_agreed_at__isnull=True,
                                                  due_at__gt=at).only("id", "due_at"))


def transfer_step(user: User, dossier: Dossier, *, note: str = "", at: dt.datetime | None = None,
                  outcome: str = StepOutcome.DONE, roles: frozenset[str] | None = None,
                  event_kind: str = EventKind.STEP_ENDED) -> ProcessingStep:
    """The officer ends their step and hands the dossier to the next one (each hand-over is a row of the
    control sheet, form 05/06)."""
    now = _now(at)
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        step = _my_step(user, dossier, roles)
        step.dossier = dossier
        waiting = _pending_consultations(step, now)
        if waiting:
            raise Conflict(_("An opinion is still awaited: wait for the answer or its deadline."),
                           code="consultation_pending",
                           details={"until": max(c.due_at for c in waiting).isoformat()})
        _end_step(step, dossier, user, now, outcome, note, kind=event_kind)
        _advance(dossier, step, user, now)
    return step


def approve(user: User, dossier: Dossier, *, note: str = "", at: dt.datetime | None = None) -> ProcessingStep:
    """The head of division approves the appraisal and submits it for signature."""
    return transfer_step(user, dossier, note=note, at=at, outcome=StepOutcome.APPROVED,
                         roles=frozenset({Role.DIVISION_HEAD}), event_kind=EventKind.APPROVED)


def sign(user: User, dossier: Dossier, *, note: str = "", at: dt.datetime | None = None, number: str = "",
         issued_on: dt.date | None = None, upload: files.Upload | None = None) -> ProcessingStep:
    """The agency leader signs the result. With the result's number (and date, and its signed file) the
    signature records it too, in the same transaction: the dossier is then done (9) at once, with no separate
    "record the result" (Decree 61/2018 Art. 19: the result exists once the competent leader signs it)."""
    now = _now(at)
    number = nfc(number or "")
    if not has_capability(user, Capability.SIGN_RESULTS, dossier.processing_unit):
        raise _forbidden()
    if (issued_on is not None or upload is not None) and not number:
        raise _invalid(_("Enter the number of the result."), "number")
    with transaction.atomic():
        check_parts_done(dossier)
        step = transfer_step(user, dossier, note=note, at=now, outcome=StepOutcome.SIGNED,
                             roles=frozenset({Role.AGENCY_LEADER}), event_kind=EventKind.SIGNED)
        Dossier.objects.filter(pk=dossier.pk).update(signed_at=now)
        dossier.signed_at = now
        if number:
            record_result(user, dossier, number=number, issued_on=issued_on or timezone.localdate(now), signer=user,
                          upload=upload, at=now)
    return step


def return_step(user: User, dossier: Dossier, *, reason: str, to_order: int | None = None,
                at: dt.datetime | None = None) -> ProcessingStep:
    """Send the dossier back to a previous step with the reason (default: the step before)."""
    now = _now(at)
    reason = nfc(reason or "")
    if not reason:
        raise _invalid(_("Give the reason for sending the dossier back."), "reason")
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        step = _my_step(user, dossier)
        # Within the same agency's process: a partner sends back to its own earlier step, never to the lead's.
        orders = sorted(set(dossier.steps.filter(order__lt=step.order, part_id=step.part_id)
                            .exclude(role__in=DESK_ROLES).values_list("order", flat=True)))
        if to_order is None:
            to_order = orders[-1] if orders else None
        if to_order is None or to_order not in orders:
            raise _invalid(_("Choose a previous step of the processing unit."), "to_order")
        for s in _open_steps(dossier):
            if s.part_id == step.part_id:
                _end_step(s, dossier, user, now, StepOutcome.RETURNED, reason, kind=EventKind.STEP_RETURNED)
        _start_group(dossier, to_order, user, now, part=step.part if step.part_id else None)
    return step


# --- consultation -----------------------------------------------------------------------------------

def consulted_unit(text: str) -> OrgUnit:
    """The unit named by its code or, when only one unit bears it, by its name; else a 400 on ``unit``."""
    found = units_by_code_or_name(text)
    if not found:
        raise _invalid(_("No organisation unit has this code or name: choose the unit from the list."), "unit")
    if len(found) > 1:
        raise DomainError(
            _("Several units are named “%(name)s”: give the code of the one you mean.") % {"name": text.strip()},
            code="invalid_input",
            details={"fields": [{"field": "unit", "message": _("Several units bear this name.")}],
                     "units": [{"code": u.code, "name": u.name} for u in found]})
    return found[0]


def consult(user: User, dossier: Dossier, *, unit_code: str, question: str, days: Decimal | int | None = None,
            at: dt.datetime | None = None) -> Consultation:
    """Ask another unit or agency for its opinion, with its own deadline from the legal clock. Under Decree
    217/2026 Art. 54 (construction permits) the consulted agency answers within 2 working days, and is
    deemed to agree when it does not."""
    now = _now(at)
    question = nfc(question or "")
    if not question:
        raise _invalid(_("Write the question."), "question")
    unit = consulted_unit(unit_code)
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        step = _my_step(user, dossier)
        if step.actor_id is None:
            step.actor = user
            step.save(update_fields=["actor"])
        rule = silence_rule(dossier.snapshot, dossier.received_at)
        amount = Decimal(days) if days is not None else Decimal(rule["days"] if rule else switch(
            dossier.rules, "consultation_working_days"))
        if amount <= 0 or amount > 60:
            raise _invalid(_("The deadline must be between 1 and 60 working days."), "days")
        due = deadlines.working_days_after(now, amount, _agency(dossier))
        c = Consultation.objects.create(dossier=dossier, step=step, unit=unit, question=question, asked_by=user,
                                        asked_at=now, due_at=due, days=amount,
                                        silence_is_consent=rule is not None)
        events.append(dossier, EventKind.CONSULTED, user, at=now, data={
            "consultation": c.pk, "unit": unit.code, "unit_name": unit.name, "due_at": due,
            "silence_is_consent": c.silence_is_consent, "basis": rule["basis"] if rule else ""})
    return c


def answers_for(user: User, unit_id: int) -> bool:
    """Whether ``user`` answers requests for an opinion addressed to the unit: one of its own officers who
    processes dossiers (``own_unit_ids``); an officer of an agency under it does not speak in its name."""
    own = own_unit_ids(user, Capability.PROCESS_DOSSIERS)
    return own is None or unit_id in own


def answer_consultation(user: User, dossier: Dossier, *, consultation_id: int, answer: str, agrees: bool,
                        at: dt.datetime | None = None) -> Consultation:
    """The consulted unit answers; an answer after the deadline is recorded as late (and, where silence
    counts as consent, the deemed agreement stands)."""
    now = _now(at)
    answer = nfc(answer or "")
    if not answer:
        raise _invalid(_("Write the answer."), "answer")
    with transaction.atomic():
        dossier = _lock(dossier)
        c = Consultation.objects.select_for_update().filter(pk=consultation_id, dossier=dossier).first()
        if c is None:
            raise NotFound(_("There is no such request for an opinion on this dossier."), code="not_found")
        if not answers_for(user, c.unit_id):
            raise _forbidden()
        if c.answered_at is not None:
            raise Conflict(_("This request has already been answered."), code="already_answered")
        c.answered_at, c.answered_by, c.answer, c.agrees = now, user, answer, bool(agrees)
        c.late = now > c.due_at
        c.save(update_fields=["answered_at", "answered_by", "answer", "agrees", "late"])
        events.append(dossier, EventKind.CONSULTATION_ANSWERED, user, at=now, reason=answer, data={
            "consultation": c.pk, "unit": c.unit.code, "agrees": c.agrees, "late": c.late, "due_at": c.due_at,
            "deemed_agreed": c.deemed_agreed})
    return c


# --- supplement during processing ------------------------------------------------------------------------

def check_processing_supplement(user: User, dossier: Dossier, at: dt.datetime | None) -> None:
    """The processing unit may ask once, within 3 working days of receipt (Decree 61/2018 Art. 19(4)) or
    the window the dossier's rules set (sector law sets another per procedure version: 5 working days where
    the appraisal itself takes 5, Decree 217/2026 Arts. 36-37 and 54, Decree 212/2026 Arts. 30-31). The
    window is whole working days after the day of receipt, to the end of its last day (Civil Code Arts.
    147-148): received on Monday at 10:00, a 3-day window closes at the end of Thursday. It counts from the
    receipt even where the time limit counts from a later event (a CCHN's evaluation result).
    Without ``at``: the permission only (the officer works on an open step)."""
    if at is None:
        if dossier.steps.exists():
            _my_step(user, dossier)
        elif not _processes(user, dossier):
            raise _forbidden()
        return
    if dossier.received_at is not None:
        days = int(switch(dossier.rules, "supplement_working_days"))
        limit = deadlines.whole_working_days_end(dossier.received_at, days, _agency(dossier))
        if at >= limit:
            raise Conflict(_("A supplement may be requested only within %(days)d working days of receipt.")
                           % {"days": days}, code="supplement_too_late", details={"until": limit.isoformat()})


def after_supplement(dossier: Dossier, at: dt.datetime) -> None:
    """The complete dossier arrived: the open steps get their budget again from now."""
    agency = _agency(dossier)
    for r in dossier.steps.filter(open=True):
        r.due_from = at
        r.due_at = step_due(dossier, r, at, agency)
        r.save(update_fields=["due_from", "due_at"])
    _refresh_current(dossier, at)


def after_clock_started(dossier: Dossier, at: dt.datetime) -> None:
    """The time limit started at a later event (``intake.start_clock``): the open steps are capped at the new
    promised return, and the instant from which the dossier is at risk is set."""
    agency = _agency(dossier)
    for r in dossier.steps.filter(open=True):
        since = r.due_from or r.started_at or at
        r.due_at = step_due(dossier, r, since, agency)
        r.save(update_fields=["due_at"])
    _refresh_current(dossier, at)


# --- result, payment ---------------------------------------------------------------------------------------

# --- the sign-off chain of the agency's papers ------------------------------------------------------------
#
# A paper that answers the applicant in the agency's name leaves the agency the way a result does (Decree
# 61/2018 Art. 19(1)-(2), kept by the provinces' internal procedures under Decree 118/2025): the officer who
# appraised drafts it, the head of division checks it, the leader signs it; the signature sends it. This holds
# for the refusal after appraisal (Art. 19(8): the written answer with the reason, within the time limit) and
# the supplement request during processing (Art. 19(4)); the apology letter (Art. 19(9)) follows the same
# three steps on its own row (``Apology``). At intake the desk refuses or asks on its own forms 02 and 03
# (Art. 17; Decree 118/2025 Art. 17): those do not go through this chain.

def may_approve(user: User, dossier: Dossier) -> bool:
    """The head of a division of the processing unit (the right to assign there)."""
    return _holds_below(user, Capability.ASSIGN_DOSSIERS, dossier.processing_unit)


def may_sign(user: User, dossier: Dossier) -> bool:
    """The leader who signs for the processing agency."""
    return _processes(user, dossier) and has_capability(user, Capability.SIGN_RESULTS, dossier.processing_unit)


def pending_draft(dossier: Dossier, kind: str) -> PaperDraft | None:
    """The paper of ``kind`` drafted and not yet signed, if any."""
    return PaperDraft.objects.filter(dossier=dossier, kind=kind, signed_at__isnull=True).first()


def _draft(user: User, dossier: Dossier, kind: str, reason: str, data: dict[str, Any], at: dt.datetime) -> PaperDraft:
    """Record the draft (a new one replaces the one not signed yet, and clears its approval)."""
    draft, _created = PaperDraft.objects.update_or_create(
        dossier=dossier, kind=kind, signed_at__isnull=True,
        defaults={"reason": reason, "data": data, "drafted_by": user, "drafted_at": at, "approved_by": None,
                  "approved_at": None})
    events.append(dossier, EventKind.DRAFTED, user, at=at, reason=reason, data={"paper": kind, "draft": draft.pk})
    return draft


def _locked_draft(dossier: Dossier, kind: str) -> PaperDraft:
    draft = PaperDraft.objects.select_for_update().filter(dossier=dossier, kind=kind, signed_at__isnull=True).first()
    if draft is None:
        raise Conflict(_("No paper of this kind waits on this dossier."), code="no_draft")
    return draft


def approve_draft(user: User, dossier: Dossier, kind: str, *, note: str = "",
                  at: dt.datetime | None = None) -> PaperDraft:
    """The head of division checks the drafted paper and submits it for the leader's signature."""
    now = _now(at)
    if not may_approve(user, dossier):
        raise _forbidden()
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        draft = _locked_draft(dossier, kind)
        if draft.approved_at is not None:
            raise Conflict(_("This paper is already approved: it waits for the leader's signature."),
                           code="already_approved")
        draft.approved_by, draft.approved_at = user, now
        draft.save(update_fields=["approved_by", "approved_at"])
        events.append(dossier, EventKind.DRAFT_APPROVED, user, at=now, reason=nfc(note or ""),
                      data={"paper": kind, "draft": draft.pk, "drafted_by": draft.drafted_by.get_full_name()})
    return draft


def return_draft(user: User, dossier: Dossier, kind: str, *, reason: str,
                 at: dt.datetime | None = None) -> None:
    """The head of division (before approving) or the leader (before signing) does not agree with the drafted
    paper and sends it back to the officer with the reason: the draft is withdrawn, nothing reaches the
    applicant, and the officer may draft again or go on with the appraisal. Without this a refusal the leader
    will not sign would wait in his list for ever. The draft's text stays in the dossier's events (``drafted``,
    then ``draft_returned`` with who sent it back and why)."""
    now = _now(at)
    reason = nfc(reason or "")
    if not reason:
        raise _invalid(_("Say why the paper is sent back."), "reason")
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        draft = _locked_draft(dossier, kind)
        # The one whose turn it is sends it back: the head while it waits for approval, the leader after.
        allowed = may_sign(user, dossier) if draft.approved_at is not None else (
            may_approve(user, dossier) or may_sign(user, dossier))
        if not allowed:
            raise _forbidden()
        data = {"paper": kind, "draft": draft.pk, "drafted_by": draft.drafted_by.get_full_name(),
                "approved_by": draft.approved_by.get_full_name() if draft.approved_by else ""}
        draft.delete()
        events.append(dossier, EventKind.DRAFT_RETURNED, user, at=now, reason=reason, data=data)


def _signed_draft(draft: PaperDraft) -> PaperDraft:
    if draft.approved_at is None:
        raise Conflict(_("The head of division must approve the paper before it is signed."), code="not_approved")
    return draft


def _chain(draft: PaperDraft, signer: User) -> dict[str, Any]:
    """Who drafted, approved and signed the paper, for the event that sends it."""
    assert draft.approved_by is not None
    return {"draft": draft.pk, "drafted_by": draft.drafted_by.get_full_name(), "drafted_at": draft.drafted_at,
            "approved_by": draft.approved_by.get_full_name(), "approved_at": draft.approved_at,
            "signed_by": signer.get_full_name()}


# --- refusal after appraisal ------------------------------------------------------------------------------

def refusal_status(dossier: Dossier) -> int:
    """How a refusal after appraisal is coded, as the dossier's rule set says: 9 with a refusal document by
    default, or 8 (domain note §10: not confirmed, so a rule set chooses)."""
    return int(switch(dossier.rules, "refusal_status"))


def _check_refusal_time(dossier: Dossier, now: dt.datetime) -> None:
    # The refusal is issued within the time limit (Decree 61/2018 Art. 19(8)).
    if dossier.due_at is not None and now > dossier.due_at:
        raise Conflict(_("The time limit has passed: the refusal had to be sent before it."),
                       code="refusal_too_late", details={"due_at": dossier.due_at.isoformat()})


def propose_refusal(user: User, dossier: Dossier, *, reason: str, at: dt.datetime | None = None) -> PaperDraft:
    """The officer who appraises proposes to refuse the dossier, with the reason: a draft of the agency's
    written answer, which the head of division approves and the leader signs (``sign_refusal``). Nothing
    reaches the applicant and the dossier stays in processing until then."""
    now = _now(at)
    reason = nfc(reason or "")
    if not reason:
        raise _invalid(_("Give the reason for refusing the dossier."), "reason")
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        step = _my_step(user, dossier)
        if step.role in DESK_ROLES:
            raise _forbidden()
        if not dossier.steps.filter(role=Role.SPECIALIST, started_at__isnull=False).exists() and \
                step.role != Role.SPECIALIST:
            raise Conflict(_("A dossier is refused after its appraisal."), code="not_appraised")
        _check_refusal_time(dossier, now)
        return _draft(user, dossier, DraftKind.REFUSAL, reason, {"step": step.pk}, now)


def sign_refusal(user: User, dossier: Dossier, *, note: str = "", at: dt.datetime | None = None,
                 issue_form: bool = True) -> Result:
    """The leader signs the approved refusal: the agency's written answer (``refusal-answer``) is numbered in
    the agency's register of answers of the year, the dossier ends refused (9 or 8 as the rule set says) and
    the desk's return step starts. Within the time limit only (Decree 61/2018 Art. 19(8))."""
    now = _now(at)
    if not may_sign(user, dossier):
        raise _forbidden()
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        draft = _signed_draft(_locked_draft(dossier, DraftKind.REFUSAL))
        _check_refusal_time(dossier, now)
        number = issuing.next_paper_number(dossier, "refusal-answer", now)
        result = Result.objects.create(dossier=dossier, kind=ResultKind.REFUSAL, reason=draft.reason, number=number,
                                       issued_on=timezone.localdate(now), signer=user,
                                       signer_name=user.get_full_name(), recorded_by=user, recorded_at=now)
        draft.signed_by, draft.signed_at = user, now
        draft.save(update_fields=["signed_by", "signed_at"])
        events.append(dossier, EventKind.REFUSED, user, at=now, reason=draft.reason, data={
            **_chain(draft, user), "result": result.pk, "number": number, "note": nfc(note or "")})
        for s in _open_steps(dossier):
            _end_step(s, dossier, user, now, StepOutcome.REFUSED, draft.reason)
        dossier.refused_at = dossier.processing_ended_at = now
        _set_status(dossier, refusal_status(dossier), user, now, reason=draft.reason, data={"refusal": True},
                    fields=("refused_at", "processing_ended_at"))
        _start_return(dossier, user, now)
    if issue_form:
        # The written answer, issued once the signature has committed (``issuing.issue``, no lock held).
        issuing.issue(user, dossier, "refusal-answer")
    return result


# --- supplement request during processing -----------------------------------------------------------------

def draft_supplement(user: User, dossier: Dossier, *, reason: str, data: dict[str, Any],
                     missing: list[Any], at: dt.datetime | None = None) -> PaperDraft:
    """The officer who appraises drafts the supplement request (Decree 61/2018 Art. 19(4)): checked as the
    request itself is (once, within the window, the documents named exist), then approved by the head and
    signed by the leader (``sign_supplement``), whose signature sends it and stops the clock. ``data`` is the
    action's input, replayed at the signature."""
    now = _now(at)
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        check_processing_supplement(user, dossier, None)
        if dossier.processing_supplements:
            raise DomainError(_("A supplement has already been requested once: it may not be requested again."),
                              code="supplement_already_requested", status=409)
        check_processing_supplement(user, dossier, now)
        intake.check_missing(dossier, missing)
        return _draft(user, dossier, DraftKind.SUPPLEMENT, nfc(reason or ""), data, now)


def sign_supplement(user: User, dossier: Dossier, send: Any, *, at: dt.datetime | None = None) -> PaperDraft:
    """The leader signs the approved supplement request: ``send(draft)`` sends it as the processing unit's
    request (``services.request_supplement``, the clock stops), in the same transaction; still within the
    window of Decree 61/2018 Art. 19(4), checked again there."""
    now = _now(at)
    if not may_sign(user, dossier):
        raise _forbidden()
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        draft = _signed_draft(_locked_draft(dossier, DraftKind.SUPPLEMENT))
        draft.signed_by, draft.signed_at = user, now
        draft.save(update_fields=["signed_by", "signed_at"])
        send(draft, _chain(draft, user))
    return draft


def _start_return(dossier: Dossier, user: User, at: dt.datetime) -> None:
    """The last desk step (return of the result) starts if it has not."""
    _end_lead_part(dossier, user, at, StepOutcome.DONE)
    last = dossier.steps.filter(part__isnull=True).order_by("-order").first()
    if last is not None and last.role in DESK_ROLES and not dossier.steps.filter(
            order=last.order, part__isnull=True, open=True).exists():
        pending = dossier.steps.filter(order=last.order, part__isnull=True, started_at__isnull=True)
        if pending.exists():
            _start_group(dossier, last.order, user, at)
            return
    _refresh_current(dossier, at)


def _signed_result(user: User, dossier: Dossier, upload: files.Upload, number: str,
                   signer: User | None) -> tuple[files.Upload, str]:
    """The result's PDF signed in the agency's name where it has a key (the digital signature of the body,
    Decree 30/2020 Art. 8; ``signatures``), with the QR code of its public verification page; the upload as it
    is otherwise (a paper result signed by hand and scanned)."""
    agency = dossier.processing_unit.agency() or dossier.processing_unit
    if upload.kind != "pdf" or not signatures.can_sign(agency, "result"):
        return upload, ""
    if signer is None:
        event = dossier.events.filter(kind=EventKind.SIGNED).select_related("actor").order_by("-seq").first()
        signer = event.actor if event is not None else user
    upload.stream.seek(0)
    title = str((dossier.snapshot.get("procedure") or {}).get("result_name") or "") or _("Result")
    signed = signatures.sign(signatures.SignRequest(
        pdf=upload.stream.read(), agency=agency, signer=signer, kind="result",
        subject=f"dossier:{dossier.code}:result:{number}"[:60], reference=number, title=title,
        signer_title=signature(signer, agency)["title"]))
    if signed is None:
        upload.stream.seek(0)
        return upload, ""
    out = files.Upload(name=upload.name, stream=io.BytesIO(signed.pdf), document_order=upload.document_order)
    files.check([out], office_allowed=set())
    return out, signed.verify_url


def record_result(user: User, dossier: Dossier, *, number: str, issued_on: dt.date, signer: User | None = None,
                  upload: files.Upload | None = None, at: dt.datetime | None = None) -> Result:
    """Record the signed result: its number, date, signer and digitised file (status 4 → 9). An early result
    is announced to the applicant (Decree 61/2018 Art. 20)."""
    now = _now(at)
    number = nfc(number or "")
    if not number:
        raise _invalid(_("Enter the number of the result."), "number")
    if not (_processes(user, dossier) or has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)):
        raise _forbidden()
    stored: list[str] = []
    verify_url = ""
    if upload is not None:
        files.check([upload], office_allowed=set())
        upload, verify_url = _signed_result(user, dossier, upload, number, signer)
        stored.append(files.store(upload, files.new_folder(dossier.reference)))
    try:
        with transaction.atomic():
            dossier = _lock(dossier)
            _check_processing(dossier)
            check_parts_done(dossier)
            if dossier.steps.filter(role=Role.AGENCY_LEADER).exists() and dossier.signed_at is None:
                raise Conflict(_("The result must be signed first."), code="not_signed")
            if dossier.payments.filter(paid_at__isnull=True).exists():
                raise Conflict(_("A payment is still awaited."), code="payment_pending")
            sign_event = dossier.events.filter(kind=EventKind.SIGNED).select_related("actor").order_by("-seq").first()
            signer = signer or (sign_event.actor if sign_event else user)
            attachment = None
            if upload is not None:
                attachment = Attachment.objects.create(
                    dossier=dossier, file=stored[0], original_name=upload.safe_name,
                    content_type=files.CONTENT_TYPES[upload.kind], size=upload.size, sha256=upload.sha256,
                    uploaded_by=user)
            result = Result.objects.create(dossier=dossier, kind=ResultKind.RESULT, number=number,
                                           issued_on=issued_on, signer=signer, signer_name=signer.get_full_name(),
                                           attachment=attachment, recorded_by=user, recorded_at=now)
            # An electronic result goes to its holder's documents, offered when a later procedure asks for it.
            wallet.keep_result(dossier, result)
            early = dossier.due_at is not None and judge(now, dossier.due_at) == Outcome.EARLY
            events.append(dossier, EventKind.RESULT_RECORDED, user, at=now, data={
                "result": result.pk, "number": number, "issued_on": issued_on, "signer": signer.get_full_name(),
                "attachment": attachment.pk if attachment else None, "early": early,
                **({"verify_url": verify_url} if verify_url else {})})
            dossier.processing_ended_at = now
            dossier.digitised_result = attachment is not None
            _set_status(dossier, Status.DONE, user, now, data={"result": result.pk, "early": early},
                        fields=("processing_ended_at", "digitised_result"))
            for s in _open_steps(dossier):
                if s.role not in DESK_ROLES:
                    _end_step(s, dossier, user, now, StepOutcome.DONE)
            _start_return(dossier, user, now)
    except BaseException:
        files.discard(stored)
        raise
    return result


def request_payment(user: User, dossier: Dossier, *, amount_vnd: int | None = None, description: str = "",
                    at: dt.datetime | None = None) -> Payment:
    """Ask the applicant to pay the fees or other obligations (status 4 → 6)."""
    now = _now(at)
    if not (_processes(user, dossier) or has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)):
        raise _forbidden()
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_processing(dossier)
        amount = amount_vnd if amount_vnd is not None else dossier.fees_due_vnd - dossier.fees_paid_vnd
        if amount is None or amount <= 0:
            raise _invalid(_("The amount to pay must be more than zero."), "amount_vnd")
        payment = Payment.objects.create(dossier=dossier, amount_vnd=amount, description=nfc(description),
                                         requested_at=now, requested_by=user)
        events.append(dossier, EventKind.PAYMENT_REQUESTED, user, at=now, data={"payment": payment.pk,
                                                                              "amount_vnd": amount})
        _set_status(dossier, Status.PAYMENT_REQUESTED, user, now, data={"amount_vnd": amount})
    return payment


def confirm_payment(user: User, dossier: Dossier, *, channel: str, receipt_number: str = "",
                    paid_at: dt.datetime | None = None, at: dt.datetime | None = None) -> Payment:
    """The payment arrived (status 6 → 4)."""
    now = _now(at)
    if channel not in PaymentChannel.values:
        raise _invalid(_("Choose how the applicant paid."), "channel")
    if not (_processes(user, dossier) or has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)):
        raise _forbidden()
    with transaction.atomic():
        dossier = _lock(dossier)
        if dossier.status != Status.PAYMENT_REQUESTED:
            raise Conflict(_("No payment is awaited."), code="illegal_transition")
        payment = dossier.payments.filter(paid_at__isnull=True).order_by("id").first()
        if payment is None:
            raise Conflict(_("No payment is awaited."), code="illegal_transition")
        paid = paid_at or now
        if paid > now:
            raise _invalid(_("The payment date cannot be in the future."), "paid_at")
        payment.paid_at, payment.channel, payment.receipt_number = paid, channel, nfc(receipt_number)
        payment.confirmed_by = user
        payment.save(update_fields=["paid_at", "channel", "receipt_number", "confirmed_by"])
        dossier.fees_paid_vnd += payment.amount_vnd
        dossier.paid_online = channel == PaymentChannel.ONLINE
        events.append(dossier, EventKind.PAYMENT_CONFIRMED, user, at=now, data={
            "payment": payment.pk, "amount_vnd": payment.amount_vnd, "channel": channel, "paid_at": paid})
        _set_status(dossier, Status.IN_PROGRESS, user, now, fields=("fees_paid_vnd", "paid_online"))
    return payment


# --- apology and new date -------------------------------------------------------------------------------
#
# Decree 61/2018 Art. 19(9): when a dossier will be late, the processing agency sends the applicant a letter
# of apology with the reason and a new return date, at the latest one day before the due date ("01 ngày",
# read as one working day), and the date may be moved once. The letter (Circular 03/2025 form 04) is signed by
# the head of the agency ("Thủ trưởng cơ quan"): an officer drafts it, the leader signs it. A letter signed
# after the limit is still issued — the applicant is owed it all the more — and is recorded as late.

def _check_apology(dossier: Dossier) -> None:
    """What both steps need, under the dossier's lock: the dossier is being processed, has a promised date and
    has not been apologised for yet."""
    if dossier.status not in (Status.IN_PROGRESS, Status.PAYMENT_REQUESTED):
        raise Conflict(_("An apology is issued while the dossier is being processed."),
                       code="illegal_transition", details={"status_code": dossier.status})
    if (dossier.clock or {}).get("extended") or Apology.objects.filter(dossier=dossier,
                                                                       issued_at__isnull=False).exists():
        raise Conflict(_("The apology and new date may be issued only once."), code="already_apologised")
    if dossier.due_at is None:
        raise Conflict(_("The dossier has no promised date to move."), code="no_due_date")


def draft_apology(user: User, dossier: Dossier, *, reason: str, new_due_at: dt.datetime,
                  at: dt.datetime | None = None) -> Apology:
    """An officer of the processing unit drafts the apology letter (form 04): the reason for the delay and the
    new promised date. Nothing moves yet: the draft waits for the head of the agency's signature
    (``sign_apology``), in the leader's queue and on the dossier page. A draft not yet signed may be drafted
    again (the last one is signed)."""
    now = _now(at)
    reason = nfc(reason or "")
    if not reason:
        raise _invalid(_("Give the reason for the delay."), "reason")
    if new_due_at.tzinfo is None:
        raise _invalid(_("Give the new date with its time zone."), "new_due_at")
    if not _processes(user, dossier):
        raise _forbidden()
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_apology(dossier)
        assert dossier.due_at is not None
        if new_due_at <= dossier.due_at:
            raise _invalid(_("The new date must be later than the promised one."), "new_due_at")
        if new_due_at <= now:
            raise _invalid(_("The new date must be in the future."), "new_due_at")
        # A new draft clears the head's approval of the previous one: what is signed is what was approved.
        apology, _created = Apology.objects.update_or_create(dossier=dossier, defaults={
            "reason": reason, "original_due_at": dossier.due_at, "new_due_at": new_due_at, "drafted_at": now,
            "drafted_by": user, "approved_at": None, "approved_by": None})
        events.append(dossier, EventKind.APOLOGY_DRAFTED, user, at=now, reason=reason, data={
            "apology": apology.pk, "due_at": dossier.due_at, "new_due_at": new_due_at})
    return apology


def approve_apology(user: User, dossier: Dossier, *, note: str = "", at: dt.datetime | None = None) -> Apology:
    """The head of division checks the drafted letter and submits it for the signature of the head of the
    agency (the sign-off chain of the agency's papers, above)."""
    now = _now(at)
    if not may_approve(user, dossier):
        raise _forbidden()
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_apology(dossier)
        apology = Apology.objects.select_for_update().filter(dossier=dossier, issued_at__isnull=True).first()
        if apology is None:
            raise Conflict(_("No apology letter has been drafted for this dossier."), code="no_apology_draft")
        if apology.approved_at is not None:
            raise Conflict(_("This paper is already approved: it waits for the leader's signature."),
                           code="already_approved")
        apology.approved_by, apology.approved_at = user, now
        apology.save(update_fields=["approved_by", "approved_at"])
        events.append(dossier, EventKind.DRAFT_APPROVED, user, at=now, reason=nfc(note or ""), data={
            "paper": "apology", "apology": apology.pk,
            "drafted_by": apology.drafted_by.get_full_name() if apology.drafted_by else ""})
    return apology


def pending_apology(dossier: Dossier) -> Apology | None:
    """The apology drafted for the dossier and not yet signed, if any."""
    return Apology.objects.filter(dossier=dossier, issued_at__isnull=True).first()


def sign_apology(user: User, dossier: Dossier, *, note: str = "", at: dt.datetime | None = None,
                 issue_form: bool = True) -> Apology:
    """The head of the agency signs the drafted apology letter, which issues it (form 04): the new date
    replaces the promised one, once; the original is kept (``original_due_at``) for the statistics. Signed
    after the limit for apologising (the close of the last working day before the due date, Decree 61/2018
    Art. 19(9)), the letter is still issued, marked late on the letter and in the event."""
    now = _now(at)
    if not (_processes(user, dossier) and has_capability(user, Capability.SIGN_RESULTS, dossier.processing_unit)):
        raise _forbidden()
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_apology(dossier)
        assert dossier.due_at is not None
        apology = Apology.objects.select_for_update().filter(dossier=dossier, issued_at__isnull=True).first()
        if apology is None:
            raise Conflict(_("No apology letter has been drafted for this dossier."), code="no_apology_draft")
        if apology.approved_at is None:
            raise Conflict(_("The head of division must approve the paper before it is signed."),
                           code="not_approved")
        if apology.new_due_at <= dossier.due_at or apology.new_due_at <= now:
            raise Conflict(_("The new date of the draft has passed or is not later than the promised one: the "
                             "officer must draft the letter again."), code="apology_date_passed")
        agency = _agency(dossier)
        limit = deadlines.apology_deadline(dossier.due_at, agency)
        late = now > limit
        original = dossier.due_at
        new_due_at = apology.new_due_at
        dossier.clock = {**deadlines.extend(dossier.clock, now, new_due_at, agency),
                         "variant": dossier.clock.get("variant", "")}
        dossier.original_due_at = dossier.original_due_at or original
        dossier.due_at = new_due_at
        dossier.late_flagged_at = None
        dossier.save(update_fields=["clock", "original_due_at", "due_at", "late_flagged_at"])
        apology.original_due_at, apology.issued_at, apology.issued_by = original, now, user
        apology.limit, apology.late = limit, late
        apology.save(update_fields=["original_due_at", "issued_at", "issued_by", "limit", "late"])
        events.append(dossier, EventKind.CLOCK, user, at=now, reason="extended",
                      data={"due_before": original, "due_at": new_due_at})
        events.append(dossier, EventKind.APOLOGY, user, at=now, reason=apology.reason, data={
            "apology": apology.pk, "original_due_at": original, "new_due_at": new_due_at, "limit": limit,
            "late": late, "drafted_by": apology.drafted_by_id, "approved_by": apology.approved_by_id,
            "note": nfc(note or "")})
        for r in dossier.steps.filter(open=True, due_at=original):
            r.due_at = new_due_at
            r.save(update_fields=["due_at"])
        _refresh_current(dossier, now)
    if issue_form:
        # Form 04, issued once the signature has committed: rendered with no lock held (``issuing.issue``).
        issuing.issue(user, dossier, "apology")
    return apology


# --- return of the result ---------------------------------------------------------------------------

# The collector's identity paper: the 12-digit personal ID number (citizen identity card) or a passport number.
COLLECTOR_ID = re.compile(r"^(\d{12}|[A-Z]\d{7,8})$")
TRACKING = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")


@dataclass(frozen=True)
class Collection:
    """How a result left the desk (Decree 61/2018 Arts. 20-21): who collected the paper result, as written in
    the register with their signature (form 06/07 "Ký nhận"), or the postal tracking number."""

    name: str = ""
    id_number: str = ""
    signed: bool = False
    tracking: str = ""


def _check_collection(dossier: Dossier, method: str, got: Collection) -> Collection:
    """The details the method needs, cleaned; a missing or malformed one is refused, naming its field."""
    if method == ReturnMethod.DESK:
        name = nfc(got.name or "").strip()
        id_number = (got.id_number or "").strip().upper()
        if not name:
            raise _invalid(_("Enter the name of the person who collected the result."), "collector_name")
        if not COLLECTOR_ID.match(id_number):
            raise _invalid(_("Enter the collector's ID number: 12 digits, or a passport number (a letter and 7 or "
                             "8 digits)."), "collector_id_number")
        if not got.signed:
            raise _invalid(_("The collector must sign the register before the result is handed over."),
                           "collector_signed")
        return Collection(name=name, id_number=id_number, signed=True)
    if method == ReturnMethod.POST:
        tracking = (got.tracking or "").strip().upper().replace(" ", "")
        if not TRACKING.match(tracking):
            raise _invalid(_("Enter the postal tracking number (4 to 40 letters and digits)."), "postal_tracking")
        return Collection(tracking=tracking)
    # Online: the applicant downloads the result, so there must be a file to download.
    if dossier.results.filter(kind=ResultKind.RESULT, attachment__isnull=True, returned_at__isnull=True).exists():
        raise Conflict(_("The result has no digitised file: record it with its file before returning it online, "
                         "or return it at the desk or by post."), code="result_file_missing")
    return Collection()


def return_result(user: User, dossier: Dossier, *, method: str, collection: Collection | None = None,
                  at: dt.datetime | None = None) -> Dossier:
    """The desk returns the result (9 → 10): at the desk to a person who signs the register, by post with a
    tracking number, or online as the digitised file (Decree 61/2018 Arts. 20-21)."""
    now = _now(at)
    if method not in ReturnMethod.values:
        raise _invalid(_("Choose how the result is returned."), "method")
    if not has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit):
        raise _forbidden()
    with transaction.atomic():
        dossier = _lock(dossier)
        lifecycle.check_transition(dossier.status, Status.RETURNED)
        got = _check_collection(dossier, method, collection or Collection())
        dossier.returned_at, dossier.result_method = now, method
        dossier.collector_name, dossier.collector_id_number = got.name, got.id_number
        dossier.collector_signed = got.signed if method == ReturnMethod.DESK else None
        dossier.postal_tracking = got.tracking
        early = dossier.due_at is not None and judge(now, dossier.due_at) == Outcome.EARLY
        dossier.results.filter(returned_at__isnull=True).update(returned_at=now, return_method=method)
        # The event names the collector and the tracking number; the ID number stays on the dossier row, which
        # is masked for readers who may not see it (the event history is not).
        details = {"method": method, "early": early, "collector": got.name, "tracking": got.tracking}
        events.append(dossier, EventKind.RESULT_RETURNED, user, at=now, data=details)
        _set_status(dossier, Status.RETURNED, user, now, data={"method": method, "early": early},
                    fields=("returned_at", "result_method", "collector_name", "collector_id_number",
                            "collector_signed", "postal_tracking"))
        for s in _open_steps(dossier):
            _end_step(s, dossier, user, now, StepOutcome.DONE)
        _refresh_current(dossier, now)
    return dossier
