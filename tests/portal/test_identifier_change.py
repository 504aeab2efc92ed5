"""Changing the sign-in e-mail or phone by a code sent to the new address (issue 21; Law 91/2025/QH15 Art. 4: the
right to correct one's data). Nothing changes before the code; the answer does not tell whether the new address is
another account's; the limits, formats and wrong codes as at registration; the old address is told, the other
sessions and the API tokens end."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client

from motcua.accounts.models import ApiToken, User
from motcua.accounts.services import create_citizen, create_token
from motcua.notifications.channels import memory
from motcua.notifications.models import Message
from motcua.portal import services
from motcua.portal.models import PendingIdentifierChange

pytestmark = pytest.mark.django_db

PAGE = "/cong-dan/du-lieu-ca-nhan/dia-chi-dang-nhap/"
PASSWORD = "mat-khau-dai-1"  # tests/conftest.py's people


@pytest.fixture
def an(people, templates):  # type: ignore[no-untyped-def]
    user = people["an"]
    user.username, user.email, user.phone = "an@example.vn", "an@example.vn", "0912345678"
    user.save()
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ask(client: Client, identifier: str, password: str = PASSWORD, capture=None):  # type: ignore[no-untyped-def]
    if capture is None:
        return client.post(PAGE, {"identifier": identifier, "password": password})
    with capture(execute=True):
        return client.post(PAGE, {"identifier": identifier, "password": password})


def _sent_code(address: str) -> str:
    message = Message.objects.filter(key="account.confirmation_code").order_by("-id").first()
    assert message is not None and address in message.addresses.values()
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found
    return found.group(1)


def _unchanged(user: User) -> None:
    user.refresh_from_db()
    assert (user.username, user.email, user.phone) == ("an@example.vn", "an@example.vn", "0912345678")
    assert user.check_password(PASSWORD)


def test_the_page_shows_the_address_held_and_asks_the_new_one_and_the_password(an):
    body = _client(an).get(PAGE).content.decode()
    assert "an@example.vn" in body and "0912345678" in body
    assert 'name="identifier"' in body and 'autocomplete="current-password"' in body
    personal = _client(an).get("/cong-dan/du-lieu-ca-nhan/").content.decode()
    assert PAGE in personal


def test_change_the_email_by_the_code_sent_to_the_new_address(an, django_capture_on_commit_callbacks):
    client = _client(an)
    other_device = _client(an)
    create_token(an, "app")
    response = _ask(client, "Moi.An@Example.vn ", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    location = response["Location"]
    # nothing changes before the code; the code goes to the new address only
    _unchanged(an)
    code = _sent_code("moi.an@example.vn")
    assert not Message.objects.filter(key="account.identifier_changed").exists()
    pending = PendingIdentifierChange.objects.get()
    assert code not in pending.code_hash and PASSWORD not in pending.password_hash
    assert client.get(location).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(location, {"code": code})
    assert response.status_code == 302 and response["Location"] == "/cong-dan/du-lieu-ca-nhan/"
    an.refresh_from_db()
    assert (an.username, an.email, an.phone) == ("moi.an@example.vn", "moi.an@example.vn", "0912345678")
    assert an.check_password(PASSWORD)
    assert Client().login(username="moi.an@example.vn", password=PASSWORD)
    assert not Client().login(username="an@example.vn", password=PASSWORD)
    # the old address is told, with the new one masked; the other sessions and the tokens end, this one stays
    notice = Message.objects.get(key="account.identifier_changed")
    assert "an@example.vn" in notice.addresses.values() and "mo***@example.vn" in notice.body
    assert "moi.an@example.vn" not in notice.body and notice.subject_ref == f"account:{an.pk}"
    assert not ApiToken.objects.filter(user=an).exists()
    assert client.get("/cong-dan/").status_code == 200
    assert other_device.get("/cong-dan/").status_code == 302
    # django-auditlog keeps the old and new values, with the citizen as the one who changed them
    entry = LogEntry.objects.get_for_object(an).order_by("-id").first()
    assert entry is not None and entry.changes_dict["email"] == ["an@example.vn", "moi.an@example.vn"]
    assert "password" not in entry.changes_dict
    # the code works once
    assert client.post(location, {"code": code}).status_code == 404


def test_change_the_phone_by_sms(an, django_capture_on_commit_callbacks):
    client = _client(an)
    response = _ask(client, "+84 977 123 456", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert memory.outbox and memory.outbox[-1].to == "0977123456"
    _unchanged(an)
    code = _sent_code("0977123456")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(response["Location"], {"code": code}).status_code == 302
    an.refresh_from_db()
    assert (an.username, an.email, an.phone) == ("an@example.vn", "an@example.vn", "0977123456")
    notice = Message.objects.get(key="account.identifier_changed")
    assert "0912345678" in notice.addresses.values() and "097****456" in notice.body
    assert memory.outbox[-1].to == "0912345678"


def test_an_account_registered_by_phone_signs_in_with_the_new_phone(an, django_capture_on_commit_callbacks):
    User.objects.filter(pk=an.pk).update(username="0912345678")
    an.refresh_from_db()
    client = _client(an)
    response = _ask(client, "0977123456", capture=django_capture_on_commit_callbacks)
    client.post(response["Location"], {"code": _sent_code("0977123456")})
    assert Client().login(username="0977123456", password=PASSWORD)


def test_an_account_without_an_email_that_adds_one_is_told_on_its_phone(an, django_capture_on_commit_callbacks):
    User.objects.filter(pk=an.pk).update(username="0912345678", email="")
    an.refresh_from_db()
    client = _client(an)
    response = _ask(client, "moi@example.vn", capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"code": _sent_code("moi@example.vn")})
    an.refresh_from_db()
    assert (an.username, an.email) == ("0912345678", "moi@example.vn")
    notice = Message.objects.get(key="account.identifier_changed")
    assert notice.addresses == {"sms": "0912345678"}


def test_a_wrong_password_changes_and_sends_nothing(an):
    response = _ask(_client(an), "moi@example.vn", password="sai-mat-khau-1")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_password_error"' in body and "Mật khẩu không đúng" in body
    assert not PendingIdentifierChange.objects.exists() and not Message.objects.exists()
    _unchanged(an)


def test_a_wrong_code_is_refused_and_the_tries_are_limited(an, django_capture_on_commit_callbacks):
    client = _client(an)
    location = _ask(client, "moi@example.vn", capture=django_capture_on_commit_callbacks)["Location"]
    code = _sent_code("moi@example.vn")
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(location, {"code": wrong})
    assert response.status_code == 400 and 'id="id_code_error"' in response.content.decode()
    assert "còn 4 lần" in response.content.decode()
    for _ in range(PendingIdentifierChange.MAX_ATTEMPTS):
        client.post(location, {"code": wrong})
    assert client.post(location, {"code": code}).status_code == 400  # locked, even with the right code
    _unchanged(an)


def test_an_expired_code_is_refused(an, django_capture_on_commit_callbacks):
    client = _client(an)
    location = _ask(client, "moi@example.vn", capture=django_capture_on_commit_callbacks)["Location"]
    code = _sent_code("moi@example.vn")
    PendingIdentifierChange.objects.update(expires_at="2000-01-01T00:00:00Z")
    response = client.post(location, {"code": code})
    assert response.status_code == 400 and "đã hết hạn" in response.content.decode()
    _unchanged(an)


def test_a_new_code_replaces_the_old_one(an, django_capture_on_commit_callbacks):
    client = _client(an)
    location = _ask(client, "moi@example.vn", capture=django_capture_on_commit_callbacks)["Location"]
    first = _sent_code("moi@example.vn")
    client.post(location + "gui-lai/")
    second = _sent_code("moi@example.vn")
    if first != second:
        assert client.post(location, {"code": first}).status_code == 400
    assert client.post(location, {"code": second}).status_code == 302


def _page(client: Client, response, identifier: str) -> str:  # type: ignore[no-untyped-def]
    """The code page with what differs by nature (the key, the address, the CSRF token) blanked."""
    assert response.status_code == 302
    key = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    body = client.get(response["Location"]).content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return body.replace(key, "KEY").replace(identifier, "IDENT")


@pytest.mark.parametrize("kind", ["email", "phone"])
def test_the_answer_does_not_tell_whether_the_address_is_another_accounts(an, people, kind,
                                                                          django_capture_on_commit_callbacks):
    chi = people["cuong"]  # any other account holds the address; the asker is not told
    taken, free = ("cuong@example.vn", "moi@example.vn") if kind == "email" else ("0988000111", "0977123456")
    User.objects.filter(pk=chi.pk).update(**({"email": taken} if kind == "email" else {"phone": taken}))
    pages = []
    for identifier in (free, taken):  # the taken one last: a new request replaces the account's earlier one
        client = _client(an)
        response = _ask(client, identifier, capture=django_capture_on_commit_callbacks)
        pages.append(_page(client, response, identifier))
    assert pages[0] == pages[1]
    # the holder is told by the holder's own name; the asker's name and no code reach them
    notice = Message.objects.get(key="account.identifier_in_use")
    assert taken in notice.addresses.values() and notice.recipient_name == "Lê Văn Cường"
    assert "Nguyễn Văn An" not in notice.body and "Nguyen Van An" not in notice.body
    codes = [m.addresses for m in Message.objects.filter(key="account.confirmation_code")]
    assert len(codes) == 1 and free in codes[0].values()
    # no six digits confirm the change to the taken address
    pending = PendingIdentifierChange.objects.get(identifier=taken)
    assert not any(check_password(f"{n:06d}", pending.code_hash) for n in (0, 123456, 999999))
    client = _client(an)
    assert client.post(f"{PAGE}{pending.key}/", {"code": "123456"}).status_code == 400
    _unchanged(an)
    chi.refresh_from_db()
    assert taken in (chi.email, chi.phone)


def test_the_address_of_the_account_itself_is_refused_with_a_message(an):
    response = _ask(_client(an), "AN@example.vn")
    assert response.status_code == 400 and "đã là thư điện tử hoặc số điện thoại" in response.content.decode()
    assert not PendingIdentifierChange.objects.exists()


@pytest.mark.parametrize("identifier", [
    "٠٩٧٧١٢٣٤٥٦",  # Arabic-Indic digits: ASCII digits only, as at registration
    "۰۹۷۷۱۲۳۴۵۶",  # Extended Arabic-Indic
    "0977 12345",  # too short
    "977123456",  # no 0 or +84
    "an@",
    "an@example",
    "",
])
def test_a_badly_formed_address_is_refused_and_nothing_is_recorded(an, identifier):
    response = _ask(_client(an), identifier)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_identifier_error"' in body
    assert not PendingIdentifierChange.objects.exists() and not Message.objects.exists()
    _unchanged(an)


def test_one_address_gets_at_most_the_hourly_allowance_counted_with_registrations(an, settings):
    settings.MOTCUA_REGISTRATION_CODES_PER_HOUR = 2
    Client(REMOTE_ADDR="203.0.113.1").post("/dang-ky/", {
        "full_name": "Lê Thị Chi", "identifier": "0977123456", "password": "mot-mat-khau-rat-dai-2026",
        "password2": "mot-mat-khau-rat-dai-2026", "language": "vi", "consent": "on"})
    statuses = []
    for n in range(3):
        client = Client(REMOTE_ADDR=f"203.0.113.{10 + n}")
        client.force_login(an)
        statuses.append(_ask(client, "0977123456").status_code)
    assert statuses == [302, 429, 429]
    assert Message.objects.filter(key="account.confirmation_code").count() == 2
    assert "Đã gửi quá nhiều mã" in _ask(_client(an), "0977123456").content.decode()


def test_one_client_may_ask_only_a_few_times_wrong_passwords_included(an, settings):
    settings.MOTCUA_REGISTRATION_RATE_LIMIT = 3
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(an)
    statuses = [_ask(client, f"09771234{n:02d}", password="sai-mat-khau-1").status_code for n in range(2)]
    statuses += [_ask(client, f"09771234{n:02d}").status_code for n in range(2, 4)]
    assert statuses == [400, 400, 302, 429]
    assert Message.objects.filter(key="account.confirmation_code").count() == 1


def test_a_password_changed_after_the_request_voids_it(an, django_capture_on_commit_callbacks):
    client = _client(an)
    location = _ask(client, "moi@example.vn", capture=django_capture_on_commit_callbacks)["Location"]
    code = _sent_code("moi@example.vn")
    an.set_password("mot-mat-khau-moi-2026")
    an.save()
    client.force_login(an)
    response = client.post(location, {"code": code})
    assert response.status_code == 400
    an.refresh_from_db()
    assert an.email == "an@example.vn" and an.check_password("mot-mat-khau-moi-2026")


def test_anonymous_is_sent_to_sign_in_and_staff_cannot_use_it(an, people, django_capture_on_commit_callbacks):
    location = _ask(_client(an), "moi@example.vn", capture=django_capture_on_commit_callbacks)["Location"]
    for url in (PAGE, location):
        response = Client().get(url)
        assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
    assert Client().post(location + "gui-lai/")["Location"].startswith("/tai-khoan/dang-nhap/")
    for name in ("binh", "ha"):
        staff = _client(people[name])
        assert staff.get(PAGE).status_code == 403
        assert staff.post(PAGE, {"identifier": "binh.moi@example.vn", "password": PASSWORD}).status_code == 403
        assert staff.get(location).status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.start_identifier_change(people["binh"], "binh.moi@example.vn", PASSWORD)
    assert PendingIdentifierChange.objects.count() == 1


def test_another_citizens_change_is_not_found(an, people, django_capture_on_commit_callbacks):
    location = _ask(_client(an), "moi@example.vn", capture=django_capture_on_commit_callbacks)["Location"]
    chi = create_citizen(username="chi@example.vn", full_name="Lê Thị Chi", email="chi@example.vn", phone="",
                         password_hash=make_password(PASSWORD), language="vi")
    code = _sent_code("moi@example.vn")
    assert _client(chi).get(location).status_code == 404
    assert _client(chi).post(location, {"code": code}).status_code == 404
    _unchanged(an)


def test_without_the_csrf_token_nothing_happens(an):
    client = Client(enforce_csrf_checks=True)
    client.force_login(an)
    assert client.post(PAGE, {"identifier": "moi@example.vn", "password": PASSWORD}).status_code == 403
    assert not PendingIdentifierChange.objects.exists()


def test_the_sweep_removes_old_changes_and_closing_the_account_removes_open_ones(an, people,
                                                                                  django_capture_on_commit_callbacks):
    _ask(_client(an), "moi@example.vn", capture=django_capture_on_commit_callbacks)
    PendingIdentifierChange.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert services.sweep_registrations(dry_run=True) == 1
    assert services.sweep_registrations() == 1 and not PendingIdentifierChange.objects.exists()
    _ask(_client(an), "moi2@example.vn", capture=django_capture_on_commit_callbacks)
    services.close_account(an, PASSWORD)
    assert not PendingIdentifierChange.objects.exists()
