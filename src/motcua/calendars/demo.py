"""The official public-sector schedules of 2024-2026 in the override table (domain note §5).

Most of these days are also in the ``holidays`` package; seeding them makes the official source of
each day visible to operators, and keeps the calendar right if a package upgrade changes its rules.
The 2026 New Year swap (Fri 2/1 off, Sat 10/1 worked) is not in the package at all.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction

from . import services
from .choices import OverrideKind
from .models import CalendarOverride, WorkingCalendar, WorkingPeriod

OFF = OverrideKind.DAY_OFF
ON = OverrideKind.WORKING_DAY
LABOUR_CODE = "Bộ luật Lao động 2019, Điều 112"
NOTE_SECONDARY = "Đối chiếu theo văn bản do bên thứ ba đăng lại; kiểm tra văn bản gốc."

# (date, kind, name, English name, legal reference)
SCHEDULE: list[tuple[dt.date, str, str, str, str]] = [
    # 2024
    (dt.date(2024, 1, 1), OFF, "Tết Dương lịch", "New Year's Day", LABOUR_CODE),
    *[(dt.date(2024, 2, d), OFF, "Nghỉ Tết Nguyên Đán", "Lunar New Year holiday", LABOUR_CODE)
      for d in (8, 9, 12, 13, 14)],
    (dt.date(2024, 4, 18), OFF, "Ngày Giỗ Tổ Hùng Vương", "Hung Kings' Commemoration Day", LABOUR_CODE),
    (dt.date(2024, 4, 29), OFF, "Ngày nghỉ (hoán đổi với thứ Bảy 04/05/2024)", "Day off (swapped with Sat 4 May)",
     "Công văn 2450/VPCP-KGVX năm 2024"),
    (dt.date(2024, 4, 30), OFF, "Ngày Chiến thắng", "Reunification Day", LABOUR_CODE),
    (dt.date(2024, 5, 1), OFF, "Ngày Quốc tế Lao động", "International Labour Day", LABOUR_CODE),
    (dt.date(2024, 5, 4), ON, "Làm việc bù cho thứ Hai 29/04/2024", "Working day (swapped with Mon 29 April)",
     "Công văn 2450/VPCP-KGVX năm 2024"),
    (dt.date(2024, 9, 2), OFF, "Quốc khánh", "National Day", LABOUR_CODE),
    (dt.date(2024, 9, 3), OFF, "Quốc khánh", "National Day", LABOUR_CODE),
    # 2025
    (dt.date(2025, 1, 1), OFF, "Tết Dương lịch", "New Year's Day", LABOUR_CODE),
    *[(dt.date(2025, 1, d), OFF, "Nghỉ Tết Nguyên Đán", "Lunar New Year holiday", "Thông báo 6150/TB-BLĐTBXH")
      for d in range(27, 32)],
    (dt.date(2025, 4, 7), OFF, "Ngày Giỗ Tổ Hùng Vương", "Hung Kings' Commemoration Day", LABOUR_CODE),
    (dt.date(2025, 4, 26), ON, "Làm việc bù cho thứ Sáu 02/05/2025", "Working day (swapped with Fri 2 May)",
     "Thông báo 6150/TB-BLĐTBXH"),
    (dt.date(2025, 4, 30), OFF, "Ngày Chiến thắng", "Reunification Day", LABOUR_CODE),
    (dt.date(2025, 5, 1), OFF, "Ngày Quốc tế Lao động", "International Labour Day", LABOUR_CODE),
    (dt.date(2025, 5, 2), OFF, "Ngày nghỉ (hoán đổi với thứ Bảy 26/04/2025)", "Day off (swapped with Sat 26 April)",
     "Thông báo 6150/TB-BLĐTBXH"),
    (dt.date(2025, 9, 1), OFF, "Quốc khánh", "National Day", "Thông báo 6150/TB-BLĐTBXH"),
    (dt.date(2025, 9, 2), OFF, "Quốc khánh", "National Day", "Thông báo 6150/TB-BLĐTBXH"),
    # 2026
    (dt.date(2026, 1, 1), OFF, "Tết Dương lịch", "New Year's Day", LABOUR_CODE),
    (dt.date(2026, 1, 2), OFF, "Ngày nghỉ (hoán đổi với thứ Bảy 10/01/2026)", "Day off (swapped with Sat 10 January)",
     "Công văn 12729/VPCP-KGVX"),
    (dt.date(2026, 1, 10), ON, "Làm việc bù cho thứ Sáu 02/01/2026", "Working day (swapped with Fri 2 January)",
     "Công văn 12729/VPCP-KGVX"),
    *[(dt.date(2026, 2, d), OFF, "Nghỉ Tết Nguyên Đán", "Lunar New Year holiday", "Thông báo 9441/TB-BNV")
      for d in range(16, 21)],
    (dt.date(2026, 4, 27), OFF, "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch là Chủ nhật 26/04)",
     "Hung Kings' Commemoration Day (observed)", "Bộ luật Lao động 2019, Điều 111 khoản 3 và Điều 112"),
    (dt.date(2026, 4, 30), OFF, "Ngày Chiến thắng", "Reunification Day", "Công văn 3383/BNV-CVL"),
    (dt.date(2026, 5, 1), OFF, "Ngày Quốc tế Lao động", "International Labour Day", "Công văn 3383/BNV-CVL"),
    (dt.date(2026, 8, 22), ON, "Làm việc bù cho thứ Hai 31/08/2026", "Working day (swapped with Mon 31 August)",
     "Thông báo 9441/TB-BNV"),
    (dt.date(2026, 8, 31), OFF, "Ngày nghỉ (hoán đổi với thứ Bảy 22/08/2026)", "Day off (swapped with Sat 22 August)",
     "Thông báo 9441/TB-BNV"),
    (dt.date(2026, 9, 1), OFF, "Quốc khánh", "National Day", "Thông báo 9441/TB-BNV"),
    (dt.date(2026, 9, 2), OFF, "Quốc khánh", "National Day", "Thông báo 9441/TB-BNV"),
    (dt.date(2026, 11, 24), OFF, "Ngày Văn hóa Việt Nam", "Vietnamese Culture Day",
     "Nghị quyết 28/2026/QH16, Điều 2"),
]


@transaction.atomic
def seed(stdout: TextIO) -> None:
    """The default working calendar (Mon-Fri 08:00-12:00, 13:00-17:00) and the official schedules."""
    default = WorkingCalendar.objects.filter(org_unit__isnull=True).order_by("pk").first()
    if default is None:
        default = WorkingCalendar.objects.create(name="Lịch làm việc chung (mặc định)")
        for weekday in range(5):
            WorkingPeriod.objects.create(calendar=default, weekday=weekday, start=dt.time(8), end=dt.time(12))
            WorkingPeriod.objects.create(calendar=default, weekday=weekday, start=dt.time(13), end=dt.time(17))
    created = 0
    for day, kind, name, name_en, reference in SCHEDULE:
        if CalendarOverride.objects.filter(calendar__isnull=True, date=day).exists():
            continue
        note = "" if reference == LABOUR_CODE else NOTE_SECONDARY
        services.save_override(CalendarOverride(date=day, kind=kind, name=name, name_en=name_en,
                                                legal_reference=reference, note=note))
        created += 1
    stdout.write(f"Calendar: {created} official schedule days added ({len(SCHEDULE)} known for 2024-2026).\n")
