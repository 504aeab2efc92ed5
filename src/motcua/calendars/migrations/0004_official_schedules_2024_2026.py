"""The official public-sector schedules of 2024-2026, in every installation from ``migrate`` (not from the
demo data): time-and-calendar.md §4-5.

Only the days that the pinned ``holidays`` package (0.109) gets wrong or lacks become override rows: the
2026 New Year swap, Fri 02/01/2026 off and Sat 10/01/2026 worked (Official Dispatch 12729/VPCP-KGVX).
Every other day of the 2024-2026 schedules is in the package already (checked day by day by
tests/calendars/test_official_schedules.py). The three years are marked confirmed, with the notices that
set them.

An installation that already has a national row on one of these dates (from an older ``motcua demo``, a
``motcua calendar import`` or the admin) keeps its row as it is. The calendar revision token is replaced so
that every running process rebuilds its cached calendars.

Self-contained on purpose (historical models, no app code), so that later changes of the app do not change
what this migration did.
"""

import datetime as dt
import uuid

from django.db import migrations

SECONDARY = "Đối chiếu theo văn bản do bên thứ ba đăng lại; kiểm tra văn bản gốc."
SHIPPED = "Có sẵn khi cài đặt (migrate)."
DISPATCH_12729 = "Công văn 12729/VPCP-KGVX"

# (date, kind, name, English name, legal reference)
OVERRIDES = [
    (dt.date(2026, 1, 2), "day_off", "Ngày nghỉ (hoán đổi với thứ Bảy 10/01/2026)",
     "Day off (swapped with Sat 10 January)", DISPATCH_12729),
    (dt.date(2026, 1, 10), "working_day", "Làm việc bù cho thứ Sáu 02/01/2026",
     "Working day (swapped with Fri 2 January)", DISPATCH_12729),
]

# (year, the notices that set its days off and swapped working days)
YEARS = [
    (2024, "Bộ luật Lao động 2019, Điều 112; Công văn 2450/VPCP-KGVX năm 2024 (hoán đổi 29/04 và 04/05/2024)"),
    (2025, "Thông báo 6150/TB-BLĐTBXH ngày 03/12/2024"),
    (2026, "Thông báo 9441/TB-BNV; Công văn 12729/VPCP-KGVX; Công văn 3383/BNV-CVL"),
]


def forwards(apps, schema_editor):
    CalendarOverride = apps.get_model("calendars", "CalendarOverride")  # noqa: N806
    ScheduleYear = apps.get_model("calendars", "ScheduleYear")  # noqa: N806
    CalendarRevision = apps.get_model("calendars", "CalendarRevision")  # noqa: N806
    created = 0
    for day, kind, name, name_en, reference in OVERRIDES:
        if CalendarOverride.objects.filter(calendar__isnull=True, date=day).exists():
            continue  # the administrator's row stays as it is
        CalendarOverride.objects.create(date=day, kind=kind, name=name, name_en=name_en,
                                        legal_reference=reference, note=f"{SHIPPED} {SECONDARY}")
        created += 1
    for year, reference in YEARS:
        ScheduleYear.objects.get_or_create(year=year, defaults={"legal_reference": reference, "note": SECONDARY})
    if created:
        token = uuid.uuid4().hex
        if not CalendarRevision.objects.filter(pk=1).update(token=token):
            CalendarRevision.objects.update_or_create(pk=1, defaults={"token": token})


class Migration(migrations.Migration):
    dependencies = [("calendars", "0003_desk_hours_and_schedule_years")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
