"""One path for every notice about a dossier: the event receiver, through motcua.notifications, with delivery
records. The late flag and the apology reminder reach the officer and the division in charge, the escalation
the leaders, the apology the applicant (Decree 61/2018 Art. 19(9)); ``dispatch.withhold()`` silences notices
and the statistics refresh; no event is notified twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from motcua.dossiers import dispatch, services
from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import Dossier, PendingDispatch
from motcua.dossiers.workflow import late
from motcua.dossiers.workflow import services as wf
from motcua.notifications import services as notify_services
from motcua.notifications.choices import AttemptStatus, MessageStatus
from motcua.notifications.models import DeliveryAttempt, Message

from .workflow_helpers import construction_permit, in_progress, received, t

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people, org, settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notify_services.seed_default_templates()
    construction_permit(org)
    for name in ("cuong", "dung", "giang", "binh"):
        people[name].email = f"{name}@sxd.example.vn"
        people[name].save(update_fields=["email"])
    return people



def notices(d: Dossier, key: str) -> list[Message]:
    return list(Message.objects.filter(object_id=str(d.pk), key=key).order_by("id"))


def late_dossier(people, run) -> Dossier:  # type: ignore[no-untyped-def]
    d = run(in_progress, people, t(2026, 8, 3, 9, 0))  # due Monday 17/08 09:00
    run(wf.claim, people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    d.refresh_from_db()
    return d


def test_a_tick_that_flags_a_dossier_late_tells_the_officer_and_reminds_the_division(staff, run):
    d = late_dossier(staff, run)
    assert d.risk_at is not None
    sent_before = len(mail.outbox)
    report = run(late.tick, d.risk_at + dt.timedelta(minutes=1))
    assert report.flagged == 1
    [flag] = notices(d, "dossier.late_flagged")
    assert flag.recipient_name == "Lê Văn Cường" and flag.addresses["email"] == "cuong@sxd.example.vn"
    assert flag.subject_ref == f"dossier:{d.code}"
    # The limit of Decree 61/2018 Art. 19(9): the close of Friday 14/08, the last working day before the due date.
    assert "17:00 14/08/2026" in flag.body and "Điều 19" in flag.body and f"/ho-so/{d.code}/" in flag.body
    [reminder] = notices(d, "dossier.apology_reminder")
    assert reminder.recipient_name == "Phạm Thị Dung" and "Lê Văn Cường" in reminder.body
    for message in (flag, reminder):
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert DeliveryAttempt.objects.get(message=message).status == AttemptStatus.SENT
    assert sorted(m.to[0] for m in mail.outbox[sent_before:]) == ["cuong@sxd.example.vn", "dung@sxd.example.vn"]
    # The applicant is not told of the flag: it changes no status, and the apology is the applicant's notice.
    assert not Message.objects.filter(object_id=str(d.pk), addresses__email="an@example.vn",
                                      created_at__gte=flag.created_at).exists()


def test_the_escalation_reaches_the_director_and_the_division_head_once(staff, run):
    d = late_dossier(staff, run)
    run(late.tick, d.risk_at + dt.timedelta(minutes=1))  # type: ignore[operator]
    assert run(late.tick, t(2026, 8, 14, 9, 0)).escalated == 0  # the apology may still come today
    assert run(late.tick, t(2026, 8, 15, 9, 0)).escalated == 1
    escalations = notices(d, "dossier.escalated")
    assert sorted(m.recipient_name for m in escalations) == ["Hoàng Văn Giang", "Phạm Thị Dung"]
    assert all(m.status == MessageStatus.SENT for m in Message.objects.filter(pk__in=[m.pk for m in escalations]))
    assert "17:00 14/08/2026" in escalations[0].body  # the limit that passed without an apology
    before = Message.objects.count()
    run(late.tick, t(2026, 8, 15, 9, 5))
    run(late.tick, t(2026, 8, 17, 9, 5))
    assert Message.objects.count() == before  # each event is notified once; the tick is idempotent


def test_an_overdue_opinion_tells_the_officer_who_asked(staff, org, run):
    construction_permit(org, code="1.099999")  # not under Art. 54: no deemed consent
    d = run(received, staff, t(2026, 8, 3, 9, 0), code="1.099999")
    d = run(services.transfer, staff["binh"], d, at=t(2026, 8, 3, 9, 30))
    run(wf.claim, staff["cuong"], d, at=t(2026, 8, 3, 9, 45))
    run(wf.consult, staff["cuong"], d, unit_code="T.SNN", question="Ý kiến?", days=2, at=t(2026, 8, 3, 10, 0))
    assert run(late.tick, t(2026, 8, 6, 9, 0)).consultations_late == 1
    [message] = notices(d, "dossier.consultation_late")
    assert message.recipient_name == "Lê Văn Cường" and "Sở Nông nghiệp và Môi trường" in message.body


def test_the_applicant_gets_the_apology_and_new_date_once_and_no_status_notice(staff, run):
    d = late_dossier(staff, run)
    before = Message.objects.filter(object_id=str(d.pk)).count()
    run(wf.draft_apology, staff["cuong"], d, reason="Chờ ý kiến cơ quan phòng cháy",
        new_due_at=t(2026, 8, 21, 16, 0), at=t(2026, 8, 14, 15, 0))
    # A draft is not the letter: the applicant hears of it once the head of the agency has signed it.
    assert Message.objects.filter(object_id=str(d.pk)).count() == before
    run(wf.approve_apology, staff["dung"], d, at=t(2026, 8, 14, 15, 30))
    assert Message.objects.filter(object_id=str(d.pk)).count() == before
    run(wf.sign_apology, staff["giang"], d, at=t(2026, 8, 14, 16, 0), issue_form=False)
    added = list(Message.objects.filter(object_id=str(d.pk)).order_by("id"))[before:]
    assert [m.key for m in added] == ["dossier.apology"]
    apology = added[0]
    assert apology.addresses["email"] == "an@example.vn"
    apology.refresh_from_db()
    assert apology.status == MessageStatus.SENT
    assert "16:00 21/08/2026" in apology.body and "09:00 17/08/2026" in apology.body
    assert "Chờ ý kiến cơ quan phòng cháy" in apology.body


def test_every_event_is_notified_once(staff, run):
    """One event, one notice: the receiver is the only sender."""
    d = run(received, staff, t(2026, 8, 3, 9, 0))
    run(services.transfer, staff["binh"], d, at=t(2026, 8, 3, 9, 30))
    keys = [m.key for m in Message.objects.filter(object_id=str(d.pk)).order_by("id")]
    assert keys == ["dossier.received", "dossier.status_changed"]
    run(services.request_withdrawal, staff["binh"], d, at=t(2026, 8, 3, 10, 0))
    assert Message.objects.filter(object_id=str(d.pk)).count() == 3


def test_withheld_events_make_no_notice_and_no_statistics_refresh(staff, run):
    from motcua.stats.models import DossierFact

    with dispatch.withhold():
        with dispatch.withhold():  # nests
            d = run(in_progress, staff, t(2026, 8, 3, 9, 0))
        run(wf.claim, staff["cuong"], d, at=t(2026, 8, 3, 9, 45))
        d.refresh_from_db()
        assert run(late.tick, d.risk_at + dt.timedelta(minutes=1)).flagged == 1  # type: ignore[operator]
    assert d.events.filter(kind=EventKind.LATE_FLAGGED).exists()
    assert Message.objects.count() == 0 and not DossierFact.objects.exists()
    assert not PendingDispatch.objects.exists()
    # Outside, both react again.
    run(services.request_withdrawal, staff["binh"], d, "Người nộp đề nghị rút hồ sơ", at=t(2026, 8, 5, 9, 0))
    assert DossierFact.objects.filter(dossier_id=d.pk).exists()
    assert [m.key for m in Message.objects.all()] == ["dossier.status_changed"]
    assert not PendingDispatch.objects.exists()


def test_a_committed_event_whose_handlers_never_ran_is_handled_by_the_tick(staff, django_capture_on_commit_callbacks):
    """The process dies after the commit, before the commit hook: the pending rows stay, the tick sends."""
    with django_capture_on_commit_callbacks(execute=False):
        d = received(staff, t(2026, 8, 3, 9, 0))
    assert Message.objects.count() == 0
    assert PendingDispatch.objects.filter(event__dossier=d).count() >= 2  # notice and statistics
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.sweep(grace=dt.timedelta(0)) >= 2
    assert [m.key for m in Message.objects.filter(object_id=str(d.pk))] == ["dossier.received"]
    assert not PendingDispatch.objects.exists()
    assert dispatch.sweep(grace=dt.timedelta(0)) == 0  # handled once


def test_a_failing_handler_leaves_its_row_for_the_next_sweep(staff, run):
    calls: list[int] = []

    def flaky(event: dispatch.Event) -> None:
        calls.append(event.id)
        if len(calls) == 1:
            raise RuntimeError("down")

    dispatch.register("tests.flaky", flaky, kinds=[EventKind.CREATED])
    try:
        d = run(received, staff, t(2026, 8, 3, 9, 0))
        row = PendingDispatch.objects.get(handler="tests.flaky")
        assert row.attempts == 1 and row.event.dossier_id == d.pk
        assert dispatch.sweep(grace=dt.timedelta(0)) == 1
        assert len(calls) == 2 and not PendingDispatch.objects.exists()
    finally:
        dispatch._registry.pop("tests.flaky")


def test_the_demo_withholds_rather_than_disconnects(staff, monkeypatch):
    import io

    from django.db.models.signals import post_save

    from motcua.dossiers import demo
    from motcua.stats import demo as stats_demo
    from motcua.stats.models import DossierFact

    def no_disconnect(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the demo disconnects a receiver")

    monkeypatch.setattr(post_save, "disconnect", no_disconnect)
    monkeypatch.setattr(demo, "CODES", ("1.013236",))
    monkeypatch.setattr(demo, "AGENCY", "T.SXD")
    monkeypatch.setattr(demo._Sim, "consult_unit", "T.SNN")
    demo.seed(io.StringIO(), count=12)
    assert Dossier.objects.count() == 12 + 2  # and the pair withdrawn and filed again (seed_resubmission)
    assert Message.objects.count() == 0 and not PendingDispatch.objects.exists()
    assert not DossierFact.objects.exists()
    stats_demo.seed(io.StringIO())  # the statistics step rebuilds once
    assert DossierFact.objects.exists()


def test_the_handlers_run_off_the_request_in_the_tasks_worker(staff, run, settings):
    """With the database tasks backend (production, ``make run``) the officer's commit only enqueues tasks;
    the notice is made when the worker runs it (here: the task run by hand, as ``db_worker`` does)."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    d = run(received, staff, t(2026, 8, 3, 9, 0))
    assert not Message.objects.filter(object_id=str(d.pk)).exists()
    assert PendingDispatch.objects.filter(event__dossier=d).exists()
    queued = DBTaskResult.objects.filter(task_path="motcua.dossiers.dispatch.handle_events")
    assert queued.exists()  # one per event appended
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    for result in queued:
        run(dispatch.handle_events.call, *result.args_kwargs["args"])
    assert [m.key for m in Message.objects.filter(object_id=str(d.pk))] == ["dossier.received"]
    assert not PendingDispatch.objects.filter(event__dossier=d).exists()
