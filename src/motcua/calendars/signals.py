"""Signals of the working calendar, and the receivers that turn every calendar change into one announce.

``working_days_changed`` is sent once a transaction that changed the calendar commits, once per calendar
touched, with ``calendar_id`` (the ``WorkingCalendar`` id, or None for the national schedule, which every
calendar follows), ``days`` (the sorted dates whose override was added, changed or removed; None when
the office hours changed, so that any date may count differently) and ``user`` (who made the change, or
None). The calendar app knows nothing of what follows a calendar: the dossier app listens to it and
moves the open dossiers' dates (``motcua.dossiers.follow``).
"""

from __future__ import annotations

from typing import Any

import django.dispatch
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from motcua.accounts.models import OrgUnit

from .models import CalendarOverride, WorkingCalendar, WorkingPeriod

working_days_changed = django.dispatch.Signal()


@receiver(pre_save, sender=CalendarOverride)
def _remember_old_row(sender: type, instance: CalendarOverride, **kwargs: Any) -> None:
    old = None
    if instance.pk:
        old = CalendarOverride.objects.filter(pk=instance.pk).values_list("calendar_id", "date").first()
    instance._old_row = old  # type: ignore[attr-defined]


@receiver(post_save, sender=CalendarOverride)
@receiver(post_delete, sender=CalendarOverride)
def _override_changed(sender: type, instance: CalendarOverride, **kwargs: Any) -> None:
    from . import services

    old = getattr(instance, "_old_row", None)
    if old is not None and (old[0] != instance.calendar_id or old[1] != instance.date):
        # The row moved to another day or calendar: the old day counts normally again there.
        services.calendar_changed(old[0], [old[1]])
    services.calendar_changed(instance.calendar_id, [instance.date])


@receiver(post_save, sender=WorkingPeriod)
@receiver(post_delete, sender=WorkingPeriod)
def _period_changed(sender: type, instance: WorkingPeriod, **kwargs: Any) -> None:
    from . import services

    # New office hours can move every open deadline on this calendar.
    services.calendar_changed(instance.calendar_id, None)


@receiver(post_save, sender=WorkingCalendar)
@receiver(post_delete, sender=WorkingCalendar)
def _hours_changed(sender: type, instance: WorkingCalendar, **kwargs: Any) -> None:
    from . import services

    # The default calendar (no unit) is the calendar of every unit without its own.
    services.calendar_changed(instance.pk if instance.org_unit_id else None, None)


@receiver(post_save, sender=OrgUnit)
@receiver(post_delete, sender=OrgUnit)
def _unit_changed(sender: type, instance: OrgUnit, **kwargs: Any) -> None:
    from . import services

    # A unit that moves under another parent (or changes its code) may follow another calendar: the
    # cached "which calendar does this unit follow" answers are stale. No date moves by itself.
    services.bump_revision()
