"""Dates as Vietnamese administrative documents write them: the one place the rule lives.

Decree 30/2020/NĐ-CP, Annex I (place and date of issue): the date is written in full, in Arabic digits, and
"đối với những số thể hiện ngày nhỏ hơn 10 và tháng 1, 2 phải ghi thêm số 0 phía trước": a leading zero
for the days 1-9 and for the months 1 and 2 only (so that nobody can turn "ngày 5" into "ngày 15" or
"tháng 1" into "tháng 11"), e.g. "ngày 05 tháng 7 năm 2026", "ngày 28 tháng 02 năm 2026". Every date a
legal form prints goes through ``legal_date`` or ``legal_datetime``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def day_number(day: int) -> str:
    """The day of the month: "05" for 1-9, else as it is."""
    return f"{day:02d}"


def month_number(month: int) -> str:
    """The month: "01" and "02" for January and February, else without a zero ("7", "12")."""
    return f"{month:02d}" if month < 3 else str(month)


def legal_date(value: dt.date | dt.datetime) -> str:
    """ "ngày 05 tháng 7 năm 2026"; an aware datetime is read in Vietnam time (the site's time zone)."""
    day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
    return f"ngày {day_number(day.day)} tháng {month_number(day.month)} năm {day.year}"


def legal_datetime(value: dt.datetime) -> str:
    """ "08 giờ 30 phút, ngày 05 tháng 7 năm 2026", in Vietnam time: hour, minute and date, as the receipt
    (form 01) asks for the times of receipt and of return."""
    local = timezone.localtime(value)
    return f"{local:%H} giờ {local:%M} phút, {legal_date(local.date())}"
