"""The sender's notices: the receipt with its answer date, and the status notice saying, by status, what
happened and what to do (forwarded: to whom and why; not accepted: why, and where a complaint or a
denunciation goes; merged: the item to follow; more information: what, and where to answer; extended: the
new date); the approved answer."""

from __future__ import annotations

import pytest
from django.core import mail

from motcua.feedback import services
from motcua.notifications.services import seed_default_templates

from .conftest import answer_it, regulation

# The notices are delivered after the commit: each test runs the services inside
# ``django_capture_on_commit_callbacks(execute=True)`` (``cb``) and reads the outbox after.


@pytest.fixture(autouse=True)
def mailbox(settings, db):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_NOTIFY_CHANNELS = {"email": {"BACKEND": "motcua.notifications.channels.email.EmailChannel",
                                                 "OPTIONS": {}}}
    settings.MOTCUA_NOTIFY_ORDER = ["email"]
    seed_default_templates()
    return mail.outbox


@pytest.fixture
def cb(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return django_capture_on_commit_callbacks


def last_to(address: str = "an@example.com") -> mail.EmailMessage:
    return [m for m in mail.outbox if m.to == [address]][-1]


def test_the_receipt_gives_the_code_the_answer_date_and_the_tracking_link(org, people, cb):
    with cb(execute=True):
        received = services.submit(regulation(agency=org["sxd"]), channel="web")
    message = last_to()
    assert received.code in message.subject
    assert f"{received.answer_due.astimezone(services.timezone.get_current_timezone()):%d/%m/%Y}" in message.body
    assert f"ma={received.code}&khoa={received.secret}" in message.body
    assert "Luật Khiếu nại" in message.body


def test_forwarding_says_to_whom_and_why(received, cb, people):
    with cb(execute=True):
        services.forward(received, people["binh"], to_name="UBND phường Xuân Hương - Đà Lạt",
                         reason="Trật tự xây dựng trên địa bàn do phường quản lý.")
    body = last_to().body
    assert "UBND phường Xuân Hương - Đà Lạt" in body and "Trật tự xây dựng trên địa bàn" in body


def test_a_rejection_gives_the_reason_and_points_a_complaint_to_its_law(received, cb, people):
    with cb(execute=True):
        services.reject(received, people["binh"], reason="Nội dung là khiếu nại quyết định hành chính.")
    body = last_to().body
    assert "Nội dung là khiếu nại quyết định hành chính." in body
    assert "Luật Khiếu nại, Luật Tố cáo" in body


def test_a_merged_item_names_the_item_to_follow(received, cb, org, people):
    with cb(execute=True):
        second = services.submit(regulation(agency=org["sxd"], email="an2@example.com"), channel="web")
        services.merge(second, people["binh"], into_code=received.code)
    body = last_to("an2@example.com").body
    assert f"/phan-anh/tra-cuu/?ma={received.code}" in body
    assert received.secret not in body  # the earlier sender's key is theirs alone


def test_a_request_for_information_says_what_and_where_to_answer(received, cb, people):
    item = services.classify(received, people["binh"], assignee_id=people["cuong"].pk)
    with cb(execute=True):
        services.request_info(item, people["cuong"], message="Cho biết số hồ sơ và ngày nộp.")
    body = last_to().body
    assert "Cho biết số hồ sơ và ngày nộp." in body and f"khoa={received.secret}" in body


def test_an_extension_gives_the_new_date(received, cb, people):
    item = services.classify(received, people["binh"])
    with cb(execute=True):
        item = services.extend(item, people["giang"], reason="Chờ ý kiến của Bộ Xây dựng.")
    message = last_to()
    assert "gia hạn" in message.subject
    assert f"{item.answer_due.astimezone(services.timezone.get_current_timezone()):%d/%m/%Y}" in message.body


def test_the_answer_goes_to_the_sender_in_english_when_they_wrote_in_english(org, people, cb):
    with cb(execute=True):
        item = services.submit(regulation(agency=org["sxd"], language="en"), channel="web")
        answer_it(item, people)
    message = last_to()
    assert message.subject == f"Answer to your feedback {item.code}"
    assert "Sở Xây dựng đã xem xét" in message.body
