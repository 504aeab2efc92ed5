"""Deadline records: the clock operations through the services, and the recompute on calendar change."""

import datetime as dt

import pytest

from motcua.calendars import clock, services
from motcua.calendars.models import CalendarOverride, Deadline, WorkingCalendar, WorkingPeriod
from motcua.calendars.signals import deadline_changed
from motcua.core.errors import DomainError

pytestmark = pytest.mark.django_db
VN = clock.VN_TZ


def at(y, m, d, hh=0, mm=0):  # type: ignore[no-untyped-def]
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture
def received():  # type: ignore[no-untyped-def]
    events = []

    def listener(sender, deadline, old_due, new_due, reason, **kwargs):  # type: ignore[no-untyped-def]
        events.append((deadline.owner_id, old_due, new_due, reason, kwargs.get("dates")))

    deadline_changed.connect(listener)
    yield events
    deadline_changed.disconnect(listener)


def test_open_pause_resume_restart_extend_close():
    d, change = services.open_deadline("dossiers.dossier", 1, at(2026, 3, 9, 8), 3, "working_days")
    assert d.due_at == at(2026, 3, 11, 17) and change.reason == "started"
    change = services.pause_deadline(d, at(2026, 3, 10, 8))
    d.refresh_from_db()
    assert d.due_at is None and d.paused_at is not None and d.remaining_seconds == 16 * 3600
    services.resume_deadline(d, at(2026, 3, 16, 8))
    d.refresh_from_db()
    assert d.due_at == at(2026, 3, 17, 17) and d.reason == "resumed"
    services.restart_deadline(d, at(2026, 3, 18, 8))
    assert d.due_at == at(2026, 3, 20, 17) and d.remaining_seconds is None
    services.extend_deadline(d, at(2026, 3, 18, 9), at(2026, 3, 27, 17))
    assert d.extended and d.due_at == at(2026, 3, 27, 17)
    with pytest.raises(DomainError) as info:
        services.extend_deadline(d, at(2026, 3, 18, 9), at(2026, 4, 3, 17))
    assert info.value.code == "already_extended"
    services.close_deadline(d)
    with pytest.raises(DomainError):
        services.pause_deadline(d, at(2026, 3, 19))


def test_a_new_day_off_moves_the_deadlines_it_falls_into(received, django_capture_on_commit_callbacks):
    inside, _ = services.open_deadline("dossiers.dossier", "in", at(2026, 3, 9, 8), 5, "working_days")
    before, _ = services.open_deadline("dossiers.dossier", "before", at(2026, 3, 2, 8), 2, "working_days")
    after, _ = services.open_deadline("dossiers.dossier", "after", at(2026, 3, 12, 8), 1, "working_days")
    paused, _ = services.open_deadline("dossiers.dossier", "paused", at(2026, 3, 9, 8), 5, "working_days")
    services.pause_deadline(paused, at(2026, 3, 9, 9))
    closed, _ = services.open_deadline("dossiers.dossier", "closed", at(2026, 3, 9, 8), 5, "working_days")
    services.close_deadline(closed)
    assert inside.due_at == at(2026, 3, 13, 17)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.save_override(CalendarOverride(date=dt.date(2026, 3, 11), kind="day_off", name="Nghỉ đột xuất"))
    assert len(callbacks) == 1

    inside.refresh_from_db()
    assert inside.due_at == at(2026, 3, 16, 17) and inside.reason == "calendar_changed"
    assert Deadline.objects.get(pk=before.pk).due_at == before.due_at
    assert Deadline.objects.get(pk=after.pk).due_at == after.due_at
    assert received == [("in", at(2026, 3, 13, 17), at(2026, 3, 16, 17), "calendar_changed", ["2026-03-11"])]


def test_removing_and_changing_an_override_recomputes_both_dates(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = services.save_override(CalendarOverride(date=dt.date(2026, 3, 11), kind="day_off", name="X"))
    d, _ = services.open_deadline("t", 1, at(2026, 3, 9, 8), 5, "working_days")
    assert d.due_at == at(2026, 3, 16, 17)
    with django_capture_on_commit_callbacks(execute=True):
        row.date = dt.date(2026, 3, 20)  # moved outside the interval: the 11th is worked again
        services.save_override(row)
    d.refresh_from_db()
    assert d.due_at == at(2026, 3, 13, 17)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_override(CalendarOverride(date=dt.date(2026, 3, 14), kind="working_day", name="Làm bù"))
    d.refresh_from_db()
    assert d.due_at == at(2026, 3, 13, 17)  # a Saturday after the due date changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        CalendarOverride.objects.get(date=dt.date(2026, 3, 14)).delete()
        services.save_override(CalendarOverride(date=dt.date(2026, 3, 13), kind="day_off", name="Y"))
    d.refresh_from_db()
    assert d.due_at == at(2026, 3, 16, 17)
    assert [e[0] for e in received] == ["1", "1"]


def test_an_import_enqueues_one_recompute(django_capture_on_commit_callbacks):
    d, _ = services.open_deadline("t", 1, at(2025, 12, 31, 17), 1, "working_days")
    assert d.due_at == at(2026, 1, 2, 17)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.import_overrides_text("date,kind,name\n2026-01-02,day_off,Nghỉ\n2026-01-10,working_day,Làm bù\n")
    assert len(callbacks) == 1
    d.refresh_from_db()
    assert d.due_at == at(2026, 1, 5, 17)


def test_new_office_hours_recompute_everything(django_capture_on_commit_callbacks):
    d, _ = services.open_deadline("t", 1, at(2026, 3, 9, 8), 1, "working_days")
    with django_capture_on_commit_callbacks(execute=True):
        calendar = WorkingCalendar.objects.create(name="Mặc định")
        for wd in range(5):
            WorkingPeriod.objects.create(calendar=calendar, weekday=wd, start=dt.time(7), end=dt.time(11))
            WorkingPeriod.objects.create(calendar=calendar, weekday=wd, start=dt.time(13), end=dt.time(17))
    d.refresh_from_db()
    # From 08:00: 3 h to 11:00 and 4 h from 13:00 to 17:00, the last hour on Tuesday from 07:00.
    assert d.due_at == at(2026, 3, 10, 8)


def test_recompute_is_idempotent():
    services.open_deadline("t", 1, at(2026, 3, 9, 8), 5, "working_days")
    CalendarOverride.objects.bulk_create([CalendarOverride(date=dt.date(2026, 3, 11), kind="day_off", name="X")])
    services.bump_revision()
    assert services.recompute_deadlines([dt.date(2026, 3, 11)]) == 1
    assert services.recompute_deadlines([dt.date(2026, 3, 11)]) == 0
    assert services.recompute_deadlines(None) == 0
