"""Signals of the legal clock, and the receivers that keep caches and open deadlines right.

``deadline_changed`` is sent for each open deadline whose due instant moved because the calendar
changed, with ``deadline``, ``old_due``, ``new_due`` and ``reason`` (``"calendar_changed"``) and
``dates`` (the ISO dates that changed). The dossier app listens to it to append a dossier event.
"""

from __future__ import annotations

from typing import Any

import django.dispatch
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import CalendarOverride, WorkingCalendar, WorkingPeriod

deadline_changed = django.dispatch.Signal()


@receiver(pre_save, sender=CalendarOverride)
def _remember_old_date(sender: type, instance: CalendarOverride, **kwargs: Any) -> None:
    old = None
    if instance.pk:
        old = CalendarOverride.objects.filter(pk=instance.pk).values_list("date", flat=True).first()
    instance._old_date = old  # type: ignore[attr-defined]


@receiver(post_save, sender=CalendarOverride)
@receiver(post_delete, sender=CalendarOverride)
def _override_changed(sender: type, instance: CalendarOverride, **kwargs: Any) -> None:
    from . import services

    dates = {instance.date}
    old = getattr(instance, "_old_date", None)
    if old is not None:
        dates.add(old)
    services.calendar_changed(sorted(dates))


@receiver(post_save, sender=WorkingPeriod)
@receiver(post_delete, sender=WorkingPeriod)
@receiver(post_save, sender=WorkingCalendar)
@receiver(post_delete, sender=WorkingCalendar)
def _hours_changed(sender: type, **kwargs: Any) -> None:
    from . import services

    # New office hours can move every open deadline: recompute them all.
    services.calendar_changed(None)
