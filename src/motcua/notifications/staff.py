"""Notices to the officers about the dossiers they are responsible for, made from the dossier's events.

A handler of the dossier dispatcher (``motcua.dossiers.dispatch``, registered in ``apps.py``): it runs after
the commit that appended the event, in the transaction that marks the event handled, so each event makes its
notices once, with their delivery records. Who gets what:

- ``late_flagged``: the officer in charge (the event's actor), with the limit for the apology;
- ``reminded``: the head(s) of the division in charge: the apology letter to the applicant, with the reason
  and a new date, is due at the latest one working day before the due date (Decree 61/2018 Art. 19(9));
- ``escalated``: the agency leader(s) and the division head(s): that limit passed with no apology, or the
  new date is passing too;
- ``consultation_late``: the officer who asked for the opinion.

The applicant is not told here: the apology (with its new date) is the applicant's notice, sent when it is
issued; a late flag changes no status, so no status notice goes out for it either.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.accounts.choices import Role
from motcua.accounts.models import OrgUnit, User
from motcua.core import links
from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import Dossier, DossierEvent

from . import defaults, selectors
from .services import Recipient, notify, send_guarded

KEYS = {
    EventKind.LATE_FLAGGED: defaults.LATE_FLAGGED,
    EventKind.REMINDED: defaults.APOLOGY_REMINDER,
    EventKind.ESCALATED: defaults.ESCALATED,
    EventKind.CONSULTATION_LATE: defaults.CONSULTATION_LATE,
}


def notify_staff(event_id: int) -> None:
    """The officers' notices of the event ``event_id``, if it calls for any. Never raises: a notice problem
    is logged (the savepoint keeps the dispatcher's transaction usable)."""
    event = DossierEvent.objects.select_related("actor").get(pk=event_id)
    key = KEYS.get(EventKind(event.kind)) if event.kind in EventKind.values else None
    if key is None:
        return
    send_guarded(partial(_send, event, key), f"staff notice for dossier event {event.pk}")


def _send(event: DossierEvent, key: str) -> None:
    dossier = Dossier.objects.select_related("procedure", "processing_unit", "current_unit").get(
        pk=event.dossier_id)
    officer = event.actor
    context = {**_dossier_context(dossier, officer), **_event_context(event, dossier)}
    for person in recipients(event, dossier, officer):
        recipient = Recipient.from_user(person)
        notify(recipient, key, {**context, "recipient_name": recipient.name}, related_object=dossier,
               subject_ref=f"dossier:{dossier.public_id}")


def recipients(event: DossierEvent, dossier: Dossier, officer: User) -> list[User]:
    """Who is told of ``event``, each person once."""
    day = timezone.localdate(event.at)
    if event.kind in (EventKind.LATE_FLAGGED, EventKind.CONSULTATION_LATE):
        people = [officer]
    elif event.kind == EventKind.REMINDED:
        people = _division_heads(dossier, officer, day) or [officer]
    else:  # escalated
        agency = dossier.processing_unit.agency() or dossier.processing_unit
        people = [*selectors.holders(Role.AGENCY_LEADER, agency, day), *_division_heads(dossier, officer, day)]
    return list({p.pk: p for p in people if p.is_active}.values())


def _division_heads(dossier: Dossier, officer: User, day: dt.date) -> list[User]:
    units: list[OrgUnit | None] = [dossier.current_unit, officer.unit]
    for unit in dict.fromkeys(u for u in units if u is not None):
        heads = selectors.holders(Role.DIVISION_HEAD, unit, day)
        if heads:
            return heads
    return []


def _dossier_context(dossier: Dossier, officer: User) -> dict[str, Any]:
    return {
        "dossier_code": dossier.public_id,
        "procedure_name": dossier.snapshot.get("procedure", {}).get("name") or dossier.procedure.name,
        "dossier_url": links.absolute(reverse("dossiers:detail", args=[dossier.public_id])),
        "officer_name": officer.get_full_name(),
        "unit_name": (dossier.current_unit or dossier.processing_unit).name,
        "due_at": dossier.due_at,
    }


def _event_context(event: DossierEvent, dossier: Dossier) -> dict[str, Any]:
    data = event.data or {}
    if event.kind == EventKind.CONSULTATION_LATE:
        consulted = OrgUnit.objects.filter(code=data.get("unit", "")).first()
        return {"consulted_unit": consulted.name if consulted else data.get("unit", ""),
                "consultation_due_at": _instant(data.get("due_at"))}
    return {"apology_by": _instant(data.get("apology_by")), "limit": _instant(data.get("limit")),
            "apologised": bool(data.get("apologised"))}


def _instant(value: Any) -> dt.datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None
