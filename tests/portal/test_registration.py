"""Citizen registration with a confirmation code sent through the notifications app."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
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
                                     "password2": PASSWORD, "language": "vi", "consent": "on"})


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


def _confirm_page(client: Client, response, identifier: str) -> str:  # type: ignore[no-untyped-def]
    """The confirmation page with what differs by nature (the key, the identifier, the CSRF token) blanked."""
    assert response.status_code == 302
    key = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    body = client.get(response["Location"]).content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return body.replace(key, "KEY").replace(identifier, "IDENT")


@pytest.mark.parametrize("kind", ["email", "phone"])
def test_registration_does_not_tell_who_has_an_account(people, templates, django_capture_on_commit_callbacks,
                                                        kind):
    people["an"].email, people["an"].phone = "an@example.vn", "0912345678"
    people["an"].save()
    existing, new = ("an@example.vn", "moi@example.vn") if kind == "email" else ("0912345678", "0977123456")
    pages, codes = [], []
    for identifier in (existing, new):
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = _register(client, identifier)
        pages.append(_confirm_page(client, response, identifier))
        wrong = client.post(response["Location"], {"code": "000000"})
        codes.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", wrong.content.decode())
                     .replace(response["Location"], "LOC").replace(identifier, "IDENT"))
        assert wrong.status_code == 200
    assert pages[0] == pages[1]
    if not Message.objects.filter(key="account.confirmation_code", body__contains="000000").exists():
        assert codes[0] == codes[1]
    # the holder is told, by the holder's own name, how to sign in; the stranger's name and no code reach them
    notice = Message.objects.get(key="account.registration_exists")
    assert existing in notice.addresses.values()
    assert "/tai-khoan/dang-nhap/" in notice.body and "/quen-mat-khau/" in notice.body
    assert "Lê Thị Chi" not in notice.body
    sent = [m.addresses for m in Message.objects.filter(key="account.confirmation_code")]
    assert len(sent) == 1 and new in sent[0].values() and existing not in sent[0].values()


def test_no_code_confirms_a_registration_of_an_existing_account(people, templates):
    people["an"].email = "an@example.vn"
    people["an"].save()
    response = _register(Client(), "an@example.vn")
    pending = PendingRegistration.objects.get(identifier="an@example.vn")
    assert not any(check_password(f"{n:06d}", pending.code_hash) for n in (0, 123456, 999999))
    assert Client().post(response["Location"], {"code": "123456"}).status_code == 200
    assert User.objects.filter(email="an@example.vn").count() == 1


def test_one_number_gets_at_most_the_hourly_allowance_of_codes(templates, settings):
    # issue 21, finding 9: twelve registrations for one number queued twelve SMS codes
    settings.MOTCUA_REGISTRATION_CODES_PER_HOUR = 3
    statuses = []
    for n in range(12):  # from twelve addresses: the number's own allowance is what stops them
        statuses.append(_register(Client(REMOTE_ADDR=f"203.0.113.{n}"), "0977123456").status_code)
    assert statuses == [302] * 3 + [429] * 9
    assert Message.objects.filter(key="account.confirmation_code").count() == 3
    assert PendingRegistration.objects.count() == 3
    refused = _register(Client(REMOTE_ADDR="203.0.113.99"), "0977123456")
    assert "Đã gửi quá nhiều mã" in refused.content.decode()


def test_the_daily_allowance_holds_across_hours(templates, settings):
    settings.MOTCUA_REGISTRATION_CODES_PER_HOUR = 100
    settings.MOTCUA_REGISTRATION_CODES_PER_DAY = 2
    statuses = [_register(Client(REMOTE_ADDR=f"203.0.113.{n}"), "chi@example.vn").status_code for n in range(4)]
    assert statuses == [302, 302, 429, 429]
    assert Message.objects.filter(key="account.confirmation_code").count() == 2


def test_an_existing_account_is_counted_alike(people, templates, settings):
    settings.MOTCUA_REGISTRATION_CODES_PER_HOUR = 2
    people["an"].phone = "0912345678"
    people["an"].save()
    statuses = [_register(Client(REMOTE_ADDR=f"203.0.113.{n}"), "0912345678").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert Message.objects.filter(key="account.registration_exists").count() == 2


def test_one_client_may_register_only_a_few_numbers(templates, settings):
    settings.MOTCUA_REGISTRATION_RATE_LIMIT = 5
    client = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [_register(client, f"09771234{n:02d}").status_code for n in range(8)]
    assert statuses == [302] * 5 + [429] * 3
    assert Message.objects.filter(key="account.confirmation_code").count() == 5
    refused = _register(client, "0977123499")
    assert "Quá nhiều lượt đăng ký" in refused.content.decode()


def test_new_codes_count_in_the_numbers_allowance(templates, settings):
    settings.MOTCUA_REGISTRATION_CODES_PER_HOUR = 2
    response = _register(Client(REMOTE_ADDR="203.0.113.1"), "0977123456")
    for n in range(3):
        Client(REMOTE_ADDR=f"203.0.113.{10 + n}").post(response["Location"] + "gui-lai/")
    assert Message.objects.filter(key="account.confirmation_code").count() == 2


def test_a_signed_in_person_is_sent_to_my_dossiers(client_for):
    assert client_for("an").get("/dang-ky/")["Location"] == "/cong-dan/"


def test_confirmation_page_of_an_unknown_registration_is_404(db):
    assert Client().get("/dang-ky/xac-nhan/6f1c2b7e-9a55-4c55-8f0e-1e0a3c1d2b3a/").status_code == 404
