"""``GET /api/v1/notifications?subject=`` (for those who may read the subject) and the receipt webhook."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.notifications import defaults, selectors
from motcua.notifications.channels import memory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.urls")]

URL = "/api/v1/notifications"


@pytest.fixture
def dossier(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    """A dossier received at the desk of Sở Xây dựng: the subject of the notices."""
    from motcua.dossiers import services as dossier_services
    from tests.dossiers.conftest import intake, make_procedure

    settings.MEDIA_ROOT = tmp_path / "media"
    make_procedure(org)
    return dossier_services.receive_at_desk(people["binh"], intake())


@pytest.fixture
def ref(dossier):  # type: ignore[no-untyped-def]
    return f"dossier:{dossier.code}"


@pytest.fixture
def sent(templates, an, send, ref):  # type: ignore[no-untyped-def]
    return send(an, defaults.STATUS_CHANGED, defaults.sample_context(defaults.STATUS_CHANGED), preferred=["sms"],
                subject_ref=ref)


def test_anonymous_gets_401(sent, ref):
    response = Client().get(URL, {"subject": ref})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_citizen_gets_403(sent, client_for, ref):
    response = client_for("an").get(URL, {"subject": ref})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_staff_see_the_messages_with_their_attempts_and_masked_addresses(sent, client_for, token_for, an, send, ref):
    send(an, defaults.RECEIVED, defaults.sample_context(defaults.RECEIVED), subject_ref="dossier:OTHER")
    response = Client().get(URL, {"subject": ref}, HTTP_AUTHORIZATION=token_for("binh"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["subject_ref"] == ref
    assert item["template_version"] == 1
    assert item["status"] == "sent"
    assert item["attempts"][0]["channel"] == "sms"
    assert item["attempts"][0]["address"] == "09******78"
    assert client_for("cuong").get(URL, {"subject": ref}).status_code == 200


def test_the_subject_is_required(client_for):
    assert client_for("binh").get(URL).status_code in (400, 422)


def test_the_dossier_app_can_narrow_access(sent, client_for, monkeypatch, ref):
    monkeypatch.setitem(selectors.SUBJECT_ACCESS, "dossier", lambda user, ref: user.username == "cuong")
    assert client_for("binh").get(URL, {"subject": ref}).status_code == 403
    assert client_for("cuong").get(URL, {"subject": ref}).status_code == 200


def test_notices_are_read_exactly_by_those_who_may_read_the_dossier(sent, client_for, token_for, ref):
    # The notices carry the applicant's name, the time of receipt and the promised date: an officer of another
    # agency, to whom the dossier answers 404, gets 403 here too, and so does any code that is no dossier.
    response = Client().get(URL, {"subject": ref}, HTTP_AUTHORIZATION=token_for("khanh"))
    assert response.status_code == 403 and sent.recipient_name not in response.content.decode()
    assert client_for("thanh").get(URL, {"subject": ref}).status_code == 200  # the inspector reads every dossier
    assert client_for("binh").get(URL, {"subject": "dossier:T.SXD-000000-9999"}).status_code == 403
    assert client_for("binh").get(URL, {"subject": "registration:abc"}).status_code == 403


def test_messages_for_returns_messages_with_attempts(sent, ref):
    messages = list(selectors.messages_for(ref))
    assert [m.pk for m in messages] == [sent.pk]
    assert [a.channel for a in messages[0].attempts.all()] == ["sms"]


RECEIPTS = f"{URL}/receipts/sms"
SECRET = {"HTTP_X_MOTCUA_RECEIPT_SECRET": "s3cret-receipts"}


def _post(payload, **headers):  # type: ignore[no-untyped-def]
    return Client().post(RECEIPTS, payload, content_type="application/json", **headers)


def test_a_delivery_receipt_marks_the_message_delivered(sent):
    provider_id = sent.attempts.get().provider_id
    response = _post({"provider_id": provider_id, "status": "delivered"}, **SECRET)
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "unknown": 0}
    sent.refresh_from_db()
    assert sent.status == "delivered"
    attempt = sent.attempts.get()
    assert attempt.status == "delivered"
    assert attempt.delivered_at is not None
    assert _post({"provider_id": provider_id, "status": "delivered"}, **SECRET).json()["accepted"] == 1


def test_a_failure_receipt_falls_back_to_the_next_channel(sent, django_capture_on_commit_callbacks):
    from django.core import mail

    provider_id = sent.attempts.get().provider_id
    with django_capture_on_commit_callbacks(execute=True):
        response = _post([{"provider_id": provider_id, "status": "failed", "detail": "handset off"},
                          {"provider_id": "unknown", "status": "delivered"}], **SECRET)
    assert response.json() == {"accepted": 1, "unknown": 1}
    sent.refresh_from_db()
    assert sent.channel == "email"
    assert [(a.channel, a.status) for a in sent.attempts.order_by("number")] == [("sms", "failed"),
                                                                                 ("email", "sent")]
    assert len(mail.outbox) == 1


def test_receipts_need_the_shared_secret(sent):
    provider_id = sent.attempts.get().provider_id
    assert _post({"provider_id": provider_id, "status": "delivered"}).status_code == 403
    assert _post({"provider_id": provider_id, "status": "delivered"},
                 HTTP_X_MOTCUA_RECEIPT_SECRET="wrong").status_code == 403
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_a_channel_without_a_secret_takes_no_receipts(sent):
    response = Client().post(f"{URL}/receipts/zalo", {"provider_id": "x", "status": "delivered"},
                             content_type="application/json", **SECRET)
    assert response.status_code == 404


def test_a_receipt_that_is_not_json_is_refused(sent):
    response = Client().post(RECEIPTS, "not json", content_type="application/json", **SECRET)
    assert response.status_code == 400
    assert memory.outbox  # unchanged
