"""The citizen's personal-data pages in a real browser, in Vietnamese and in English, on a 390 px phone and a
desktop (issue 21): the personal-data page, the two requests about a dossier, closing the account, and changing
the sign-in e-mail or phone — which also works to the end without JavaScript. Each page fits the screen, is
axe-clean and breaks no CSP rule (page_factory); screenshots in artifacts/screenshots/ for people to look at."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from motcua.accounts.models import User
from motcua.dossiers import services as dossier_services
from motcua.notifications import services as notify_services
from motcua.notifications.models import Message
from motcua.portal import services as portal_services
from tests.portal.conftest import make_procedure, submit

from .conftest import DESKTOP, axe_violations, screenshot
from .test_desk_intake import _signed_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}
PAGES = [("/cong-dan/du-lieu-ca-nhan/", "personal-data"), ("/cong-dan/du-lieu-ca-nhan/yeu-cau-sua/", "correction"),
         ("/cong-dan/du-lieu-ca-nhan/yeu-cau-khac/", "data-right"),
         ("/cong-dan/du-lieu-ca-nhan/dong-tai-khoan/", "close-account"),
         ("/cong-dan/du-lieu-ca-nhan/dia-chi-dang-nhap/", "change-identifier")]


@pytest.fixture
def an(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    cache.clear()  # the per-address and per-client allowances of the other tests (one live server, one cache)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    notify_services.seed_default_templates()
    make_procedure(org)
    dossier = dossier_services.accept(people["binh"], submit(people))
    request = portal_services.request_correction(people["an"], dossier, "address", "14 Trần Phú, Phường 3, Đà Lạt",
                                                 "Nhập nhầm số nhà khi tiếp nhận")
    portal_services.answer_request(people["binh"], request, "refuse", "Giấy tờ đã nộp ghi số nhà 12.")
    user = people["an"]
    # a long address, as some are, to see that it wraps on a phone
    user.username = user.email = "nguyen.van.an.phuong.xuan.huong@example-dalat.gov.vn"
    user.phone = "0912345678"
    user.save()
    return user


def _fits(page, viewport) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, page.url


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("viewport", "label"), [(PHONE_390, "phone"), (DESKTOP, "desktop")])
def test_the_personal_data_pages_in_both_languages(page_factory, live_server, an, viewport, label, language):
    page = page_factory(viewport)
    _signed_in(page, live_server, an)
    if language == "en":
        page.goto("/cong-dan/du-lieu-ca-nhan/")
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state("load")
    for path, name in PAGES:
        assert page.goto(path).status == 200, path
        assert page.locator("html").get_attribute("lang") == language, path
        _fits(page, viewport)
        assert axe_violations(page) == [], path
        screenshot(page, f"{language}-{name}-{label}")
    page.goto("/cong-dan/du-lieu-ca-nhan/dia-chi-dang-nhap/")
    page.locator("#id_identifier").fill("0977 123 456")
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Gửi mã|Send the code")).click()
    page.wait_for_load_state("load")
    assert "/dia-chi-dang-nhap/" in page.url and page.locator("#id_code").count() == 1
    _fits(page, viewport)
    assert axe_violations(page) == []
    screenshot(page, f"{language}-change-identifier-code-{label}")
    # a wrong code: the message next to the field, in the page's language
    page.locator("#id_code").fill("000000" if "000000" not in Message.objects.latest("pk").body else "111111")
    page.get_by_role("button", name=re.compile("Xác nhận thay đổi|Confirm the change")).click()
    page.wait_for_load_state("load")
    assert page.locator("#id_code_error").count() == 1
    assert axe_violations(page) == []
    screenshot(page, f"{language}-change-identifier-wrong-code-{label}")


def test_changing_the_phone_without_javascript(page_factory, live_server, an):
    page = page_factory(PHONE_390, javascript=False)
    _signed_in(page, live_server, an)
    page.goto("/cong-dan/du-lieu-ca-nhan/")
    page.get_by_role("link", name="Đổi thư điện tử hoặc số điện thoại dùng để đăng nhập").click()
    page.locator("#id_identifier").fill("0977 123 456")
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name="Gửi mã").click()
    page.wait_for_load_state("load")
    code = re.search(r"\b(\d{6})\b", Message.objects.filter(key="account.confirmation_code").latest("pk").body)
    assert code
    assert User.objects.get(pk=an.pk).phone == "0912345678"  # nothing yet
    page.locator("#id_code").fill(code.group(1))
    page.get_by_role("button", name="Xác nhận thay đổi").click()
    page.wait_for_url("**/cong-dan/du-lieu-ca-nhan/")
    assert "0977123456" in page.content()
    assert User.objects.get(pk=an.pk).phone == "0977123456"
    screenshot(page, "vi-change-identifier-done-phone")
