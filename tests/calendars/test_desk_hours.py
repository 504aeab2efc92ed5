"""Desk opening hours are not working time: a Saturday morning at the one-stop desk does not shorten a time
limit in working days (Labour Code 45/2019/QH14 Arts. 111-112), and the public page shows both."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from motcua.calendars import selectors
from motcua.calendars.clock import VN_TZ
from motcua.calendars.models import WorkingCalendar, WorkingPeriod

pytestmark = pytest.mark.django_db


def _agency_calendar(org, *, saturday_counts: bool) -> WorkingCalendar:  # type: ignore[no-untyped-def]
    calendar = WorkingCalendar.objects.create(name="Sở Xây dựng", org_unit=org["sxd"])
    for weekday in range(5):
        WorkingPeriod.objects.create(calendar=calendar, weekday=weekday, start=dt.time(8), end=dt.time(12))
        WorkingPeriod.objects.create(calendar=calendar, weekday=weekday, start=dt.time(13), end=dt.time(17))
    WorkingPeriod.objects.create(
        calendar=calendar, weekday=5, start=dt.time(8), end=dt.time(12), counts_for_limits=saturday_counts
    )
    return calendar


def test_saturday_mornings_at_the_desk_do_not_shorten_a_limit_in_working_days(org):
    _agency_calendar(org, saturday_counts=False)
    result = selectors.compute_due(dt.datetime(2026, 3, 2, 9, tzinfo=VN_TZ), 10, "working_days", agency_code="T.SXD.MC")
    # Mon 02/03 09:00 + 80 working hours, Monday to Friday only: Mon 16/03 09:00 (not Fri 13/03 14:00).
    assert result.due_at == dt.datetime(2026, 3, 16, 9, tzinfo=VN_TZ)
    calendar = selectors.get_calendar("T.SXD")
    assert not calendar.is_working_day(dt.date(2026, 3, 7))
    # A dossier received at the desk on Saturday morning starts its time limit on Monday at 08:00.
    received = selectors.compute_due(dt.datetime(2026, 3, 7, 9, tzinfo=VN_TZ), 1, "working_days", agency_code="T.SXD")
    assert received.effective_start == dt.datetime(2026, 3, 9, 8, tzinfo=VN_TZ)


def test_a_period_that_still_counts_is_working_time_as_before(org):
    # Existing periods (and new ones by default) count: what the data meant before the desk flag existed.
    _agency_calendar(org, saturday_counts=True)
    result = selectors.compute_due(dt.datetime(2026, 3, 2, 9, tzinfo=VN_TZ), 10, "working_days", agency_code="T.SXD")
    assert result.due_at == dt.datetime(2026, 3, 13, 14, tzinfo=VN_TZ)
    assert WorkingPeriod.objects.filter(counts_for_limits=True, desk_open=True).count() == 11


def test_a_calendar_with_desk_hours_only_keeps_the_default_working_hours(org):
    calendar = WorkingCalendar.objects.create(name="Sở Xây dựng", org_unit=org["sxd"])
    WorkingPeriod.objects.create(
        calendar=calendar, weekday=5, start=dt.time(7, 30), end=dt.time(11, 30), counts_for_limits=False
    )
    assert selectors.get_calendar("T.SXD").week == selectors.get_calendar().week
    assert [(r.first_day, r.last_day, r.periods) for r in selectors.desk_hours("T.SXD")] == [
        ("Thứ Bảy", "", "07:30–11:30")
    ]
    assert [(r.first_day, r.last_day, r.periods) for r in selectors.working_hours("T.SXD")] == [
        ("Thứ Hai", "Thứ Sáu", "08:00–12:00, 13:00–17:00")
    ]


def test_a_period_is_working_time_or_desk_hours_or_both():
    calendar = WorkingCalendar.objects.create(name="Mặc định")
    period = WorkingPeriod(
        calendar=calendar, weekday=5, start=dt.time(8), end=dt.time(12), counts_for_limits=False, desk_open=False
    )
    with pytest.raises(ValidationError):
        period.full_clean()


def test_the_public_page_shows_working_hours_and_desk_hours_apart(org):
    calendar = _agency_calendar(org, saturday_counts=False)
    calendar.org_unit = None  # the default calendar, the one the public page shows
    calendar.save()
    html = Client().get("/lich-lam-viec/2026/").content.decode()
    working = html.index("Giờ làm việc (tính thời hạn)")
    desk = html.index("Giờ mở cửa Bộ phận Một cửa")
    assert "Thứ Hai – Thứ Sáu" in html[working:desk] and "Thứ Bảy" not in html[working:desk]
    assert "Thứ Bảy" in html[desk:] and "08:00–12:00" in html[desk:]


def test_the_admin_edits_both_flags(client_for, org):
    calendar = WorkingCalendar.objects.create(name="Sở Xây dựng", org_unit=org["sxd"])
    client = client_for("ha")
    form = {
        "name": "Sở Xây dựng",
        "org_unit": org["sxd"].pk,
        "hours_per_working_day": "8",
        "periods-TOTAL_FORMS": "1",
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "0",
        "periods-MAX_NUM_FORMS": "1000",
        "periods-0-weekday": "5",
        "periods-0-start": "08:00",
        "periods-0-end": "12:00",
        "periods-0-desk_open": "on",
    }
    response = client.post(f"/quan-tri/calendars/workingcalendar/{calendar.pk}/change/", form)
    assert response.status_code == 302, response.content[:3000]
    period = calendar.periods.get()
    assert period.desk_open and not period.counts_for_limits
