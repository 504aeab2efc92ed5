"""The applicant is told of every status change (Decree 224/2026 Art. 15), without blocking the officer."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import Status
from motcua.notifications.models import Message
from motcua.portal import services

from .conftest import submit, to_returned

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``with after_commit():`` runs what the block defers to its commits (the dispatcher sends notices)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_every_status_change_sends_a_notice_tied_to_the_dossier(people, procedure, templates, after_commit):
    with after_commit():
        dossier = to_returned(people)
    messages = list(Message.objects.filter(object_id=str(dossier.pk)).order_by("id"))
    assert [m.key for m in messages] == ["dossier.status_changed", "dossier.received", "dossier.status_changed",
                                         "dossier.status_changed", "dossier.result_ready"]
    assert all(m.addresses.get("email") == "an@example.vn" for m in messages)
    received = messages[1]
    assert "Trần Thị Bình" in received.body and dossier.code in received.body
    assert "https://motcua.example.gov.vn/tra-cuu?code=" in received.body


def test_notices_follow_the_applicants_language_and_channel_order(people, procedure, templates, after_commit):
    an = people["an"]
    an.preferred_language = "en"
    an.save()
    services.set_contact_preference(an, ["sms", "email"])
    with after_commit():
        dossier = submit(people)
    message = Message.objects.get(object_id=str(dossier.pk))
    assert message.language == "en" and message.plan[0] == "sms"


def test_a_supplement_request_lists_what_is_missing(people, procedure, templates, after_commit):
    dossier = submit(people)
    with after_commit():
        dossier_services.request_supplement(people["binh"], dossier, [dossier_services.MissingItem(
            "Bản vẽ thiết kế", "Thiếu chữ ký")])
    message = Message.objects.filter(object_id=str(dossier.pk)).order_by("-id").first()
    assert message is not None and message.key == "dossier.supplement_requested"
    assert "Bản vẽ thiết kế" in message.body


def test_a_broken_notice_does_not_block_the_officer(people, procedure, templates, monkeypatch, after_commit):
    dossier = submit(people)

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("template store down")

    monkeypatch.setattr(services, "notify", boom)
    with after_commit():
        accepted = dossier_services.accept(people["binh"], dossier)
    assert accepted.status == Status.RECEIVED
    accepted.refresh_from_db()
    assert accepted.status == Status.RECEIVED


def test_a_desk_dossier_without_account_is_notified_too(people, procedure, templates, after_commit):
    from .conftest import intake

    with after_commit():
        dossier = dossier_services.receive_at_desk(people["binh"], intake())
    message = Message.objects.get(object_id=str(dossier.pk))
    assert message.key == "dossier.received" and message.language == "vi"


def test_a_supplement_notice_gives_each_items_reason_and_the_cover_note_apart(people, procedure, templates,
                                                                             after_commit):
    dossier = submit(people)
    with after_commit():
        dossier_services.request_supplement(people["binh"], dossier, [dossier_services.MissingItem(
            "Bản vẽ thiết kế", "thiếu bản vẽ mặt bằng móng và mặt cắt")], "Đề nghị nộp bổ sung một lần.")
    message = Message.objects.filter(object_id=str(dossier.pk)).order_by("-id").first()
    assert message is not None and message.key == "dossier.supplement_requested"
    assert "1. Bản vẽ thiết kế: thiếu bản vẽ mặt bằng móng và mặt cắt\n" in message.body
    assert "Ý kiến của cán bộ: Đề nghị nộp bổ sung một lần." in message.body
    assert "Lý do" not in message.body


def test_a_supplement_notice_names_the_document_of_the_list_its_problem_and_the_deadline(
        people, procedure, templates, after_commit):
    dossier = submit(people)
    with after_commit():
        dossier_services.request_supplement(people["binh"], dossier, [dossier_services.MissingItem(
            "", "thiếu mặt cắt", order=2, kind="wrong")], respond_working_days=2)
    message = Message.objects.filter(object_id=str(dossier.pk)).order_by("-id").first()
    assert message is not None
    assert "1. Bản vẽ thiết kế: Sai — thiếu mặt cắt\n" in message.body
    assert "Hạn bổ sung: hết ngày " in message.body


def test_the_e_mail_comes_from_the_agency_at_the_configured_address(people, procedure, templates, settings,
                                                                    after_commit, mailoutbox):
    settings.DEFAULT_FROM_EMAIL = "noreply@dichvucong.lamdong.gov.vn"
    with after_commit():
        dossier = submit(people)
    assert mailoutbox, "the notice was e-mailed"
    sent = mailoutbox[-1]
    agency = (dossier.processing_unit.agency() or dossier.processing_unit).name
    assert sent.from_email == f'"{agency}" <noreply@dichvucong.lamdong.gov.vn>'
    assert str(make_header(decode_header(sent.message()["From"]))) == (
        f"{agency} <noreply@dichvucong.lamdong.gov.vn>")
    assert Message.objects.get(object_id=str(dossier.pk)).sender_name == agency


def test_the_status_notice_names_the_processing_unit_not_the_desk_officer(people, procedure, templates,
                                                                         after_commit):
    dossier = dossier_services.accept(people["binh"], submit(people))
    with after_commit():
        dossier = dossier_services.transfer(people["binh"], dossier)
    message = Message.objects.filter(object_id=str(dossier.pk), key="dossier.status_changed").order_by("-id")[0]
    processing = next(line for line in message.body.splitlines() if line.startswith("Xử lý:"))
    assert "Trần Thị Bình" not in processing
    dossier.refresh_from_db()
    assert (dossier.current_unit or dossier.processing_unit).name in processing
    if dossier.assigned_to is not None:
        assert dossier.assigned_to.get_full_name() in processing


def test_the_processing_officer_is_the_one_assigned_not_the_one_who_acted(people, procedure, templates):
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.portal import selectors

    dossier = dossier_services.transfer(people["binh"], dossier_services.accept(people["binh"], submit(people)))
    Dossier.objects.filter(pk=dossier.pk).update(assigned_to=people["cuong"])
    dossier.refresh_from_db()
    event = DossierEvent.objects.filter(dossier=dossier, status_after=Status.IN_PROGRESS).get()
    assert event.actor == people["binh"]
    context = selectors.notice_context(dossier, event)
    assert context["processing_officer"] == "Lê Văn Cường"
    assert context["processing_unit"] == (dossier.current_unit or dossier.processing_unit).name
