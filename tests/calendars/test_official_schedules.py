"""The official public-sector schedules 2024-2026 come with ``migrate`` (not with the demo data), and the
administrators are warned from 1 October while next year's schedule is not confirmed."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
import time_machine
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client

from motcua.calendars import demo, selectors, services
from motcua.calendars.clock import VN_TZ, Calendar
from motcua.calendars.models import CalendarOverride, ScheduleYear, WorkingCalendar

pytestmark = pytest.mark.django_db

MIGRATION = "0004_official_schedules_2024_2026"
shipped = importlib.import_module(f"motcua.calendars.migrations.{MIGRATION}")

# The public-sector days off on weekdays and the worked Saturdays of 2024-2026 (domain note
# time-and-calendar.md §5): Labour Code 45/2019/QH14 Art. 112, Official Dispatch 2450/VPCP-KGVX (2024),
# Notice 6150/TB-BLĐTBXH (2025), Notice 9441/TB-BNV, Official Dispatches 3383/BNV-CVL and 12729/VPCP-KGVX
# (2026), Resolution 28/2026/QH16 Art. 2 (24/11/2026).
D = dt.date
DAYS_OFF = {
    D(2024, 1, 1),
    *(D(2024, 2, d) for d in (8, 9, 12, 13, 14)),
    D(2024, 4, 18),
    D(2024, 4, 29),
    D(2024, 4, 30),
    D(2024, 5, 1),
    D(2024, 9, 2),
    D(2024, 9, 3),
    D(2025, 1, 1),
    *(D(2025, 1, d) for d in range(27, 32)),
    D(2025, 4, 7),
    D(2025, 4, 30),
    D(2025, 5, 1),
    D(2025, 5, 2),
    D(2025, 9, 1),
    D(2025, 9, 2),
    D(2026, 1, 1),
    D(2026, 1, 2),
    *(D(2026, 2, d) for d in range(16, 21)),
    D(2026, 4, 27),
    D(2026, 4, 30),
    D(2026, 5, 1),
    D(2026, 8, 31),
    D(2026, 9, 1),
    D(2026, 9, 2),
    D(2026, 11, 24),
}
WORKED_SATURDAYS = {D(2024, 5, 4), D(2025, 4, 26), D(2026, 1, 10), D(2026, 8, 22)}


def _schedule(calendar: Calendar) -> tuple[set[dt.date], set[dt.date]]:
    days = calendar.days(D(2024, 1, 1), D(2026, 12, 31))
    return (
        {d.date for d in days if not d.is_working_day and d.date.weekday() < 5},
        {d.date for d in days if d.is_working_day and d.date.weekday() >= 5},
    )


def test_a_fresh_install_counts_3_working_days_from_31_12_2025_to_wednesday_7_01_2026(client):
    # Wed 31/12 10:00: 6 hours that day; Thu 01/01 New Year; Fri 02/01 off in exchange for Sat 10/01
    # (Official Dispatch 12729/VPCP-KGVX); Mon 05 and Tue 06 8 hours each; the last 2 hours on Wed 07/01.
    result = selectors.compute_due(dt.datetime(2025, 12, 31, 10, tzinfo=VN_TZ), 3, "working_days")
    assert result.due_at == dt.datetime(2026, 1, 7, 10, tzinfo=VN_TZ)
    assert [s.date for s in result.skipped] == [D(2026, 1, 1), D(2026, 1, 2)]
    answer = client.get(
        "/api/v1/calendar/due", {"start": "2025-12-31T10:00:00+07:00", "amount": "3", "unit": "working_days"}
    ).json()
    assert answer["due_at"] == "2026-01-07T10:00:00+07:00"


def test_migrate_ships_only_what_the_pinned_package_lacks_each_with_its_source():
    rows = list(CalendarOverride.objects.order_by("date"))
    assert [(r.date, r.kind, r.calendar_id) for r in rows] == [
        (D(2026, 1, 2), "day_off", None),
        (D(2026, 1, 10), "working_day", None),
    ]
    assert {r.legal_reference for r in rows} == {"Công văn 12729/VPCP-KGVX"}
    package = Calendar(first_year=2024, last_year=2026)
    for row in rows:
        assert package.is_working_day(row.date) != (row.kind == "working_day")  # the package has it wrong
    # With the shipped rows the calendar is the official schedule, day for day; the package alone misses
    # only the 2026 New Year swap (a package upgrade that changes any other day fails here).
    assert _schedule(selectors.get_calendar()) == (DAYS_OFF, WORKED_SATURDAYS)
    off, worked = _schedule(package)
    assert DAYS_OFF - off == {D(2026, 1, 2)} and off - DAYS_OFF == set()
    assert WORKED_SATURDAYS - worked == {D(2026, 1, 10)} and worked - WORKED_SATURDAYS == set()
    years = {y.year: y.legal_reference for y in ScheduleYear.objects.all()}
    assert set(years) == {2024, 2025, 2026}
    assert "9441/TB-BNV" in years[2026] and "12729/VPCP-KGVX" in years[2026] and "6150/TB-BLĐTBXH" in years[2025]


def _run_migration() -> None:
    """Migration 0004 as ``migrate`` runs it: historical models, so no model signal tells the caches."""
    state = MigrationLoader(connection).project_state(("calendars", MIGRATION))
    shipped.forwards(state.apps, None)


def test_on_an_existing_installation_the_migration_keeps_the_administrator_s_rows_and_the_clock_sees_its_own(org):
    CalendarOverride.objects.all().delete()
    ScheduleYear.objects.filter(year=2026).delete()
    own = services.save_override(
        CalendarOverride(
            date=D(2026, 1, 2), kind="day_off", name="Nghỉ theo UBND tỉnh", legal_reference="Quyết định 1/QĐ-UBND"
        )
    )
    agency = WorkingCalendar.objects.create(name="Riêng", org_unit=org["other"])
    CalendarOverride.objects.create(calendar=agency, date=D(2026, 1, 10), kind="day_off", name="Nghỉ riêng")
    before = selectors.get_calendar()
    assert not before.is_working_day(D(2026, 1, 10))  # a Saturday, before the migration
    _run_migration()
    _run_migration()  # idempotent
    national = CalendarOverride.objects.filter(calendar__isnull=True).order_by("date")
    assert [(r.date, r.name) for r in national] == [
        (D(2026, 1, 2), "Nghỉ theo UBND tỉnh"),
        (D(2026, 1, 10), "Làm việc bù cho thứ Sáu 02/01/2026"),
    ]
    assert CalendarOverride.objects.get(pk=own.pk).legal_reference == "Quyết định 1/QĐ-UBND"
    assert agency.overrides.count() == 1
    assert ScheduleYear.objects.filter(year__in=[2024, 2025, 2026]).count() == 3
    # The migration replaced the revision token: the cached calendar is rebuilt and sees the new row.
    assert selectors.get_calendar().is_working_day(D(2026, 1, 10))


def test_the_demo_carries_no_schedule_of_its_own():
    CalendarOverride.objects.all().delete()
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    assert CalendarOverride.objects.count() == 0
    assert WorkingCalendar.objects.filter(org_unit__isnull=True).count() == 1


# --- confirmed years and the warning from 1 October ---------------------------------------------------------


def at(*args: int):  # type: ignore[no-untyped-def]
    return time_machine.travel(dt.datetime(*args, 9, 0, tzinfo=VN_TZ), tick=False)


def test_the_warning_starts_on_1_october_and_stops_once_next_year_is_confirmed(people):
    with at(2026, 9, 30):
        assert selectors.schedule_warnings() == []
    with at(2026, 10, 1):
        warnings = selectors.schedule_warnings()
        assert len(warnings) == 1 and "2027" in warnings[0]
        services.save_schedule_year(ScheduleYear(year=2027, legal_reference="Thông báo 1/TB-BNV"), people["ha"])
        assert selectors.schedule_warnings() == []
    assert ScheduleYear.objects.get(year=2027).updated_by == people["ha"]


def test_a_year_begun_without_its_schedule_is_warned_all_year():
    with at(2027, 3, 2):
        warnings = selectors.schedule_warnings()
        assert len(warnings) == 1 and "2027" in warnings[0]
    with at(2027, 10, 1):
        assert len(selectors.schedule_warnings()) == 2


def test_healthz_and_the_admin_banner_tell_the_administrators(client_for, people):
    people["binh"].is_staff = True
    people["binh"].save()
    with at(2026, 10, 1):
        body = Client().get("/healthz").json()
        assert body["status"] == "ok"
        assert [w["code"] for w in body["warnings"]] == ["calendar_schedule_unconfirmed"]
        assert "2027" in body["warnings"][0]["message"]
        page = client_for("ha").get("/quan-tri/").content.decode()
        assert "2027" in page and "/quan-tri/calendars/scheduleyear/" in page
        # A staff member who cannot edit the calendar is not asked to.
        assert "lịch nghỉ chính thức" not in client_for("binh").get("/quan-tri/").content.decode().lower()
    with at(2026, 9, 30):
        assert "warnings" not in Client().get("/healthz").json()


def test_an_administrator_confirms_a_year_in_the_admin(client_for, people):
    client = client_for("ha")
    response = client.post(
        "/quan-tri/calendars/scheduleyear/add/",
        {"year": "2027", "legal_reference": "Thông báo 1234/TB-BNV", "note": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    assert ScheduleYear.objects.get(year=2027).updated_by == people["ha"]
    for bad in (
        {"year": "2026", "legal_reference": "Trùng năm"},
        {"year": "1800", "legal_reference": "X"},
        {"year": "2028", "legal_reference": ""},
    ):
        response = client.post("/quan-tri/calendars/scheduleyear/add/", {"note": "", **bad})
        assert response.status_code == 200 and "errornote" in response.content.decode()
    assert ScheduleYear.objects.count() == 4


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("binh", 302), ("ha", 200)])
def test_the_confirmed_years_are_for_administrators(client_for, who, status):
    client = Client() if who == "anonymous" else client_for(who)
    for url in ("/quan-tri/calendars/scheduleyear/", "/quan-tri/calendars/scheduleyear/add/"):
        assert client.get(url).status_code == status, url


def test_the_public_page_names_the_year_s_notices():
    html = Client().get("/lich-lam-viec/2026/").content.decode()
    assert "9441/TB-BNV" in html and "12729/VPCP-KGVX" in html
    html = Client().get("/lich-lam-viec/2027/").content.decode()
    assert "2027" in html and "9441/TB-BNV" not in html
