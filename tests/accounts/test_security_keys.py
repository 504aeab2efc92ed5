"""Security keys and passkeys as the second factor of staff (docs/security.md "Second factor for staff"): enrolling
one, signing in with it, what is refused (a wrong signature, a replayed or expired challenge, a counter that went
back, another person's key, another origin), the shared limit of wrong answers, removing keys, and who may do what.
The authenticator is a software one (tests/accounts/softkey.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts import services
from motcua.accounts.models import SecurityKeyDevice
from tests.accounts.softkey import SoftKey, unb64url
from tests.accounts.test_two_factor import PASSWORD, QUEUE, STEP, code_for, enrolled, is_verified, sign_in_password

KEYS = "/tai-khoan/xac-thuc-hai-buoc/khoa-bao-mat/"
REGISTER_OPTIONS = KEYS + "dang-ky/tuy-chon/"
REGISTER = KEYS + "dang-ky/"
CHALLENGE = KEYS + "thu-thach/"
VERIFY = KEYS + "xac-thuc/"


@pytest.fixture(autouse=True)
def _two_factor_on(settings):  # type: ignore[no-untyped-def]
    settings.MOTCUA_STAFF_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    settings.MOTCUA_2FA_FAILURE_LIMIT = 5
    settings.MOTCUA_PUBLIC_BASE_URL = ""  # the request's host: http://testserver
    settings.MOTCUA_WEBAUTHN_TIMEOUT = 300


def post_json(client: Client, url: str, data: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def verified_client(user) -> tuple[Client, TOTPDevice]:  # type: ignore[no-untyped-def]
    """A session of ``user`` past the second step with the authenticator app."""
    device = enrolled(user)
    client = Client()
    sign_in_password(client, user.username)
    assert client.post(STEP, {"code": code_for(device)}).status_code == 302 and is_verified(client)
    return client, device


def enrol_key(client: Client, key: SoftKey, name: str = "Khóa USB xanh"):  # type: ignore[no-untyped-def]
    options = post_json(client, REGISTER_OPTIONS).json()["publicKey"]
    return post_json(client, REGISTER, {"name": name, "credential": key.create(options)})


def key_of(user, key: SoftKey | None = None, **fields: Any) -> tuple[SecurityKeyDevice, SoftKey]:  # type: ignore[no-untyped-def]
    """``user``'s enrolled ``key`` (a new software one by default), as enrolment stores it."""
    key = key or SoftKey()
    device = SecurityKeyDevice.objects.create(user=user, name="Khóa", confirmed=True, credential_id=key.id,
                                              public_key=key.cose_public_key(), **fields)
    return device, key


def half_signed_in(username: str) -> Client:
    client = Client()
    sign_in_password(client, username, next_url="/ho-so/?bucket=mine")
    return client


@pytest.mark.django_db
def test_enrolling_a_key_from_a_verified_session(people):
    client, _ = verified_client(people["binh"])
    page = client.get(KEYS).content.decode()
    assert "Khóa bảo mật và passkey" in page
    assert "cần JavaScript" in page  # what a page without JavaScript keeps saying
    assert re.search(r'<script src="/static/accounts/passkeys\.js" defer>', page)
    assert "<script>" not in page and "style=" not in page

    options = post_json(client, REGISTER_OPTIONS).json()["publicKey"]
    assert options["rp"] == {"id": "testserver", "name": "motcua"}
    assert options["user"]["name"] == "binh" and options["user"]["displayName"] == "Trần Thị Bình"
    assert b"binh" not in unb64url(options["user"]["id"])  # the user handle carries no personal data
    assert len(unb64url(options["challenge"])) == 32 and options["excludeCredentials"] == []
    assert options["attestation"] == "none"

    key = SoftKey()
    answer = post_json(client, REGISTER, {"name": "  Khóa USB xanh ", "credential": key.create(options)})
    assert answer.status_code == 200 and answer.json() == {"redirect": KEYS}
    stored = SecurityKeyDevice.objects.get(user=people["binh"])
    assert stored.name == "Khóa USB xanh" and stored.credential_id == key.id and stored.confirmed
    assert bytes(stored.public_key) == key.cose_public_key() and stored.transports == ["usb", "nfc"]
    listed = client.get(KEYS).content.decode()
    assert "Đã thêm khóa bảo mật “Khóa USB xanh”" in listed
    assert "1 khóa bảo mật hoặc passkey" in client.get("/tai-khoan/").content.decode()

    # The next enrolment excludes it, and the same key is not enrolled twice.
    again = post_json(client, REGISTER_OPTIONS).json()["publicKey"]
    assert [c["id"] for c in again["excludeCredentials"]] == [key.id]
    twice = post_json(client, REGISTER, {"name": "x", "credential": key.create(again)})
    assert twice.status_code == 400 and twice.json()["error"]["code"] == "duplicate"
    assert SecurityKeyDevice.objects.filter(user=people["binh"]).count() == 1


@pytest.mark.django_db
def test_an_enrolment_answer_serves_once_and_must_verify(people):
    client, _ = verified_client(people["cuong"])
    options = post_json(client, REGISTER_OPTIONS).json()["publicKey"]
    key = SoftKey()
    forged = key.create(options, origin="https://phishing.example")
    refused = post_json(client, REGISTER, {"name": "x", "credential": forged})
    assert refused.status_code == 400 and "Không xác minh được" in refused.json()["error"]["message"]
    # The challenge went with the refused answer: the right answer to it finds none.
    replay = post_json(client, REGISTER, {"name": "x", "credential": key.create(options)})
    assert replay.status_code == 400 and replay.json()["error"]["code"] == "challenge"
    fresh = post_json(client, REGISTER_OPTIONS)
    assert post_json(client, REGISTER, {"credential": {"id": "x"}}).status_code == 400
    assert client.post(REGISTER, "not json", content_type="application/json").status_code == 400
    too_long = post_json(client, REGISTER, {"name": "x" * 65, "credential": key.create(fresh.json()["publicKey"])})
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "name"
    assert not SecurityKeyDevice.objects.filter(user=people["cuong"]).exists()


@pytest.mark.django_db
def test_signing_in_with_the_key(people):
    device, key = key_of(people["giang"])
    enrolled(people["giang"])
    client = half_signed_in("giang")
    step = client.get(STEP + "?next=/ho-so/?bucket=mine").content.decode()
    assert "Dùng khóa bảo mật / passkey" in step and 'data-webauthn="get"' in step
    assert 'src="/static/accounts/passkeys.js"' in step
    assert "Mã từ ứng dụng xác thực" in step  # the app's code is still offered

    options = post_json(client, CHALLENGE).json()["publicKey"]
    assert options["rpId"] == "testserver" and [c["id"] for c in options["allowCredentials"]] == [key.id]
    before = client.session.session_key
    passed = post_json(client, VERIFY, {"credential": key.get(options), "next": "/ho-so/?bucket=mine"})
    assert passed.status_code == 200 and passed.json() == {"redirect": "/ho-so/?bucket=mine"}
    assert is_verified(client) and client.session.session_key != before
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get(QUEUE).status_code == 200 and client.get("/api/v1/me").status_code == 200
    device.refresh_from_db()
    assert device.sign_count == 1 and device.last_used_at is not None


@pytest.mark.django_db
def test_a_next_address_of_another_site_is_not_followed(people):
    _, key = key_of(people["giang"])
    client = half_signed_in("giang")
    options = post_json(client, CHALLENGE).json()["publicKey"]
    passed = post_json(client, VERIFY, {"credential": key.get(options), "next": "https://evil.example/"})
    assert passed.json()["redirect"] == "/ho-so/?bucket=mine"  # Giang processes dossiers: her landing page


@pytest.mark.django_db
def test_a_person_with_keys_only_is_asked_for_a_key_not_to_enrol(people):
    key_of(people["dung"])
    response = sign_in_password(Client(), "dung")
    assert response["Location"].startswith(STEP)
    client = half_signed_in("dung")
    step = client.get(STEP).content.decode()
    assert "Dùng khóa bảo mật / passkey" in step and 'name="code"' not in step


@pytest.mark.django_db
def test_a_wrong_signature_is_refused_and_counted(people):
    device, key = key_of(people["binh"])
    client = half_signed_in("binh")
    options = post_json(client, CHALLENGE).json()["publicKey"]
    forged = key.get(options, signer=ec.generate_private_key(ec.SECP256R1()))
    refused = post_json(client, VERIFY, {"credential": forged})
    assert refused.status_code == 400 and not is_verified(client)
    assert "Không xác minh được" in refused.json()["error"]["message"]
    assert client.session["motcua_2fa_failures"] == 1
    device.refresh_from_db()
    assert device.sign_count == 0 and device.last_used_at is None


@pytest.mark.django_db
def test_an_answer_for_another_site_is_refused(people):
    _, key = key_of(people["binh"])
    client = half_signed_in("binh")
    options = post_json(client, CHALLENGE).json()["publicKey"]
    assert post_json(client, VERIFY, {"credential": key.get(options, origin="https://phishing.example")}
                     ).status_code == 400
    options = post_json(client, CHALLENGE).json()["publicKey"]
    assert post_json(client, VERIFY, {"credential": key.get(options, rp_id="phishing.example")}).status_code == 400
    assert not is_verified(client)


@pytest.mark.django_db
def test_a_replayed_answer_is_refused(people):
    _, key = key_of(people["thanh"])
    first = half_signed_in("thanh")
    options = post_json(first, CHALLENGE).json()["publicKey"]
    answer = key.get(options)
    assert post_json(first, VERIFY, {"credential": answer}).status_code == 200 and is_verified(first)

    # Someone who caught the answer and knows the password: in their own session, with or without a challenge of
    # their own, the answer names the other challenge; and each challenge serves once.
    other = half_signed_in("thanh")
    no_challenge = post_json(other, VERIFY, {"credential": answer})
    assert no_challenge.status_code == 400 and no_challenge.json()["error"]["code"] == "challenge"
    post_json(other, CHALLENGE)
    assert post_json(other, VERIFY, {"credential": answer}).status_code == 400
    assert not is_verified(other) and other.session["motcua_2fa_failures"] == 2


@pytest.mark.django_db
def test_an_expired_challenge_is_refused(people, settings):
    _, key = key_of(people["thanh"])
    client = half_signed_in("thanh")
    settings.MOTCUA_WEBAUTHN_TIMEOUT = -1
    options = post_json(client, CHALLENGE).json()["publicKey"]
    settings.MOTCUA_WEBAUTHN_TIMEOUT = 300
    refused = post_json(client, VERIFY, {"credential": key.get(options)})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "challenge"
    assert "hết hạn" in refused.json()["error"]["message"] and not is_verified(client)


@pytest.mark.django_db
def test_a_signature_counter_that_goes_back_is_refused_as_a_clone(people, caplog):
    device, key = key_of(people["binh"], sign_count=10)
    client = half_signed_in("binh")
    options = post_json(client, CHALLENGE).json()["publicKey"]
    clone = post_json(client, VERIFY, {"credential": key.get(options, counter=7)})
    assert clone.status_code == 400 and clone.json()["error"]["code"] == "counter"
    assert "sao chép" in clone.json()["error"]["message"] and not is_verified(client)
    assert "possibly cloned" in caplog.text
    options = post_json(client, CHALLENGE).json()["publicKey"]
    assert post_json(client, VERIFY, {"credential": key.get(options, counter=10)}).status_code == 400  # not up
    device.refresh_from_db()
    assert device.sign_count == 10
    options = post_json(client, CHALLENGE).json()["publicKey"]
    assert post_json(client, VERIFY, {"credential": key.get(options, counter=11)}).status_code == 200
    device.refresh_from_db()
    assert device.sign_count == 11


@pytest.mark.django_db
def test_a_key_without_a_counter_signs_in_every_time(people):
    _, key = key_of(people["binh"], SoftKey(step=0))
    for _ in range(2):
        client = half_signed_in("binh")
        options = post_json(client, CHALLENGE).json()["publicKey"]
        assert post_json(client, VERIFY, {"credential": key.get(options)}).status_code == 200


@pytest.mark.django_db
def test_key_failures_and_wrong_codes_share_one_limit(people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrolled(people["binh"])
    _, key = key_of(people["binh"])
    client = half_signed_in("binh")
    wrong = "000000" if code_for(device) != "000000" else "111111"
    for _ in range(4):
        assert client.post(STEP, {"code": wrong}).status_code == 200
    options = post_json(client, CHALLENGE).json()["publicKey"]
    forged = key.get(options, signer=ec.generate_private_key(ec.SECP256R1()))
    out = post_json(client, VERIFY, {"credential": forged})
    assert out.status_code == 403 and out.json()["redirect"] == "/tai-khoan/dang-nhap/"
    assert "_auth_user_id" not in client.session
    # Signed out: the key's right answer no longer signs anyone in.
    assert post_json(client, CHALLENGE).status_code == 401


@pytest.mark.django_db
def test_another_persons_key_is_refused(people):
    _, binh_key = key_of(people["binh"])
    key_of(people["cuong"])
    client = half_signed_in("cuong")
    options = post_json(client, CHALLENGE).json()["publicKey"]
    refused = post_json(client, VERIFY, {"credential": binh_key.get(options)})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "unknown"
    assert not is_verified(client)


@pytest.mark.django_db
def test_removing_a_key_asks_for_the_password(people, settings):
    settings.AXES_ENABLED = True
    client, _ = verified_client(people["binh"])
    blue, _ = key_of(people["binh"])
    wrong = client.post(KEYS, {"key": blue.pk, "password": "sai-mat-khau"})
    assert wrong.status_code == 200 and "Mật khẩu không đúng" in wrong.content.decode()
    assert 'aria-invalid="true"' in wrong.content.decode()
    from axes.models import AccessAttempt

    # django-axes counts it as a wrong password (its lockout applies here as at the sign-in).
    assert AccessAttempt.objects.get(username="binh").failures_since_start == 1
    assert SecurityKeyDevice.objects.filter(pk=blue.pk).exists()
    assert client.post(KEYS, {"key": blue.pk}).status_code == 200  # no password: nothing removed
    assert SecurityKeyDevice.objects.filter(pk=blue.pk).exists()
    removed = client.post(KEYS, {"key": blue.pk, "password": PASSWORD}, follow=True)
    assert not SecurityKeyDevice.objects.filter(pk=blue.pk).exists()
    assert "đã được gỡ" in removed.content.decode()


@pytest.mark.django_db
def test_the_last_second_factor_cannot_be_removed(people):
    only, key = key_of(people["dung"])
    client = half_signed_in("dung")
    options = post_json(client, CHALLENGE).json()["publicKey"]
    assert post_json(client, VERIFY, {"credential": key.get(options)}).status_code == 200
    refused = client.post(KEYS, {"key": only.pk, "password": PASSWORD})
    assert refused.status_code == 200 and "duy nhất" in refused.content.decode()
    assert SecurityKeyDevice.objects.filter(pk=only.pk).exists()
    # With a second key the first may go.
    second, _ = key_of(people["dung"])
    assert client.post(KEYS, {"key": only.pk, "password": PASSWORD}).status_code == 302
    assert list(SecurityKeyDevice.objects.filter(user=people["dung"])) == [second]


@pytest.mark.django_db
def test_another_persons_key_cannot_be_removed(people):
    client, _ = verified_client(people["binh"])
    theirs, _ = key_of(people["cuong"])
    response = client.post(KEYS, {"key": theirs.pk, "password": PASSWORD})
    assert response.status_code == 200 and "không được đăng ký cho tài khoản của bạn" in response.content.decode()
    assert SecurityKeyDevice.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_who_may_use_the_key_pages(people):
    anonymous = Client()
    assert anonymous.get(KEYS)["Location"].startswith("/tai-khoan/dang-nhap/")
    for url in (REGISTER_OPTIONS, REGISTER, CHALLENGE, VERIFY):
        response = post_json(anonymous, url)
        assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated", url

    citizen = Client()
    sign_in_password(citizen, "an")
    assert citizen.get(KEYS)["Location"] == "/tai-khoan/"
    for url in (REGISTER_OPTIONS, REGISTER, CHALLENGE, VERIFY):
        assert post_json(citizen, url).status_code == 403, url

    # Before the second step: a key is not enrolled with the password alone.
    enrolled(people["binh"])
    half = half_signed_in("binh")
    assert post_json(half, REGISTER_OPTIONS)["Location"].startswith(STEP)
    assert half.get(KEYS)["Location"].startswith(STEP)
    assert post_json(half, CHALLENGE).json()["error"]["code"] == "no_keys"

    # The JSON endpoints take POST only.
    client, _ = verified_client(people["cuong"])
    assert client.get(REGISTER_OPTIONS).status_code == 405


@pytest.mark.django_db
def test_the_relying_party_is_the_public_address(people, settings):
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.soxaydung.example.gov.vn/"
    _, key = key_of(people["binh"])
    client = half_signed_in("binh")
    options = post_json(client, CHALLENGE).json()["publicKey"]
    assert options["rpId"] == "motcua.soxaydung.example.gov.vn"
    # An answer made on the request's own host is not one made on the public address.
    assert post_json(client, VERIFY, {"credential": key.get(options)}).status_code == 400
    options = post_json(client, CHALLENGE).json()["publicKey"]
    answer = key.get(options, origin="https://motcua.soxaydung.example.gov.vn")
    assert post_json(client, VERIFY, {"credential": answer}).status_code == 200 and is_verified(client)


@pytest.mark.django_db
def test_the_administrators_reset_removes_keys_too(people):
    enrolled(people["binh"])
    key_of(people["binh"])
    assert services.reset_second_factor(people["binh"]) == 2
    assert not SecurityKeyDevice.objects.filter(user=people["binh"]).exists()
