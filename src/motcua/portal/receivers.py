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
- the applicant, when a calendar change moved the promised date (``DATES_MOVED``, Decree 224/2026 Art. 15);
- the officers, on a late flag, an apology reminder, an escalation or an overdue opinion
  (``motcua.notifications.staff``).

Nothing is sent inside ``motcua.dossiers.tasks.muted()`` (a backdated demo history).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tasks import is_muted


@receiver(post_save, sender=DossierEvent, dispatch_uid="motcua.portal.notify_applicant")
def notify_applicant(sender: type[DossierEvent], instance: DossierEvent, created: bool, raw: bool = False,
                     **kwargs: Any) -> None:
    if not created or raw or is_muted():
        return
    from motcua.notifications.staff import notify_staff

    from .services import notify_apology, notify_dates_moved, notify_dossier_event

    if instance.kind in (EventKind.CREATED, EventKind.STATUS_CHANGED):
        notify_dossier_event(instance)
    elif instance.kind == EventKind.APOLOGY:
        notify_apology(instance)
    elif instance.kind == EventKind.DATES_MOVED:
        notify_dates_moved(instance)
    else:
        notify_staff(instance)
