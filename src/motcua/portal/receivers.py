"""Signal receivers: the applicant's notice on every dossier event that changes its status.

Decree 224/2026 Art. 15: when the status changes, the citizen is notified immediately, in real time. The
receiver listens to the creation of dossier events (the append-only log every dossier service writes), so
every present and future service that changes a status is covered without calling the portal.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from motcua.dossiers.models import DossierEvent


@receiver(post_save, sender=DossierEvent, dispatch_uid="motcua.portal.notify_applicant")
def notify_applicant(sender: type[DossierEvent], instance: DossierEvent, created: bool, raw: bool = False,
                     **kwargs: Any) -> None:
    if not created or raw:
        return
    from .services import notify_dossier_event

    notify_dossier_event(instance)
