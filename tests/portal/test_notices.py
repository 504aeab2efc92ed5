"""The applicant is told of every status change (Decree 224/2026 Art. 15), without blocking the officer."""

from __future__ import annotations

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
