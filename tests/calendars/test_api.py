"""The public calendar API: anonymous, a user without any calendar right, and an administrator."""

import datetime as dt

import pytest
from django.test import Client

from motcua.calendars.models import CalendarOverride, WorkingCalendar, WorkingPeriod

pytestmark = pytest.mark.django_db


@pytest.fixture
def callers(client_for, token_for):  # type: ignore[no-untyped-def]
    return {
        "anonymous": (Client(), {}),
        "citizen": (client_for("an"), {}),
        "admin": (Client(), {"HTTP_AUTHORIZATION": token_for("ha")}),
    }


@pytest.mark.parametrize("who", ["anonymous", "citizen", "admin"])
def test_due_is_public_and_explains_itself(callers, who):
    client, headers = callers[who]
    response = client.get("/api/v1/calendar/due", {"start": "2026-02-13T10:00:00+07:00", "amount": "3",
                                                   "unit": "working_days"}, **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["due_at"] == "2026-02-25T10:00:00+07:00"
    assert body["effective_start"] == "2026-02-13T10:00:00+07:00"
    assert body["unit"] == "working_days" and body["policy"] == "working_hours"
    assert body["amount"] in ("3", 3, 3.0)
    assert [s["date"] for s in body["skipped"]] == [f"2026-02-{d}" for d in range(16, 21)]
    assert body["skipped"][1]["name"] == "Tết Nguyên Đán"


def test_due_without_offset_is_local_and_utc_is_converted(client):
    local = client.get("/api/v1/calendar/due", {"start": "2026-03-09T09:00", "amount": "1",
                                                "unit": "working_hours"}).json()
    utc = client.get("/api/v1/calendar/due", {"start": "2026-03-09T02:00:00Z", "amount": "1",
                                              "unit": "working_hours"}).json()
    assert local["due_at"] == utc["due_at"] == "2026-03-09T10:00:00+07:00"
    assert utc["start"] == "2026-03-09T09:00:00+07:00"


def test_due_names_follow_the_language(client):
    response = client.get("/api/v1/calendar/due", {"start": "2026-04-24T09:00", "amount": "1",
                                                   "unit": "working_days"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["skipped"][1]["name"] == "Hung Kings' Commemoration Day (observed)"


def test_due_policy_end_of_day_and_days(client):
    eod = client.get("/api/v1/calendar/due", {"start": "2026-03-06T16:00", "amount": "1",
                                              "unit": "working_days", "policy": "end_of_day"}).json()
    assert eod["due_at"] == "2026-03-09T17:00:00+07:00"
    days = client.get("/api/v1/calendar/due", {"start": "2026-02-06T09:00", "amount": "10",
                                               "unit": "days"}).json()
    assert days["due_at"] == "2026-02-23T17:00:00+07:00"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "tomorrow", "amount": "1", "unit": "working_days"}, "invalid_start"),
        ({"start": "2026-13-45T10:00", "amount": "1", "unit": "working_days"}, "invalid_start"),
        ({"start": "2026-03-09T10:00", "amount": "-1", "unit": "working_days"}, "invalid_amount"),
        ({"start": "2026-03-09T10:00", "amount": "abc", "unit": "working_days"}, "invalid_amount"),
        ({"start": "2026-03-09T10:00", "amount": "inf", "unit": "working_days"}, "invalid_amount"),
        ({"start": "2026-03-09T10:00", "amount": "1", "unit": "fortnights"}, "invalid_unit"),
        ({"start": "2026-03-09T10:00", "amount": "1", "unit": "working_days", "policy": "x"}, "invalid_policy"),
        ({"start": "2026-03-09T10:00", "amount": "1", "unit": "working_days", "agency": "NOPE"},
         "unknown_agency"),
        ({"start": "0001-01-01T10:00", "amount": "1", "unit": "working_days"}, "out_of_range"),
        ({"start": "2026-03-09T10:00", "amount": "99999999", "unit": "working_days"}, "invalid_amount"),
        ({"amount": "1", "unit": "working_days"}, "invalid_input"),
    ],
)
def test_bad_input_is_a_400_in_the_error_format(client, params, code):
    response = client.get("/api/v1/calendar/due", params)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_due_uses_the_agency_calendar(client, org):
    calendar = WorkingCalendar.objects.create(name="Sở Xây dựng", org_unit=org["sxd"])
    for wd in range(6):  # the desk also works Saturday mornings
        WorkingPeriod.objects.create(calendar=calendar, weekday=wd, start=dt.time(7, 30), end=dt.time(11, 30))
    body = client.get("/api/v1/calendar/due", {"start": "2026-03-13T11:00", "amount": "1",
                                               "unit": "working_hours", "agency": "T.SXD.P2"}).json()
    assert body["due_at"] == "2026-03-14T08:00:00+07:00"  # a division inherits its agency's hours


@pytest.mark.parametrize("who", ["anonymous", "citizen", "admin"])
def test_days_lists_every_date(callers, who):
    client, headers = callers[who]
    response = client.get("/api/v1/calendar/days", {"from": "2024-04-27", "to": "2024-05-05"}, **headers)
    assert response.status_code == 200, response.content
    days = {d["date"]: d for d in response.json()["days"]}
    assert response.json()["count"] == 9
    assert days["2024-04-27"] == {"date": "2024-04-27", "is_working_day": False, "kind": "weekend", "name": None}
    assert days["2024-04-29"]["is_working_day"] is False and days["2024-04-29"]["name"]
    assert days["2024-05-02"] == {"date": "2024-05-02", "is_working_day": True, "kind": "weekday", "name": None}
    assert days["2024-05-04"]["is_working_day"] is True
    assert days["2024-05-04"]["kind"] == "swapped_working_day" and days["2024-05-04"]["name"]


def test_days_follow_the_override_table(client):
    CalendarOverride.objects.create(date=dt.date(2026, 3, 9), kind="day_off", name="Nghỉ hoán đổi")
    CalendarOverride.objects.create(date=dt.date(2026, 3, 14), kind="working_day", name="Làm bù")
    days = {d["date"]: d for d in client.get("/api/v1/calendar/days",
                                             {"from": "2026-03-08", "to": "2026-03-14"}).json()["days"]}
    assert days["2026-03-09"]["is_working_day"] is False and days["2026-03-09"]["name"] == "Nghỉ hoán đổi"
    assert days["2026-03-14"]["is_working_day"] is True and days["2026-03-14"]["kind"] == "override_working_day"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-01-01", "to": "2027-01-02"}, "range_too_long"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "invalid_range"),
        ({"from": "01/01/2026", "to": "2026-01-31"}, "invalid_date"),
        ({"from": "2026-01-01", "to": "soon"}, "invalid_date"),
        ({"from": "2026-01-01"}, "invalid_input"),
        ({"from": "1900-01-01", "to": "1900-01-31"}, "out_of_range"),
    ],
)
def test_days_bad_input_is_a_400(client, params, code):
    response = client.get("/api/v1/calendar/days", params)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code


def test_a_full_year_is_allowed(client):
    response = client.get("/api/v1/calendar/days", {"from": "2024-01-01", "to": "2024-12-31"})
    assert response.status_code == 200
    assert response.json()["count"] == 366


def test_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/calendar/due" in paths and "/api/v1/calendar/days" in paths
    assert "400" in paths["/api/v1/calendar/due"]["get"]["responses"]
