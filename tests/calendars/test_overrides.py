"""The override table: CSV import and export, the admin, and the cache."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.calendars import selectors, services
from motcua.calendars.models import CalendarOverride, WorkingCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_override_table():  # type: ignore[no-untyped-def]
    # These tests start from an empty table: without the 2026 New Year swap that migrate ships (migration
    # 0004, tested in test_official_schedules.py), whose dates the CSV below uses.
    CalendarOverride.objects.all().delete()

GOOD = """date,kind,name,name_en,legal_reference,note
2026-01-02,day_off,Nghỉ hoán đổi Tết Dương lịch,New Year swap,Công văn 12729/VPCP-KGVX,
10/01/2026,working_day,Làm bù ngày 02/01/2026,,Công văn 12729/VPCP-KGVX,thứ Bảy
"""


def write(tmp_path, text):  # type: ignore[no-untyped-def]
    path = tmp_path / "overrides.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_then_updates(tmp_path):
    out = io.StringIO()
    call_command("calendar", "import", str(write(tmp_path, GOOD)), stdout=out)
    assert "2 created" in out.getvalue()
    row = CalendarOverride.objects.get(date=dt.date(2026, 1, 10))
    assert row.kind == "working_day" and row.legal_reference == "Công văn 12729/VPCP-KGVX"
    call_command("calendar", "import", str(write(tmp_path, GOOD)), stdout=out)
    assert "0 created, 2 updated" in out.getvalue()
    calendar = selectors.get_calendar()
    assert not calendar.is_working_day(dt.date(2026, 1, 2))
    assert calendar.is_working_day(dt.date(2026, 1, 10))


def test_a_bad_row_imports_nothing_and_every_error_is_reported(tmp_path):
    bad = GOOD + "2026-02-30,day_off,Không có ngày này,,,\n2026-03-02,holiday,,,,\n2026-01-02,day_off,Trùng,,,\n"
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("calendar", "import", str(write(tmp_path, bad)), stderr=err)
    lines = err.getvalue().splitlines()
    assert any(":4: date:" in line for line in lines)
    assert any(":5: kind:" in line for line in lines)
    assert any(":5: name:" in line for line in lines)
    assert any(":6: date:" in line and ("dòng 2" in line or "line 2" in line) for line in lines)
    assert CalendarOverride.objects.count() == 0


def test_bad_header_and_unknown_calendar(tmp_path):
    with pytest.raises(services.ImportFailed) as info:
        services.import_overrides_text("day,kind,name\n2026-01-02,day_off,x\n")
    assert {e.field for e in info.value.errors} == {"date", "day"}
    with pytest.raises(services.ImportFailed) as info:
        services.import_overrides_text("date,kind,name,calendar\n2026-01-02,day_off,x,NOPE\n")
    assert info.value.errors[0].field == "calendar" and info.value.errors[0].line == 2


def test_import_into_an_agency_calendar(org):
    calendar = WorkingCalendar.objects.create(name="SXD", org_unit=org["sxd"])
    services.import_overrides_text("date,kind,name,calendar\n2026-03-09,day_off,Nghỉ riêng,T.SXD\n")
    assert calendar.overrides.count() == 1
    assert not selectors.get_calendar("T.SXD").is_working_day(dt.date(2026, 3, 9))
    assert selectors.get_calendar().is_working_day(dt.date(2026, 3, 9))


def test_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="No such file"):
        call_command("calendar", "import", "/nonexistent.csv")


def test_export_round_trips(tmp_path):
    services.import_overrides_text(GOOD)
    out = io.StringIO()
    call_command("calendar", "export", "--year", "2026", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "date,kind,name,name_en,legal_reference,note,calendar"
    assert "2026-01-10,working_day,Làm bù ngày 02/01/2026" in text
    CalendarOverride.objects.all().delete()
    report = services.import_overrides_text(text)
    assert report.created == 2


def test_the_cache_follows_changes():
    first = selectors.get_calendar()
    assert selectors.get_calendar() is first
    row = services.save_override(CalendarOverride(date=dt.date(2026, 3, 9), kind="day_off", name="X"))
    second = selectors.get_calendar()
    assert second is not first and not second.is_working_day(dt.date(2026, 3, 9))
    row.delete()
    assert selectors.get_calendar().is_working_day(dt.date(2026, 3, 9))


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("binh", 302), ("ha", 200)])
def test_admin_is_for_administrators(client_for, who, status):
    client = Client() if who == "anonymous" else client_for(who)
    for url in ("/quan-tri/calendars/calendaroverride/", "/quan-tri/calendars/calendaroverride/add/",
                "/quan-tri/calendars/workingcalendar/"):
        assert client.get(url).status_code == status, url


def test_admin_save_records_who(client_for, people):
    client = client_for("ha")
    response = client.post("/quan-tri/calendars/calendaroverride/add/", {
        "date": "2026-01-02", "kind": "day_off", "name": "Nghỉ hoán đổi", "name_en": "", "legal_reference":
        "Công văn 12729/VPCP-KGVX", "note": "", "calendar": "",
    })
    assert response.status_code == 302, response.content[:2000]
    row = CalendarOverride.objects.get()
    assert row.created_by == people["ha"] and row.updated_by == people["ha"]


def test_a_staff_user_without_the_capability_cannot_edit(people, org):
    people["binh"].is_staff = True
    people["binh"].save()
    client = Client()
    client.force_login(people["binh"])
    assert client.get("/quan-tri/calendars/calendaroverride/").status_code == 403
