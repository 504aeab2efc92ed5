"""The demo's default working calendar (Mon-Fri 08:00-12:00, 13:00-17:00).

The official public-sector schedules are not demo data: every installation gets them from ``migrate``
(migration 0004: the 2026 New Year swap the ``holidays`` package lacks, and the confirmed years 2024-2026).
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction

from .models import WorkingCalendar, WorkingPeriod


@transaction.atomic
def seed(stdout: TextIO) -> None:
    default = WorkingCalendar.objects.filter(org_unit__isnull=True).order_by("pk").first()
    if default is not None:
        return
    default = WorkingCalendar.objects.create(name="Lịch làm việc chung (mặc định)")
    for weekday in range(5):
        WorkingPeriod.objects.create(calendar=default, weekday=weekday, start=dt.time(8), end=dt.time(12))
        WorkingPeriod.objects.create(calendar=default, weekday=weekday, start=dt.time(13), end=dt.time(17))
    stdout.write("Calendar: the default working calendar (Monday to Friday, 08:00-12:00 and 13:00-17:00).\n")
