"""Delivery: preferred channel, fallback, retries with backoff, idempotency, and never blocking the caller."""

from __future__ import annotations

import datetime as dt
import io
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from motcua.notifications import defaults, services, tasks
from motcua.notifications.channels import DeliveryResult, memory
from motcua.notifications.models import DeliveryAttempt, Message
from motcua.notifications.services import Recipient

pytestmark = pytest.mark.django_db

STATUS = defaults.STATUS_CHANGED
CONTEXT = defaults.sample_context(STATUS)


def test_the_preferred_channel_is_used(templates, an, send):
    message = send(an, STATUS, CONTEXT, preferred=["sms"], subject_ref="dossier:G22.37-260706-0001")
    assert message.status == "sent"
    assert message.channel == "sms"
    assert message.plan == ["sms", "email"]
    assert [m.to for m in memory.outbox] == ["0912345678"]
    assert memory.outbox[0].body.startswith("Ho so G22.37-260706-0001")
    assert mail.outbox == []
    attempt = message.attempts.get()
    assert (attempt.number, attempt.channel, attempt.status) == (1, "sms", "sent")
    assert attempt.provider_id.startswith("memory-")
    assert attempt.sent_at is not None


def test_email_carries_the_rendered_subject_and_body(templates, an, send):
    message = send(an, STATUS, CONTEXT)
    assert message.channel == "email"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["an@example.com"]
    assert email.subject == "Hồ sơ G22.37-260706-0001: Đang xử lý"
    assert email.extra_headers["X-Motcua-Message"] == str(message.pk)
    assert message.attempts.get().provider_id == email.extra_headers["Message-ID"]


def test_a_failed_sms_falls_back_to_email_and_both_attempts_are_recorded(templates, an, send):
    memory.answer("sms", DeliveryResult.permanent("unknown subscriber", {"code": 14}))
    message = send(an, STATUS, CONTEXT, preferred=["sms"], subject_ref="dossier:G22.37-260706-0001")
    assert message.status == "sent"
    assert message.channel == "email"
    attempts = list(message.attempts.order_by("number"))
    assert [(a.number, a.channel, a.status) for a in attempts] == [(1, "sms", "failed"), (2, "email", "sent")]
    assert attempts[0].provider_response == {"code": 14}
    assert attempts[0].error == "unknown subscriber"
    assert attempts[0].failed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hồ sơ G22.37-260706-0001: Đang xử lý"


def test_the_recipients_own_order_applies_when_the_caller_gives_none(templates, send):
    zalo_first = Recipient(name="An", email="an@example.com", zalo_id="zl-1", preferred=("zalo",))
    message = send(zalo_first, STATUS, CONTEXT)
    assert message.plan == ["zalo", "email"]
    assert message.channel == "zalo"


def test_a_channel_without_an_address_is_skipped(templates, send):
    message = send(Recipient(name="An", phone="0912345678"), STATUS, CONTEXT, preferred=["email", "sms"])
    assert message.plan == ["sms"]
    assert message.channel == "sms"


def test_a_recipient_with_no_reachable_channel_is_recorded_as_failed(templates, send):
    message = send(Recipient(name="An"), STATUS, CONTEXT, subject_ref="dossier:X")
    assert message.status == "failed"
    assert "no channel" in message.error
    assert message.attempts.count() == 0


def test_a_transient_failure_is_retried_after_the_backoff_by_the_retry_command(templates, an, send):
    memory.answer("sms", DeliveryResult.transient("HTTP 503"), DeliveryResult.transient("HTTP 503"))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        message = send(an, STATUS, CONTEXT, preferred=["sms"])
    assert message.status == "queued"
    assert message.next_attempt_at == start + dt.timedelta(seconds=60)
    assert message.attempts.get().retryable

    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        call_command("notifications", "retry", stdout=io.StringIO())  # not due yet
    assert message.attempts.count() == 1

    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        out = io.StringIO()
        call_command("notifications", "retry", stdout=out)
        assert "1" in out.getvalue()
    message.refresh_from_db()
    assert message.attempts.count() == 2
    assert message.next_attempt_at == start + dt.timedelta(seconds=61 + 120)  # doubled

    with time_machine.travel(start + dt.timedelta(seconds=200), tick=False):
        call_command("notifications", "retry", "--inline", stdout=io.StringIO())
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.channel == "sms"
    assert [a.status for a in message.attempts.order_by("number")] == ["failed", "failed", "sent"]
    assert mail.outbox == []


def test_after_the_last_retry_the_next_channel_is_tried(templates, an, send):
    memory.answer("sms", *[DeliveryResult.transient("timeout")] * 3)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        message = send(an, STATUS, CONTEXT, preferred=["sms"])
    for minutes in (5, 15):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert services.retry_due() == 1
    message.refresh_from_db()
    assert message.status == "sent"
    assert [(a.channel, a.status) for a in message.attempts.order_by("number")] == [
        ("sms", "failed"), ("sms", "failed"), ("sms", "failed"), ("email", "sent")]


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPRecipientsRefused({"an@example.com": (550, b"no such user")})


def test_when_every_channel_fails_the_message_is_failed_with_the_reasons(templates, an, send, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingEmailBackend"
    memory.answer("sms", DeliveryResult.permanent("blocked"))
    message = send(an, STATUS, CONTEXT, preferred=["sms"])
    assert message.status == "failed"
    assert message.failed_at is not None
    assert message.next_attempt_at is None
    assert [a.channel for a in message.attempts.all()] == ["sms", "email"]
    assert services.retry_due() == 0


def test_running_the_task_twice_sends_once(templates, an, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = services.notify(an, STATUS, CONTEXT, preferred=["sms"])
    assert message is not None
    tasks.deliver_message.enqueue(message.pk)
    tasks.deliver_message.enqueue(message.pk)
    services.deliver(message.pk)
    assert len(memory.outbox) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


def test_a_message_being_sent_by_another_worker_is_left_alone(templates, an, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = services.notify(an, STATUS, CONTEXT, preferred=["sms"])
    assert message is not None
    claimed = services._claim(message.pk)  # another worker holds the lease and is talking to the provider
    assert claimed is not None
    assert services.deliver(message.pk) == "queued"
    assert memory.outbox == []
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):  # that worker died: lease expired
        services.retry_due()
    message.refresh_from_db()
    assert message.status == "sent"
    assert [(a.status, a.error) for a in message.attempts.order_by("number")] == [
        ("failed", "interrupted: outcome unknown"), ("sent", "")]


def test_nothing_is_sent_before_the_callers_transaction_commits(templates, an, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        services.notify(an, STATUS, CONTEXT)
        assert mail.outbox == []
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


class _Exploding:
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        pass

    def send(self, message):  # type: ignore[no-untyped-def]
        raise RuntimeError("provider library bug")


def test_a_channel_that_raises_does_not_reach_the_caller(templates, an, send, settings):
    settings.MOTCUA_NOTIFY_CHANNELS = {**settings.MOTCUA_NOTIFY_CHANNELS,
                                       "sms": {"BACKEND": f"{__name__}._Exploding"}}
    message = send(an, STATUS, CONTEXT, preferred=["sms"])
    attempt = message.attempts.get()
    assert attempt.status == "failed"
    assert attempt.retryable
    assert "provider library bug" in attempt.error


def test_notify_never_raises_into_the_callers_action(templates, an, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "_create_message", broken)
    with transaction.atomic():
        assert services.notify(an, STATUS, CONTEXT) is None
        assert Message.objects.count() == 0  # the caller's transaction still works


def test_a_failed_enqueue_leaves_the_message_due_for_the_retry_command(templates, an, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    class Refusing:
        def enqueue(self, *args):  # type: ignore[no-untyped-def]
            raise ConnectionError("task broker down")

    monkeypatch.setattr(tasks, "deliver_message", Refusing())
    with django_capture_on_commit_callbacks(execute=True):
        message = services.notify(an, STATUS, CONTEXT)
    assert message is not None
    monkeypatch.undo()
    assert mail.outbox == []
    assert services.retry_due(inline=True) == 1
    assert len(mail.outbox) == 1


def test_the_related_object_is_kept_as_evidence(templates, an, send, people):
    message = send(an, STATUS, CONTEXT, related_object=people["an"])
    assert message.related_object == people["an"]
    assert message.subject_ref == f"accounts.user:{people['an'].pk}"


def test_a_recipient_can_be_built_from_a_user(people):
    user = people["an"]
    user.email, user.phone, user.preferred_language = "an@example.com", "0912345678", "en"
    recipient = Recipient.from_user(user, preferred=("sms",))
    assert recipient == Recipient(name="Nguyễn Văn An", email="an@example.com", phone="0912345678", language="en",
                                  preferred=("sms",))


def test_with_a_backend_that_defers_the_retry_is_queued_for_when_it_is_due(templates, an, settings,
                                                                            django_capture_on_commit_callbacks):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        message = services.notify(an, STATUS, CONTEXT, preferred=["sms"])
    assert message is not None
    memory.answer("sms", DeliveryResult.transient("HTTP 502"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver(message.pk) == "queued"
    message.refresh_from_db()
    results = default_task_backend.results  # type: ignore[attr-defined]
    assert [r.args for r in results] == [[message.pk], [message.pk]]
    assert results[0].task.run_after is None
    assert results[1].task.run_after == message.next_attempt_at


def test_the_senders_name_replaces_the_display_name_of_the_configured_address():
    from motcua.notifications.channels.email import sender

    assert sender("noreply@sxd.lamdong.gov.vn", "") == "noreply@sxd.lamdong.gov.vn"
    assert sender("Một cửa <noreply@sxd.lamdong.gov.vn>", 'Sở Xây dựng "tỉnh" Lâm Đồng') == (
        '"Sở Xây dựng tỉnh Lâm Đồng" <noreply@sxd.lamdong.gov.vn>')
