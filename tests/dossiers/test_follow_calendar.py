"""One clock (issue 12 item 4): an official day off added, changed or removed through the admin or ``motcua
calendar import`` moves the open dossiers' dates, with one ``DATES_MOVED`` event and one notice to the
applicant each; ended dossiers keep theirs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.calendars.models import CalendarOverride
from motcua.dossiers import services
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Consultation, Dossier, DossierEvent, ProcessingStep
from motcua.dossiers.workflow import services as wf
from motcua.notifications import services as notify_services
from motcua.notifications.models import Message

from .workflow_helpers import construction_permit, in_progress, received, t

pytestmark = pytest.mark.django_db

MOVED = "dossier.due_date_moved"



@pytest.fixture
def dossiers(people, org, settings, run):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notify_services.seed_default_templates()
    construction_permit(org)
    working = run(in_progress, people, t(2026, 8, 3, 9, 0))  # 10 working days: due Monday 17/08 09:00
    c = run(wf.consult, people["cuong"], working, unit_code=org["other"].code, question="Ý kiến về PCCC?", days=3,
            at=t(2026, 8, 4, 10, 0))
    waiting = run(received, people, t(2026, 8, 4, 9, 0))  # received, not yet transferred: due Tuesday 18/08
    ended = run(in_progress, people, t(2026, 8, 3, 9, 0))
    ended = run(services.request_withdrawal, people["binh"], ended, "Người nộp đề nghị rút")
    ended = run(services.stop, people["binh"], ended, "")
    return {"working": working, "waiting": waiting, "ended": ended, "consultation": c}


def instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def fresh(d: Dossier) -> Dossier:
    return Dossier.objects.get(pk=d.pk)


def moved_events(d: Dossier) -> list[DossierEvent]:
    return list(DossierEvent.objects.filter(dossier=d, kind=EventKind.DATES_MOVED).order_by("seq"))


def notices(d: Dossier) -> list[Message]:
    return list(Message.objects.filter(object_id=str(d.pk), key=MOVED).order_by("id"))


def appraisal(d: Dossier) -> ProcessingStep:
    return ProcessingStep.objects.get(dossier=d, open=True, budget_amount=5)


def test_before_any_change(dossiers):
    assert fresh(dossiers["working"]).due_at == t(2026, 8, 17, 9, 0)
    assert fresh(dossiers["waiting"]).due_at == t(2026, 8, 18, 9, 0)
    assert appraisal(dossiers["working"]).due_at == t(2026, 8, 10, 9, 30)
    assert Consultation.objects.get().due_at == t(2026, 8, 7, 10, 0)
    assert fresh(dossiers["ended"]).status == Status.STOPPED


def check_moved_later(dossiers, people, actor) -> None:  # type: ignore[no-untyped-def]
    working, waiting, ended = (fresh(dossiers[k]) for k in ("working", "waiting", "ended"))
    # Friday 07/08 is now a day off: every open date that spans it is one working day later.
    assert working.due_at == t(2026, 8, 18, 9, 0)
    assert instant(working.clock["due_at"]) == t(2026, 8, 18, 9, 0)
    assert waiting.due_at == t(2026, 8, 19, 9, 0)
    assert appraisal(working).due_at == t(2026, 8, 11, 9, 30)
    assert Consultation.objects.get().due_at == t(2026, 8, 10, 10, 0)
    assert working.risk_at is not None
    for d, before, after in ((working, t(2026, 8, 17, 9, 0), t(2026, 8, 18, 9, 0)),
                             (waiting, t(2026, 8, 18, 9, 0), t(2026, 8, 19, 9, 0))):
        [event] = moved_events(d)
        assert event.actor == actor
        assert event.data["days"] == ["2026-08-07"]
        assert (instant(event.data["due_before"]), instant(event.data["due_at"])) == (before, after)
        [notice] = notices(d)
        assert "19/08/2026" in notice.body or "18/08/2026" in notice.body
        assert "07/08/2026" in notice.body
    # The stopped dossier keeps the dates it had: no event, no notice.
    assert ended.due_at == t(2026, 8, 17, 9, 0)
    assert moved_events(ended) == [] and notices(ended) == []


def test_a_day_off_added_in_the_admin_moves_the_open_dossiers_and_its_removal_moves_them_back(
        dossiers, people, run):
    client = Client()
    client.force_login(people["ha"])
    response = run(client.post, "/quan-tri/calendars/calendaroverride/add/", {
        "date": "2026-08-07", "kind": "day_off", "name": "Nghỉ bù", "name_en": "", "legal_reference":
        "Công văn 1/VPCP", "note": "", "calendar": ""})
    assert response.status_code == 302, response.content[:2000]
    check_moved_later(dossiers, people, people["ha"])

    row = CalendarOverride.objects.get(date=dt.date(2026, 8, 7))
    response = run(client.post, f"/quan-tri/calendars/calendaroverride/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    working, waiting = fresh(dossiers["working"]), fresh(dossiers["waiting"])
    assert working.due_at == t(2026, 8, 17, 9, 0) and waiting.due_at == t(2026, 8, 18, 9, 0)
    assert appraisal(working).due_at == t(2026, 8, 10, 9, 30)
    assert Consultation.objects.get().due_at == t(2026, 8, 7, 10, 0)
    for d in (working, waiting):
        events = moved_events(d)
        assert len(events) == 2 and events[1].actor == people["ha"]
        assert instant(events[1].data["due_at"]) == d.due_at
        assert len(notices(d)) == 2
    assert moved_events(dossiers["ended"]) == []


def test_a_day_off_imported_from_csv_moves_the_open_dossiers(dossiers, people, run, tmp_path):
    csv = tmp_path / "lich.csv"
    csv.write_text("date,kind,name\n2026-08-07,day_off,Nghỉ bù\n", encoding="utf-8")
    run(call_command, "calendar", "import", str(csv), "--user", "ha")
    check_moved_later(dossiers, people, people["ha"])

    # Changing the row to a working day moves them back, once more each.
    csv.write_text("date,kind,name\n2026-08-07,working_day,Làm việc\n", encoding="utf-8")
    run(call_command, "calendar", "import", str(csv))
    working = fresh(dossiers["working"])
    assert working.due_at == t(2026, 8, 17, 9, 0)
    # Without --user the event names the officer who received the dossier and made the promise.
    assert moved_events(working)[-1].actor == people["binh"]
    assert len(moved_events(working)) == 2 and len(notices(working)) == 2


def test_a_day_off_outside_every_open_interval_moves_nothing(dossiers, run):
    run(CalendarOverride.objects.create, date=dt.date(2026, 9, 30), kind="day_off", name="Ngày khác")
    assert DossierEvent.objects.filter(kind=EventKind.DATES_MOVED).count() == 0
    assert Message.objects.filter(key=MOVED).count() == 0


def test_a_day_off_of_one_agency_moves_only_the_dossiers_on_its_calendar(dossiers, org, run):
    from motcua.calendars.models import WorkingCalendar

    other = run(WorkingCalendar.objects.create, name="Sở NN&MT", org_unit=org["other"])
    sxd = run(WorkingCalendar.objects.create, name="Sở Xây dựng", org_unit=org["sxd"])
    assert DossierEvent.objects.filter(kind=EventKind.DATES_MOVED).count() == 0  # same hours: nothing moved
    run(CalendarOverride.objects.create, calendar=other, date=dt.date(2026, 8, 7), kind="day_off", name="Nghỉ")
    assert fresh(dossiers["working"]).due_at == t(2026, 8, 17, 9, 0)
    assert DossierEvent.objects.filter(kind=EventKind.DATES_MOVED).count() == 0
    run(CalendarOverride.objects.create, calendar=sxd, date=dt.date(2026, 8, 7), kind="day_off", name="Nghỉ")
    assert fresh(dossiers["working"]).due_at == t(2026, 8, 18, 9, 0)
    assert len(moved_events(dossiers["working"])) == 1 and len(notices(dossiers["working"])) == 1


def test_the_moved_date_is_the_date_the_dossier_is_judged_by(dossiers, run):
    """One clock (issue 13 item 3): the date a calendar change moved the officer's date to is the date the
    statistics judge by; before, they kept the receipt's date and counted the dossier late a day early."""
    from motcua.dossiers.workflow.classification import classify_dossier

    run(CalendarOverride.objects.create, date=dt.date(2026, 8, 7), kind="day_off", name="Nghỉ")
    working = fresh(dossiers["working"])
    assert working.due_at == t(2026, 8, 18, 9, 0)
    assert classify_dossier(working, at=t(2026, 8, 17, 12, 0))["outcome"] == "on_time"
    assert classify_dossier(working, at=t(2026, 8, 18, 10, 0))["outcome"] == "late"
