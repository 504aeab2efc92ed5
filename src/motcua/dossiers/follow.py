"""The open dossiers follow the working calendar (DESIGN.md "One clock"; issue 12 item 4).

When an official day off or a swapped working day is added, changed or removed (the admin, ``motcua
calendar import``, any calendar service), the calendar app sends ``working_days_changed`` once the change
has committed. ``follow_calendar`` then recomputes, in one batch, every open dossier on that calendar from
what the dossier stores, exactly as the services computed it the first time:

- the promised return, from the legal clock kept on the dossier (``Dossier.clock``: its start, the legal
  time and policy, or the working time left after a pause), as the receipt computes it; a clock paused for
  a supplement has no date to move, and a date moved by an apology stays (Decree 61/2018 Art. 19(9): the
  new date is the one promised in the letter);
- the transfer deadline of a dossier not yet transferred (Decree 61/2018 Art. 18);
- the deadline of each open step (its budget from ``ProcessingStep.due_from``, capped at the promised
  return) and the instant from which the dossier is at risk;
- the deadline of each pending consultation (its working days from the question).

The supplement window (3 working days from receipt, Decree 61/2018 Art. 19(4)) is not stored: it is
computed on the current calendar each time a supplement is asked for.

Ended dossiers (not received, stopped, done, returned) keep their dates: they are the record of what was
promised. Each dossier whose dates moved gets an event ``DATES_MOVED`` (the changed days, the old and new
dates) in its log, and the applicant a notice of the new promised date (Decree 224/2026 Art. 15: real-time
notices), sent from the event like every other notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from motcua.accounts.models import OrgUnit, User
from motcua.calendars import clock as cal
from motcua.calendars import selectors as calendar_selectors
from motcua.calendars.signals import working_days_changed
from motcua.core.errors import DomainError

from . import deadlines, events
from .choices import EventKind, Status
from .models import Consultation, Dossier, ProcessingStep
from .workflow import services as workflow

logger = logging.getLogger(__name__)

# The statuses in which the legal clock (or a deadline within it) still runs; the others have ended.
OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED,
                 Status.WITHDRAWAL_REQUESTED)
CHUNK = 500


@dataclass
class Moves:
    """The dates of one dossier that the current calendar puts elsewhere."""

    due: tuple[dt.datetime | None, dt.datetime | None] | None = None
    transfer: tuple[dt.datetime | None, dt.datetime] | None = None
    steps: dict[int, tuple[dt.datetime | None, dt.datetime | None]] = field(default_factory=dict)
    consultations: dict[int, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.due or self.transfer or self.steps or self.consultations)


def _agency_codes(unit_ids: set[int]) -> dict[int, str]:
    """The code of the agency whose calendar governs each processing unit (``OrgUnit.agency``, as the
    services use it)."""
    return {u.pk: (u.agency() or u).code for u in OrgUnit.objects.filter(pk__in=unit_ids)}


def _on_calendar(codes: dict[int, str], calendar_id: int | None) -> list[int]:
    """The processing units whose calendar is ``calendar_id`` (None: the national schedule, every unit)."""
    if calendar_id is None:
        return list(codes)
    wanted: dict[str, bool] = {}
    for code in set(codes.values()):
        working = calendar_selectors.working_calendar_for(code)
        wanted[code] = working is not None and working.pk == calendar_id
    return [pk for pk, code in codes.items() if wanted[code]]


def plan(dossier: Dossier, agency: str, now: dt.datetime) -> Moves:
    """What moves for ``dossier`` on the current calendar; nothing is written. ``dossier.steps`` and
    ``dossier.consultations`` hold the open steps and the pending consultations."""
    moves = Moves()
    state = dossier.clock or {}
    due = dossier.due_at
    if state.get("start") and state.get("amount") is not None:
        new_due = cal.due_for(deadlines.get_calendar(agency), deadlines.state_from_json(state))
        if new_due is not None and new_due != dossier.due_at:
            moves.due = (dossier.due_at, new_due)
            due = new_due
    if dossier.transferred_at is None and dossier.received_at is not None and dossier.transfer_due_at is not None:
        new_transfer = deadlines.transfer_due(dossier.received_at, agency,
                                              (dossier.rules or {}).get("transfer_cutoff", "15:00"))
        if new_transfer != dossier.transfer_due_at:
            moves.transfer = (dossier.transfer_due_at, new_transfer)
    if state.get("paused_at") is None:
        # While the clock is paused the steps wait: they get their budget again when the dossier is complete.
        promised = Dossier(due_at=due)
        for step in dossier.steps.all():
            if state.get("extended") and step.due_at == dossier.due_at:
                continue  # moved to the apology's new date with the promised return; it stays there
            # A step started before ``due_from`` was kept counts from its start, unless a supplement restarted
            # its budget since (that instant is not known: the step keeps its date).
            since = step.due_from or (step.started_at if not dossier.processing_supplements else None)
            if since is None:
                continue
            new_step = workflow.step_due(promised, step, since, agency)
            if new_step != step.due_at:
                moves.steps[step.pk] = (step.due_at, new_step)
    for c in dossier.consultations.all():
        if c.days is None:
            continue  # asked before the working days were kept: its date cannot be recomputed
        new_c = deadlines.working_days_after(c.asked_at, Decimal(c.days), agency)
        if new_c != c.due_at:
            moves.consultations[c.pk] = (c.due_at, new_c)
    return moves


def _candidates() -> Any:
    return (Dossier.objects.filter(status__in=OPEN_STATUSES).defer("snapshot")
            .prefetch_related(Prefetch("steps", queryset=ProcessingStep.objects.filter(open=True)),
                              Prefetch("consultations", queryset=Consultation.objects.filter(
                                  answered_at__isnull=True, deemed_agreed_at__isnull=True))))


def _actor(dossier: Dossier, user: User | None) -> User | None:
    """Who the event names: the person who changed the calendar, or, for a change without one (a script),
    the officer who received the dossier and made the promise (an event names a natural person)."""
    if user is not None:
        return user
    event = (dossier.events.filter(Q(kind=EventKind.CODE_ASSIGNED) | Q(kind=EventKind.CREATED))
             .select_related("actor").order_by("-seq").first())
    return event.actor if event else None


def move_dates(dossier: Dossier, moves: Moves, days: Sequence[dt.date] | None, user: User | None,
               now: dt.datetime, agency: str) -> None:
    """Write the dates of ``moves`` on the locked ``dossier`` and append its ``DATES_MOVED`` event."""
    fields = []
    if moves.due:
        dossier.due_at = moves.due[1]
        dossier.clock = {**dossier.clock, "due_at": moves.due[1].isoformat() if moves.due[1] else None}
        fields += ["due_at", "clock"]
    if moves.transfer:
        dossier.transfer_due_at = moves.transfer[1]
        fields.append("transfer_due_at")
    if fields:
        dossier.save(update_fields=fields)
    for pk, (_old, new) in moves.steps.items():
        ProcessingStep.objects.filter(pk=pk).update(due_at=new)
    for pk, (_old_c, new_c) in moves.consultations.items():
        Consultation.objects.filter(pk=pk).update(due_at=new_c)
    open_rows = list(ProcessingStep.objects.filter(dossier=dossier, open=True).order_by("order", "-budget_seconds",
                                                                                        "id"))
    if open_rows and dossier.due_at is not None and dossier.clock.get("paused_at") is None:
        risk = workflow.risk_from(dossier, open_rows, now)
        if risk != dossier.risk_at:
            dossier.risk_at = risk
            dossier.save(update_fields=["risk_at"])
    actor = _actor(dossier, user)
    if actor is None:
        logger.warning("Dossier %s: dates moved by a calendar change, but no one to name in its log", dossier.pk)
        return
    data: dict[str, Any] = {
        "days": [d.isoformat() for d in days] if days is not None else None,
        "by": user.username if user is not None else None,
        "due_before": moves.due[0] if moves.due else dossier.due_at,
        "due_at": dossier.due_at,
        "transfer_due": list(moves.transfer) if moves.transfer else None,
        "steps": [{"step": pk, "due_before": old, "due_at": new} for pk, (old, new) in moves.steps.items()],
        "consultations": [{"consultation": pk, "due_before": old, "due_at": new}
                          for pk, (old, new) in moves.consultations.items()],
    }
    events.append(dossier, EventKind.DATES_MOVED, actor, at=now, data=data)


def follow_calendar(calendar_id: int | None, days: Sequence[dt.date] | None, user: User | None = None) -> int:
    """Move the dates of every open dossier on ``calendar_id`` that ``days`` changed; return how many moved.

    The dossiers are read in chunks and their new dates computed in memory; only the dossiers whose dates
    moved are locked, computed again under the lock (an officer may have acted in between) and written.
    """
    now = timezone.now()
    unit_ids = set(Dossier.objects.filter(status__in=OPEN_STATUSES).order_by()
                   .values_list("processing_unit_id", flat=True).distinct())
    if not unit_ids:
        return 0
    codes = _agency_codes(unit_ids)
    units = _on_calendar(codes, calendar_id)
    moved = 0
    last_pk = 0
    with deadlines.calendars_fixed():
        while True:
            chunk = list(_candidates().filter(processing_unit_id__in=units, pk__gt=last_pk).order_by("pk")[:CHUNK])
            if not chunk:
                break
            last_pk = chunk[-1].pk
            changed = []
            for dossier in chunk:
                try:
                    if plan(dossier, codes[dossier.processing_unit_id], now):
                        changed.append(dossier.pk)
                except (DomainError, cal.ClockError):
                    logger.exception("Dossier %s: its dates could not be recomputed", dossier.pk)
            for pk in changed:
                with transaction.atomic():
                    locked = _candidates().select_for_update(of=("self",)).filter(pk=pk).first()
                    if locked is None:
                        continue  # ended in between
                    agency = codes[locked.processing_unit_id]
                    moves = plan(locked, agency, now)
                    if moves:
                        move_dates(locked, moves, days, user, now, agency)
                        moved += 1
    logger.info("Calendar change on %s (calendar %s): %d open dossiers' dates moved",
                [d.isoformat() for d in days] if days is not None else "all dates", calendar_id or "national", moved)
    return moved


def on_working_days_changed(sender: type, calendar_id: int | None, days: Sequence[dt.date] | None,
                            user: User | None = None, **kwargs: Any) -> None:
    follow_calendar(calendar_id, days, user)


def connect() -> None:
    working_days_changed.connect(on_working_days_changed, dispatch_uid="motcua.dossiers.follow")
