"""Citizen registration with a confirmation code sent through the notifications app."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.notifications.channels import memory
from motcua.notifications.models import Message
from motcua.portal.models import ContactPreference, PendingRegistration

pytestmark = pytest.mark.django_db

PASSWORD = "mot-mat-khau-rat-dai-2026"


def _register(client: Client, identifier: str = "chi@example.vn"):  # type: ignore[no-untyped-def]
    return client.post("/dang-ky/", {"full_name": "Lê Thị Chi", "identifier": identifier, "password": PASSWORD,
                                     "password2": PASSWORD, "language": "vi"})


def _code(django_capture_on_commit_callbacks, client, identifier="chi@example.vn"):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, identifier)
    assert response.status_code == 302
    message = Message.objects.get(key="account.confirmation_code")
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code
    return response["Location"], code.group(1)


def test_register_by_email_confirm_and_land_on_my_dossiers(templates, django_capture_on_commit_callbacks):
    client = Client()
    location, code = _code(django_capture_on_commit_callbacks, client)
    assert len(mail.outbox) == 1 and code in mail.outbox[0].body
    pending = PendingRegistration.objects.get()
    assert code not in pending.code_hash and PASSWORD not in pending.password_hash
    response = client.post(location, {"code": code})
    assert response.status_code == 302 and response["Location"] == "/cong-dan/"
    user = User.objects.get(username="chi@example.vn")
    assert user.email == "chi@example.vn" and user.check_password(PASSWORD)
    assert has_capability(user, Capability.SUBMIT_DOSSIERS)
    assert ContactPreference.objects.get(user=user).channels == ["email"]
    assert client.get("/cong-dan/").status_code == 200


def test_register_by_phone_sends_an_sms(templates, django_capture_on_commit_callbacks):
    client = Client()
    location, code = _code(django_capture_on_commit_callbacks, client, "0987 654 321")
    assert memory.outbox and memory.outbox[-1].to == "0987654321"
    assert client.post(location, {"code": code}).status_code == 302
    assert User.objects.get(username="0987654321").phone == "0987654321"


def test_a_wrong_code_is_refused_and_attempts_are_limited(templates, django_capture_on_commit_callbacks):
    client = Client()
    location, code = _code(django_capture_on_commit_callbacks, client)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(location, {"code": wrong})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body and 'id="id_code_error"' in body
    for _ in range(PendingRegistration.MAX_ATTEMPTS):
        client.post(location, {"code": wrong})
    assert client.post(location, {"code": code}).status_code == 200  # locked now, even with the right code
    assert not User.objects.filter(username="chi@example.vn").exists()


def test_an_expired_code_is_refused(templates, django_capture_on_commit_callbacks):
    client = Client()
    location, code = _code(django_capture_on_commit_callbacks, client)
    PendingRegistration.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert client.post(location, {"code": code}).status_code == 200
    assert not User.objects.filter(username="chi@example.vn").exists()


def test_a_new_code_replaces_the_old_one(templates, django_capture_on_commit_callbacks):
    client = Client()
    location, first = _code(django_capture_on_commit_callbacks, client)
    client.post(location + "gui-lai/")
    second = re.search(r"\b(\d{6})\b", Message.objects.order_by("-id").first().body).group(1)  # type: ignore[union-attr]
    if first != second:
        assert client.post(location, {"code": first}).status_code == 200
    assert client.post(location, {"code": second}).status_code == 302


def test_bad_input_is_listed_at_once(db):
    response = Client().post("/dang-ky/", {"full_name": "", "identifier": "abc", "password": "1",
                                           "password2": "2"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in body
    assert 'id="id_full_name_error"' in body and 'id="id_password2_error"' in body


def test_an_existing_account_cannot_register_again(people, templates):
    people["an"].email = "an@example.vn"
    people["an"].save()
    response = _register(Client(), "an@example.vn")
    assert response.status_code == 200
    assert not PendingRegistration.objects.exists()


def test_a_signed_in_person_is_sent_to_my_dossiers(client_for):
    assert client_for("an").get("/dang-ky/")["Location"] == "/cong-dan/"


def test_confirmation_page_of_an_unknown_registration_is_404(db):
    assert Client().get("/dang-ky/xac-nhan/6f1c2b7e-9a55-4c55-8f0e-1e0a3c1d2b3a/").status_code == 404
