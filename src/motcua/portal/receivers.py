"""The one receiver of dossier events that makes notices: every notice about a dossier goes out from here,
through ``motcua.notifications`` (rendered from its versioned templates, with delivery records).

It listens to the creation of dossier events (the append-only log every dossier service writes), inside the
transaction that appends the event, so every present and future service is covered without calling the
portal, and a notice exists if and only if its event does. Who is told of what:

- the applicant, on the creation of the dossier and every status change (Decree 224/2026 Art. 15: in real
  time; ``services.notify_dossier_event``). An early result is announced by the notice of the change to
  "processing done", not a second time;
- the applicant, when an apology and new date is issued (Decree 61/2018 Art. 19(9): the apology letter with
  the reason and the new return date). It changes no status, so no status notice goes out for it;
- the officers, on a late flag, an apology reminder, an escalation or an overdue opinion
  (``motcua.notifications.staff``).

Nothing is sent inside ``motcua.dossiers.tasks.muted()`` (a backdated demo history).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import translation
from django.utils.dateparse import parse_datetime

from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tasks import is_muted
from motcua.notifications import defaults as notice_keys
from motcua.notifications.services import notify

log = logging.getLogger(__name__)


@receiver(post_save, sender=DossierEvent, dispatch_uid="motcua.portal.notify_applicant")
def notify_applicant(sender: type[DossierEvent], instance: DossierEvent, created: bool, raw: bool = False,
                     **kwargs: Any) -> None:
    if not created or raw or is_muted():
        return
    from motcua.notifications.staff import notify_staff

    from .services import notify_dossier_event

    if instance.kind in (EventKind.CREATED, EventKind.STATUS_CHANGED):
        notify_dossier_event(instance)
    elif instance.kind == EventKind.APOLOGY:
        notify_apology(instance)
    else:
        notify_staff(instance)


def notify_apology(event: DossierEvent) -> None:
    """The applicant's notice of the apology and new return date (Decree 61/2018 Art. 19(9)). Never raises:
    a notice problem must not undo the apology."""
    try:
        with transaction.atomic():
            _send_apology(event)
    except Exception:
        log.exception("apology notice for dossier event %s could not be prepared", event.pk)


def _send_apology(event: DossierEvent) -> None:
    from . import selectors
    from .services import _recipient

    dossier = Dossier.objects.select_related("owner", "procedure", "receiving_unit", "processing_unit").get(
        pk=event.dossier_id)
    recipient = _recipient(dossier)
    data = event.data or {}
    with translation.override(recipient.language):
        context = {**selectors.notice_context(dossier, event), "reason": event.reason,
                   "original_due_at": _instant(data.get("original_due_at")) or dossier.original_due_at,
                   "new_due_at": _instant(data.get("new_due_at")) or dossier.due_at}
    notify(recipient, notice_keys.APOLOGY, context, related_object=dossier, subject_ref=f"dossier:{dossier.public_id}")


def _instant(value: Any) -> dt.datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None
