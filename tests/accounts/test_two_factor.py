"""The second factor of staff (docs/security.md "Second factor for staff"): enrolment, sign-in with a code from
the authenticator app or a recovery code, throttling and lockout of wrong codes, the pages, the admin site and
the session API closed before the second step, citizens and bearer tokens unaffected, the demo's path."""

from __future__ import annotations

import io
import re
import time

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts import services
from motcua.accounts.models import RecoveryCodeDevice

LOGIN = "/tai-khoan/dang-nhap/"
STEP = "/tai-khoan/xac-thuc-hai-buoc/"
ENROL = "/tai-khoan/xac-thuc-hai-buoc/thiet-lap/"
CODES = "/tai-khoan/xac-thuc-hai-buoc/ma-du-phong/"
QUEUE = "/ho-so/"
PASSWORD = "mat-khau-dai-1"


@pytest.fixture(autouse=True)
def _two_factor_on(settings):  # type: ignore[no-untyped-def]
    settings.MOTCUA_STAFF_2FA = True  # as in production (the rest of the suite turns it off)
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    settings.MOTCUA_2FA_FAILURE_LIMIT = 5


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or ``steps_ahead`` periods of 30 s later, still accepted: the
    device allows one period of clock drift, and a code once used cannot be used again)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def sign_in_password(client: Client, username: str, next_url: str = ""):  # type: ignore[no-untyped-def]
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def is_verified(client: Client) -> bool:
    return "otp_device_id" in client.session


@pytest.mark.django_db
def test_enrolment_shows_the_secret_confirms_with_a_code_then_shows_recovery_codes_once(client, people):
    response = sign_in_password(client, "binh")
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    # Before enrolling, every staff page leads to enrolment.
    assert client.get(QUEUE)["Location"].startswith(ENROL)

    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn by the server
    device = TOTPDevice.objects.get(user=people["binh"], confirmed=False)
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert 'for="id_code"' in html
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html)
    assert secret is not None
    import base64
    assert base64.b32decode(secret.group(1).replace(" ", "")) == device.bin_key
    assert "<script" not in html and "style=" not in html

    wrong = client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "không khớp" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed and not is_verified(client)

    time.sleep(1.01)  # the wrong code slowed the device down for a second
    done = client.post(ENROL, {"code": code_for(device), "next": "/ho-so/?bucket=mine"})
    assert done.status_code == 302 and done["Location"].startswith(CODES)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed and is_verified(client)

    shown = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    download = client.get(CODES + "?tai-ve=1")
    assert download["Content-Type"].startswith("text/plain") and "attachment" in download["Content-Disposition"]
    assert all(code in download.content.decode() for code in codes)
    # Only keyed digests are stored.
    stored = list(RecoveryCodeDevice.objects.get(user=people["binh"]).codes.values_list("digest", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)

    saved = client.post(CODES, {"action": "done", "next": "/ho-so/?bucket=mine"})
    assert saved["Location"] == "/ho-so/?bucket=mine"
    again = client.get(CODES).content.decode()
    assert not any(code in again for code in codes)  # shown once
    assert client.get(CODES + "?tai-ve=1").status_code == 200  # the page, no longer the file
    assert client.get(QUEUE).status_code == 200


@pytest.mark.django_db
def test_sign_in_with_the_authenticator_code(client, people):
    device = enrolled(people["giang"])
    response = sign_in_password(client, "giang", next_url="/ho-so/?bucket=mine")
    assert response.status_code == 302
    assert response["Location"].startswith(STEP) and "bucket%3Dmine" in response["Location"]
    step = client.get(response["Location"]).content.decode()
    assert 'autocomplete="one-time-code"' in step and "Mã từ ứng dụng xác thực" in step

    half_signed_in = client.session.session_key
    passed = client.post(STEP, {"code": code_for(device), "next": "/ho-so/?bucket=mine"})
    assert passed.status_code == 302 and passed["Location"] == "/ho-so/?bucket=mine"
    assert is_verified(client)
    assert client.session.session_key != half_signed_in  # a new session key once the privilege changed
    assert client.get(QUEUE).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_a_code_is_not_accepted_twice(client, people):
    device = enrolled(people["giang"])
    sign_in_password(client, "giang")
    code = code_for(device)
    client.post(STEP, {"code": code})
    assert is_verified(client)
    other = Client()
    sign_in_password(other, "giang")
    refused = other.post(STEP, {"code": code})
    assert refused.status_code == 200 and not is_verified(other)


@pytest.mark.django_db
def test_staff_pages_the_admin_site_and_the_session_api_are_closed_before_the_second_step(client, people):
    enrolled(people["ha"])
    sign_in_password(client, "ha")
    assert "_auth_user_id" in client.session and not is_verified(client)
    for path in (QUEUE, "/quan-tri/", "/quan-tri/accounts/user/", "/tai-khoan/", "/thong-ke/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(STEP), path
    api = client.get("/api/v1/me")
    assert api.status_code == 401 and api.json()["error"]["code"] == "second_factor_required"
    assert "xác thực hai bước" in api.json()["error"]["message"]
    # A write through the session API is refused too.
    assert client.post("/api/v1/dossiers", {}, content_type="application/json").status_code == 401
    # The admin site's own sign-in form leads to the same step.
    admin_client = Client()
    admin_client.post("/quan-tri/login/?next=/quan-tri/", {"username": "ha", "password": PASSWORD})
    response = admin_client.get("/quan-tri/")
    assert response.status_code == 302 and response["Location"].startswith(STEP)


@pytest.mark.django_db
def test_every_staff_role_is_asked_and_citizens_are_not(people):
    from motcua.accounts.permissions import requires_second_factor

    for username in ("binh", "cuong", "dung", "giang", "ha", "khanh", "thanh"):
        assert requires_second_factor(people[username]), username
    assert not requires_second_factor(people["an"])
    client = Client()
    response = sign_in_password(client, "an")
    assert response.status_code == 302 and STEP not in response["Location"] and ENROL not in response["Location"]
    assert client.get("/tai-khoan/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert client.get(ENROL)["Location"] == "/tai-khoan/"  # nothing to enrol


@pytest.mark.django_db
def test_bearer_tokens_are_machine_credentials_without_a_second_factor(client, people):
    _token, clear = services.create_token(people["binh"], "connector")
    response = client.get("/api/v1/me", headers={"authorization": f"Bearer {clear}"})
    assert response.status_code == 200 and response.json()["username"] == "binh"


@pytest.mark.django_db
def test_sign_in_with_a_recovery_code_spends_it(client, people):
    enrolled(people["thanh"])
    codes = services.new_recovery_codes(people["thanh"])
    sign_in_password(client, "thanh")
    page = client.get(STEP + "?ma-du-phong=1").content.decode()
    assert "Mã dự phòng" in page and 'name="recovery"' in page
    passed = client.post(STEP, {"code": codes[3].lower().replace("-", " "), "recovery": "1"}, follow=True)
    assert is_verified(client)
    assert "Số mã dự phòng còn lại: 9" in passed.content.decode()
    assert RecoveryCodeDevice.objects.get(user=people["thanh"]).remaining() == 9

    again = Client()
    sign_in_password(again, "thanh")
    refused = again.post(STEP, {"code": codes[3], "recovery": "1"})
    assert refused.status_code == 200 and not is_verified(again)
    assert "đã được dùng" in refused.content.decode()
    time.sleep(1.01)
    assert again.post(STEP, {"code": codes[4], "recovery": "1"}).status_code == 302 and is_verified(again)


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(client, people):
    device = enrolled(people["cuong"])
    old = services.new_recovery_codes(people["cuong"])
    sign_in_password(client, "cuong")
    client.post(STEP, {"code": code_for(device)})
    account = client.get("/tai-khoan/").content.decode()
    assert "Xác thực hai bước" in account and "Còn 10 mã dự phòng." in account
    assert "Tạo mã dự phòng mới" in account and "Chuyển sang ứng dụng xác thực mới" in account
    response = client.post(CODES, {"action": "regenerate"})
    assert response.status_code == 302
    new = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", client.get(CODES).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    other = Client()
    sign_in_password(other, "cuong")
    assert other.post(STEP, {"code": old[0], "recovery": "1"}).status_code == 200 and not is_verified(other)


@pytest.mark.django_db
def test_wrong_codes_slow_the_device_down(client, people):
    device = enrolled(people["dung"])
    sign_in_password(client, "dung")
    wrong = "000000" if code_for(device) != "000000" else "111111"
    assert client.post(STEP, {"code": wrong}).status_code == 200
    # Right after a wrong code even the right one is refused: wait 1 s (then 2, 4, 8 … after more failures).
    throttled = client.post(STEP, {"code": code_for(device)})
    assert throttled.status_code == 200 and not is_verified(client)
    assert "Chờ" in throttled.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    time.sleep(1.01)
    assert client.post(STEP, {"code": code_for(device)}).status_code == 302 and is_verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.django_db
def test_too_many_wrong_codes_sign_the_session_out(client, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the per-session limit alone
    device = enrolled(people["binh"])
    sign_in_password(client, "binh")
    wrong = "000000" if code_for(device) != "000000" else "111111"
    for _ in range(4):
        assert client.post(STEP, {"code": wrong}).status_code == 200
    out = client.post(STEP, {"code": wrong}, follow=True)
    assert "_auth_user_id" not in client.session
    assert out.redirect_chain[-1][0] == LOGIN
    assert "Nhập sai mã quá nhiều lần" in out.content.decode()
    # The step is gone with the session: the right code no longer signs anyone in.
    assert client.post(STEP, {"code": code_for(device)})["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_the_password_alone_cannot_replace_the_authenticator(client, people):
    device = enrolled(people["binh"])
    sign_in_password(client, "binh")
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(STEP)
    client.post(ENROL, {"code": "123456"})
    assert list(TOTPDevice.objects.filter(user=people["binh"])) == [device]
    assert client.get(CODES)["Location"].startswith(STEP)


@pytest.mark.django_db
def test_moving_to_a_new_app_replaces_the_old_one_once_confirmed(client, people):
    old = enrolled(people["cuong"])
    sign_in_password(client, "cuong")
    client.post(STEP, {"code": code_for(old)})
    assert client.get(ENROL).status_code == 200  # a verified session may set up a new app
    new = TOTPDevice.objects.get(user=people["cuong"], confirmed=False)
    assert TOTPDevice.objects.filter(pk=old.pk).exists()  # the old app works until the new one is confirmed
    assert client.post(ENROL, {"code": code_for(new)})["Location"].startswith(CODES)
    assert list(TOTPDevice.objects.filter(user=people["cuong"])) == [new]
    assert is_verified(client) and client.get(QUEUE).status_code == 200


@pytest.mark.django_db
def test_an_administrator_resets_a_lost_authenticator_and_the_audit_log_says_who(client, people):
    ha_device = enrolled(people["ha"])
    enrolled(people["binh"])
    services.new_recovery_codes(people["binh"])
    sign_in_password(client, "ha")
    client.post(STEP, {"code": code_for(ha_device)})
    response = client.post("/quan-tri/accounts/user/", {
        "action": "reset_second_factor", "_selected_action": [people["binh"].pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=people["binh"]).exists()
    assert not RecoveryCodeDevice.objects.filter(user=people["binh"]).exists()
    entries = LogEntry.objects.filter(action=LogEntry.Action.DELETE, actor=people["ha"],
                                      content_type__model__in=["totpdevice", "recoverycodedevice"])
    assert entries.count() == 2
    # Bình enrols again at the next sign-in.
    binh = Client()
    assert sign_in_password(binh, "binh")["Location"].startswith(ENROL)


@pytest.mark.django_db
def test_the_secret_key_is_not_shown_in_the_admin(client, people):
    device = enrolled(people["ha"])
    sign_in_password(client, "ha")
    client.post(STEP, {"code": code_for(device)})
    assert client.get("/quan-tri/").status_code == 200
    assert client.get("/quan-tri/otp_totp/totpdevice/").status_code == 404
    assert device.key not in client.get(f"/quan-tri/accounts/user/{people['ha'].pk}/change/").content.decode()


@pytest.mark.django_db
def test_the_demo_officers_sign_in_with_the_printed_code(client, settings, tmp_path):
    from motcua.accounts import demo

    settings.MOTCUA_DEMO_CREDENTIALS_FILE = tmp_path / "creds.txt"
    out = io.StringIO()
    demo.seed(out)
    assert "motcua democode" in out.getvalue()
    password = next(line.split()[1] for line in out.getvalue().splitlines() if line.strip().startswith("binh "))
    secret = demo.read_totp_secrets()["binh"]
    assert "an" not in demo.read_totp_secrets()  # citizens have none
    demo.seed(io.StringIO())  # a second run keeps the secret (the authenticator app keeps working)
    assert demo.read_totp_secrets()["binh"] == secret and TOTPDevice.objects.filter(user__username="binh").count() == 1

    code = io.StringIO()
    call_command("democode", "binh", stdout=code, stderr=io.StringIO())
    assert re.fullmatch(r"\d{6}\n", code.getvalue())
    response = client.post(LOGIN, {"username": "binh", "password": password})
    assert response["Location"].startswith(STEP)
    assert client.post(STEP, {"code": code.getvalue().strip()}).status_code == 302 and is_verified(client)
    assert client.get(QUEUE).status_code == 200
