"""The citizen's path on a phone: register, find a procedure without diacritics, submit with uploads, get the
code, track it on /tra-cuu, get the result and rate it — axe-clean on every page, screenshots kept. And the
page-weight rule: no citizen page over 100 KB on first load (fonts included; images excluded)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from motcua.catalogue import services as catalogue_services
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.notifications import services as notify_services
from motcua.notifications.models import Message
from motcua.portal.models import PendingRegistration
from motcua.surveys.models import Response
from tests.portal.conftest import PDF, force_status, make_procedure

from .conftest import PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 100 * 1024


@pytest.fixture
def site(people, org, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_NOTIFY_CHANNELS = {"email": {"BACKEND": "motcua.notifications.channels.email.EmailChannel",
                                                 "OPTIONS": {}}}
    settings.MOTCUA_NOTIFY_ORDER = ["email"]
    settings.MOTCUA_TRACKING_RATE_LIMIT = 1000
    cache.clear()
    notify_services.seed_default_templates()
    procedure = make_procedure(org)
    catalogue_services.refresh_search(procedure)
    return procedure


def _check(page: Any, name: str) -> None:
    page.wait_for_load_state("load")
    screenshot(page, f"portal-{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, name
    assert axe_violations(page) == [], name


def _code_of(identifier: str) -> str:
    message = Message.objects.filter(key="account.confirmation_code").order_by("-id").first()
    assert message is not None and identifier
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match
    return match.group(1)


def test_register_submit_track_and_rate_on_a_phone(page_factory, site, people, tmp_path):
    page = page_factory(PHONE)
    # Register
    assert page.goto("/dang-ky/").status == 200
    _check(page, "register")
    page.locator("#id_full_name").fill("Lê Thị Chi")
    page.locator("#id_identifier").fill("chi@example.vn")
    page.locator("#id_password").fill("mot-mat-khau-rat-dai-2026")
    page.locator("#id_password2").fill("mot-mat-khau-rat-dai-2026")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    assert PendingRegistration.objects.exists()
    _check(page, "register-confirm")
    page.locator("#id_code").fill(_code_of("chi@example.vn"))
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    assert "/cong-dan/" in page.url
    _check(page, "home")
    # Find the procedure by a search without diacritics
    page.goto("/thu-tuc/?q=giay+phep+xay+dung")
    page.get_by_role("link", name=re.compile("Cấp giấy phép xây dựng")).first.click()
    assert "/thu-tuc/1.013236/" in page.url
    # The procedure page's link comes with the lead's change; go to the wizard by its address meanwhile.
    page.goto("/cong-dan/nop-ho-so/1.013236/")
    _check(page, "submit-start")
    page.get_by_role("button", name="Bắt đầu").click()
    # Applicant
    _check(page, "step-applicant")
    page.locator("#id_id_number").fill("068090004321")
    page.locator("#id_address").fill("5 Hùng Vương, Đà Lạt, Lâm Đồng")
    page.locator("#id_phone").fill("0987654321")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    # Questions
    _check(page, "step-questions")
    page.locator("#id_subject").fill("Nhà ở 3 tầng")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    # Documents, one upload each
    _check(page, "step-documents")
    pdf = tmp_path / "don.pdf"
    pdf.write_bytes(PDF)
    page.locator("#document_1").set_input_files(str(pdf))
    page.locator("#document_2").set_input_files(str(pdf))
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    # Fees
    _check(page, "step-fees")
    page.locator("#id_acknowledged").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    # Delivery
    _check(page, "step-delivery")
    page.locator("#id_method_0").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    # Review and submit
    _check(page, "step-review")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    dossier = Dossier.objects.get()
    assert dossier.public_id in page.content()
    _check(page, "submitted")
    # The desk accepts it: the code
    dossier = dossier_services.accept(people["binh"], dossier)
    assert dossier.code
    # Track it, as anyone would (the form is a plain POST: no JavaScript needed)
    tracker = page_factory(PHONE)
    tracker.goto(f"/tra-cuu?code={dossier.code}")
    tracker.locator("#id_verify").fill("4321")
    tracker.get_by_role("button", name="Tra cứu").click()
    assert "status-2" in tracker.content()
    _check(tracker, "tracked")
    # The result is returned; the citizen rates it from their dossier page
    dossier = dossier_services.transfer(people["binh"], dossier)
    dossier = force_status(dossier, 9, people["cuong"])
    dossier = force_status(dossier, 10, people["binh"])
    page.goto(f"/cong-dan/ho-so/{dossier.code}/")
    _check(page, "dossier-returned")
    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    _check(page, "rating")
    for group in ("Thời gian giải quyết hồ sơ", "Số lần phải đi lại", "Thái độ của công chức",
                  "Mức độ hài lòng chung"):
        page.get_by_role("group", name=group).get_by_label("5 — Rất hài lòng").check()
    page.get_by_role("button", name="Gửi câu trả lời").click()
    assert Response.objects.count() == 1
    _check(page, "rated")
    page.goto(f"/cong-dan/ho-so/{dossier.code}/truy-cap/")
    assert "Trần Thị Bình" in page.content()
    _check(page, "access-log")


def _weigh(page: Any, path: str) -> int:
    sizes: list[int] = []

    def on_response(response: Any) -> None:
        if response.request.resource_type == "image":
            return
        try:
            sizes.append(len(response.body()))
        except Exception:  # a redirect has no body
            sizes.append(0)

    page.on("response", on_response)
    page.goto(path)
    page.wait_for_load_state("load")
    page.remove_listener("response", on_response)
    return sum(sizes)


def test_no_citizen_page_weighs_over_100_kb(page_factory, site, people):
    from django.contrib.auth import get_user_model

    dossier = dossier_services.accept(people["binh"], dossier_services.submit_online(
        people["an"], __import__("tests.portal.conftest", fromlist=["intake"]).intake(),
        [__import__("tests.portal.conftest", fromlist=["pdf"]).pdf(1)]))
    anonymous = ["/tra-cuu", f"/tra-cuu?code={dossier.code}", "/dang-ky/"]
    page = page_factory(PHONE)
    for path in anonymous:
        assert _weigh(page, path) < LIMIT, path
    # Signed in as An (through the login form, as a person would)
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill("an")
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()
    assert get_user_model().objects.filter(username="an").exists()
    page.goto("/cong-dan/nop-ho-so/1.013236/")
    page.get_by_role("button", name="Bắt đầu").click()
    draft = page.url.rsplit("/", 2)[0]
    signed_in = ["/cong-dan/", f"/cong-dan/ho-so/{dossier.code}/", f"/cong-dan/ho-so/{dossier.code}/truy-cap/",
                 "/cong-dan/nop-ho-so/1.013236/"] + [f"{draft}/{step}/" for step in
                                                      ("applicant", "questions", "documents", "fees", "delivery",
                                                       "review")]
    for path in signed_in:
        assert _weigh(page, path) < LIMIT, path
