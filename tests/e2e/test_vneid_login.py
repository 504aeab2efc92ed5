"""A citizen signs in through VNeID (the development OpenID provider, over real HTTP, in the browser), files a dossier
through the portal's wizard and sees on it that the account is identified through VNeID — axe-clean on the pages
of the sign-in; a tampered ID token ends on a clear page and signs no one in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from motcua.accounts.models import User
from motcua.catalogue import services as catalogue_services
from motcua.dossiers.models import Dossier
from motcua.integrations.vneid import client as vneid_client
from motcua.integrations.vneid.provider import VneidProvider
from motcua.notifications import services as notify_services
from tests.portal.conftest import PDF, make_procedure

from .conftest import PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(settings) -> Iterator[VneidProvider]:  # type: ignore[no-untyped-def]
    with VneidProvider() as double:
        settings.MOTCUA_VNEID_ISSUER = double.issuer
        settings.MOTCUA_VNEID_CLIENT_ID = "motcua"
        settings.MOTCUA_VNEID_CLIENT_SECRET = "motcua-dev-secret"
        settings.MOTCUA_VNEID_CLAIMS = {}
        vneid_client._apps.clear()
        yield double
        vneid_client._apps.clear()


@pytest.fixture
def site(people, org, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_NOTIFY_CHANNELS = {"email": {"BACKEND": "motcua.notifications.channels.email.EmailChannel",
                                                 "OPTIONS": {}}}
    settings.MOTCUA_NOTIFY_ORDER = ["email"]
    cache.clear()
    notify_services.seed_default_templates()
    procedure = make_procedure(org)
    catalogue_services.refresh_search(procedure)
    return procedure


def _check(page: Any, name: str) -> None:
    page.wait_for_load_state("load")
    screenshot(page, f"vneid-{name}")
    assert axe_violations(page) == [], name


def _to_provider(page: Any) -> None:
    assert page.goto("/tai-khoan/dang-nhap/").status == 200
    _check(page, "login")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Đăng nhập bằng VNeID (giả lập)").is_visible()


def test_a_citizen_signs_in_with_vneid_files_a_dossier_and_sees_the_flag(page_factory, site, provider, tmp_path):
    page = page_factory(PHONE)
    _to_provider(page)
    _check(page, "provider")
    page.get_by_label("Lê Thị Chi — 068195004321 — mức 2").check()
    page.get_by_role("button", name="Đồng ý").click()
    page.wait_for_url("**/cong-dan/")
    assert "Bạn đã đăng nhập" in page.content() or "Chào mừng" in page.content()
    _check(page, "home")
    user = User.objects.get(vneid_identity__id_number="068195004321")
    assert user.full_name == "Lê Thị Chi" and user.identity_level == "vneid2"
    # File a dossier through the wizard
    page.goto("/cong-dan/nop-ho-so/1.013236/")
    page.get_by_role("button", name="Bắt đầu").click()
    page.locator("#id_id_number").fill("068195004321")
    page.locator("#id_address").fill("5 Hùng Vương, Đà Lạt, Lâm Đồng")
    page.locator("#id_phone").fill("0987654321")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.locator("#id_subject").fill("Nhà ở 3 tầng")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    pdf = tmp_path / "don.pdf"
    pdf.write_bytes(PDF)
    page.locator("#document_1").set_input_files(str(pdf))
    page.locator("#document_2").set_input_files(str(pdf))
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.locator("#id_acknowledged").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.locator("#id_method_0").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    dossier = Dossier.objects.get()
    assert dossier.owner_id == user.pk and dossier.identity_level == "vneid2"
    # Open it: the flag is there
    assert page.goto(f"/cong-dan/ho-so/{dossier.public_id}/").status == 200
    assert page.get_by_text("Tài khoản định danh VNeID mức 2").is_visible()
    _check(page, "dossier")


def test_a_tampered_id_token_ends_on_a_clear_page_and_signs_no_one_in(page_factory, site, provider):
    provider.id_fault = "wrong_key"
    page = page_factory(PHONE)
    _to_provider(page)
    page.get_by_role("button", name="Đồng ý").click()
    page.wait_for_url("**/ket-noi/vneid/ve/**")
    assert page.get_by_role("heading", name="Đăng nhập bằng VNeID không thành công").is_visible()
    assert "không kiểm chứng được" in page.content()
    _check(page, "refused")
    assert not User.objects.filter(vneid_identity__isnull=False).exists()
    assert page.goto("/tai-khoan/").url.endswith("/tai-khoan/dang-nhap/?next=/tai-khoan/")
