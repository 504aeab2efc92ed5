"""Security keys and passkeys in a browser (docs/security.md "Second factor for staff"): Chromium's virtual
authenticator (DevTools protocol, WebAuthn domain) stands for a passkey on the computer. An officer who signed in
with the app's code enrols a passkey on the page of her keys, signs out, and signs in again with the passkey; and
without JavaScript the step still takes the app's code. axe finds nothing; the CSP blocks nothing (page_factory)."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import SecurityKeyDevice

from .conftest import DESKTOP, PHONE, authenticator_code, axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

KEYS = "/tai-khoan/xac-thuc-hai-buoc/khoa-bao-mat/"


def virtual_authenticator(page):  # type: ignore[no-untyped-def]
    """A platform authenticator with user verification that always succeeds (as a passkey on a laptop)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return cdp, found["authenticatorId"]


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_an_officer_enrols_a_passkey_then_signs_in_with_it(page_factory, people, settings, viewport, label):
    settings.MOTCUA_STAFF_2FA = True
    settings.MOTCUA_PUBLIC_BASE_URL = ""  # the live server's own address (http://localhost:port) is the RP
    TOTPDevice.objects.create(user=people["binh"], name="authenticator", confirmed=True)
    page = page_factory(viewport)
    cdp, authenticator = virtual_authenticator(page)
    sign_in(page, "binh")  # the password, then the app's code

    page.goto(KEYS)
    assert page.get_by_role("heading", level=1).inner_text() == "Khóa bảo mật và passkey"
    assert not page.get_by_text("cần JavaScript").is_visible()  # the script took its place
    assert axe_violations(page) == []
    page.get_by_label("Tên khóa").fill("Máy tính cơ quan")
    page.get_by_role("button", name="Thêm khóa bảo mật hoặc passkey").click()
    page.get_by_text("Đã thêm khóa bảo mật “Máy tính cơ quan”").wait_for()
    key = SecurityKeyDevice.objects.get(user=people["binh"])
    assert key.name == "Máy tính cơ quan" and key.credential_id
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    assert page.locator("main").get_by_text("Máy tính cơ quan", exact=True).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert axe_violations(page) == []
    screenshot(page, f"security-keys-{label}")

    page.get_by_role("button", name=re.compile("Đăng xuất")).first.click()
    page.wait_for_load_state("load")
    page.goto("/tai-khoan/dang-nhap/?next=/ho-so/")
    page.locator("#id_username").fill("binh")
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập")).click()
    page.wait_for_load_state("load")
    assert "/xac-thuc-hai-buoc/" in page.url
    assert axe_violations(page) == []
    screenshot(page, f"security-key-step-{label}")
    page.get_by_role("button", name="Dùng khóa bảo mật / passkey").click()
    page.wait_for_url(re.compile(r"/ho-so/"))
    assert page.get_by_role("heading", level=1).is_visible()
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_without_javascript_the_step_says_so_and_the_code_still_works(page_factory, people, settings):
    settings.MOTCUA_STAFF_2FA = True
    TOTPDevice.objects.create(user=people["binh"], name="authenticator", confirmed=True)
    SecurityKeyDevice.objects.create(user=people["binh"], name="Khóa USB", confirmed=True, credential_id="AAAA",
                                     public_key=b"")
    page = page_factory(PHONE, javascript=False)
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill("binh")
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập")).click()
    page.wait_for_load_state("load")
    assert page.get_by_text("cần JavaScript").is_visible()
    assert not page.get_by_role("button", name="Dùng khóa bảo mật / passkey").is_visible()
    page.get_by_label("Mã từ ứng dụng xác thực").fill(authenticator_code("binh"))
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_load_state("load")
    assert "/ho-so/" in page.url
    page.goto(KEYS)
    assert page.get_by_text("Bạn vẫn đăng nhập được bằng mã từ ứng dụng xác thực").is_visible()
    assert not page.get_by_label("Tên khóa").is_visible()
    screenshot(page, "security-keys-phone-nojs")
