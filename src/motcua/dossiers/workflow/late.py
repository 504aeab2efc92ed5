"""The periodic tick (``motcua dossiers tick``, run by cron or a systemd timer every few minutes):

1. consultations past their deadline: deemed to agree where the rules say so (construction permits,
   Decree 217/2026 Art. 54), otherwise recorded as overdue;
2. late detection: an open dossier whose working time left cannot cover its remaining steps (``risk_at``
   passed) is flagged, and the processing unit is reminded that the apology is due at the latest one
   working day before the due date (Decree 61/2018 Art. 19(9));
3. escalation: when that limit has passed with no apology (or the new date is passing too), the agency
   leader is alerted.

Idempotent: each dossier and consultation is handled once per state (the instants are kept on the rows).
Events name a natural person: the officer who asked for the opinion, or the officer of the current step
(else the one who transferred the dossier); ``data.by`` says the tick did it.

The tick only appends the events; the notices they call for (to the officer in charge, the division, the
agency leader) are made by the one receiver of dossier events through ``motcua.notifications``
(``motcua.notifications.staff``), in the same transaction, with their delivery records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import User

from .. import deadlines, events
from ..choices import EventKind, Status
from ..models import Dossier
from .models import Apology, Consultation

OPEN = (Status.IN_PROGRESS, Status.PAYMENT_REQUESTED)


@dataclass
class TickReport:
    deemed: int = 0
    consultations_late: int = 0
    flagged: int = 0
    escalated: int = 0

    def __str__(self) -> str:
        return (f"{self.deemed} consultation(s) deemed agreed, {self.consultations_late} overdue; "
                f"{self.flagged} dossier(s) flagged late and reminded, {self.escalated} escalated.")


def _responsible(dossier: Dossier) -> User | None:
    if dossier.assigned_to_id:
        return dossier.assigned_to
    event = dossier.events.filter(kind=EventKind.PROCESSING_STARTED).select_related("actor").first()
    return event.actor if event else None


def _consultations(at: dt.datetime, report: TickReport) -> None:
    due = Consultation.objects.filter(answered_at__isnull=True, deemed_agreed_at__isnull=True, due_at__lt=at)
    for pk in list(due.filter(Q(silence_is_consent=True) | Q(late=False)).values_list("pk", flat=True)):
        with transaction.atomic():
            c = Consultation.objects.select_for_update(of=("self",)).select_related("unit", "asked_by").get(pk=pk)
            if c.answered_at is not None or c.deemed_agreed_at is not None:
                continue
            dossier = Dossier.objects.select_for_update().get(pk=c.dossier_id)
            data = {"consultation": c.pk, "unit": c.unit.code, "due_at": c.due_at, "by": "tick"}
            if c.silence_is_consent:
                c.deemed_agreed_at, c.agrees = c.due_at, True
                c.save(update_fields=["deemed_agreed_at", "agrees"])
                events.append(dossier, EventKind.CONSULTATION_DEEMED, c.asked_by, at=at, data=data)
                report.deemed += 1
            elif not c.late:
                c.late = True
                c.save(update_fields=["late"])
                events.append(dossier, EventKind.CONSULTATION_LATE, c.asked_by, at=at, data=data)
                report.consultations_late += 1


def _agency(dossier: Dossier) -> str:
    unit = dossier.processing_unit
    return (unit.agency() or unit).code


def _flag(at: dt.datetime, report: TickReport) -> None:
    candidates = Dossier.objects.filter(status__in=OPEN, late_flagged_at__isnull=True).filter(
        Q(risk_at__lte=at) | Q(due_at__lte=at))
    for pk in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            d = Dossier.objects.select_for_update(of=("self",)).select_related("processing_unit").get(pk=pk)
            if d.late_flagged_at is not None or d.status not in OPEN:
                continue
            actor = _responsible(d)
            if actor is None:
                continue
            apologised = Apology.objects.filter(dossier=d, issued_at__isnull=False).exists()  # a draft is not
            limit = deadlines.apology_deadline(d.due_at, _agency(d)) if d.due_at and not apologised else None
            d.late_flagged_at = at
            d.reminded_at = at if limit is not None else d.reminded_at
            d.save(update_fields=["late_flagged_at", "reminded_at"])
            # Decree 61/2018 Art. 19(9): the apology letter to the applicant, with the reason and a new date,
            # is due at the latest one working day before the due date. The officer's late notice names that
            # limit; the reminder (a separate event) goes to the division in charge.
            data = {"risk_at": d.risk_at, "due_at": d.due_at, "by": "tick",
                    **({"apology_by": limit} if limit is not None else {})}
            events.append(d, EventKind.LATE_FLAGGED, actor, at=at, data=data)
            if limit is not None:
                events.append(d, EventKind.REMINDED, actor, at=at, data=data)
            report.flagged += 1


def _escalate(at: dt.datetime, report: TickReport) -> None:
    candidates = Dossier.objects.filter(status__in=OPEN, late_flagged_at__isnull=False, escalated_at__isnull=True,
                                        due_at__isnull=False)
    for d in candidates.select_related("processing_unit").only("pk", "due_at", "processing_unit", "clock"):
        assert d.due_at is not None
        apologised = bool((d.clock or {}).get("extended"))
        limit = d.due_at if apologised else deadlines.apology_deadline(d.due_at, _agency(d))
        if at <= limit:
            continue
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=d.pk)
            if locked.escalated_at is not None:
                continue
            actor = _responsible(locked)
            if actor is None:
                continue
            locked.escalated_at = at
            locked.save(update_fields=["escalated_at"])
            # No apology by the Decree 61/2018 Art. 19(9) limit (or the new date is passing too): the agency
            # leader and the division head are told.
            events.append(locked, EventKind.ESCALATED, actor, at=at, data={
                "due_at": locked.due_at, "apologised": apologised, "limit": limit, "by": "tick",
                "to": "agency_leader"})
            report.escalated += 1


def tick(at: dt.datetime | None = None) -> TickReport:
    at = at or timezone.now()
    report = TickReport()
    _consultations(at, report)
    _flag(at, report)
    _escalate(at, report)
    return report
