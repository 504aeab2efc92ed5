"""The desk in a real browser: Bình receives a dossier without JavaScript (the result to go by post) and gets
the receipt; the desk, the dossier page and the queue on a phone and a desktop, axe-clean."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from tests.dossiers.conftest import PDF, intake, make_procedure

from .conftest import DESKTOP, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    make_procedure(org)
    return people


def _signed_in(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    """Put a session cookie for ``user`` into the browser, as a sign-in would."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key,
                               "url": live_server.url}])


def _axe(page_factory, live_server, user, url: str, viewport) -> list:  # type: ignore[no-untyped-def]
    """axe runs in the page, so it needs JavaScript: check the same page in a second, scripted browser."""
    page = page_factory(viewport)
    _signed_in(page, live_server, user)
    page.goto(url)
    return axe_violations(page)


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_binh_receives_a_dossier_without_javascript_and_gets_the_receipt(page_factory, live_server, desk, tmp_path,
                                                                       viewport, label):
    page = page_factory(viewport, javascript=False)
    _signed_in(page, live_server, desk["binh"])
    page.goto("/ho-so/")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").first.click()
    page.get_by_role("link", name="Cấp giấy phép xây dựng").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"desk-intake-{label}")
    assert _axe(page_factory, live_server, desk["binh"], page.url, viewport) == []

    # First a mistake: the ID number is short and the plan is not ticked. The form comes back with both.
    page.get_by_label("Họ và tên hoặc tên tổ chức").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân", exact=True).fill("06809000")
    page.get_by_role("group", name="Đơn đề nghị cấp giấy phép xây dựng").get_by_label("Đã nộp").check()
    page.get_by_role("button", name="Lưu và in phiếu").click()
    assert page.get_by_role("alert").count() == 1
    assert "Thiếu giấy tờ bắt buộc" in page.content()
    screenshot(page, f"desk-intake-errors-{label}")
    assert page.get_by_label("Họ và tên hoặc tên tổ chức").input_value() == "Nguyễn Văn An"
    assert not Dossier.objects.exists()

    # Then the result by post, but no address: the service's message comes back next to the address field.
    returned = page.get_by_role("group", name="Hình thức trả kết quả")
    assert returned.get_by_label("Tại Bộ phận Một cửa").is_checked()
    page.get_by_label("Số định danh cá nhân", exact=True).fill("068090001234")
    page.get_by_label("Địa chỉ", exact=True).fill("12 Trần Phú, phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng")
    page.get_by_label("Số điện thoại", exact=True).fill("0912345678")
    first = page.get_by_role("group", name="Đơn đề nghị cấp giấy phép xây dựng")
    first.get_by_label("Đã nộp").check()
    page.get_by_role("group", name="Bản vẽ thiết kế").get_by_label("Đã nộp").check()
    returned.get_by_label("Qua bưu chính").check()
    page.get_by_role("button", name="Lưu và in phiếu").click()
    assert page.get_by_role("alert").count() == 1
    assert "Hãy nhập địa chỉ nhận kết quả qua bưu chính." in page.locator("#id_result_address_error").inner_text()
    assert page.get_by_role("group", name="Hình thức trả kết quả").get_by_label("Qua bưu chính").is_checked()
    assert not Dossier.objects.exists()
    postal = "Số 5 Lê Lợi, phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng"
    page.get_by_label("Địa chỉ nhận kết quả qua bưu chính").fill(postal)

    scan = tmp_path / "don-de-nghi.pdf"
    scan.write_bytes(PDF)
    first.get_by_label("Bản quét hoặc tệp").set_input_files(str(scan))
    drawings = page.get_by_role("group", name="Bản vẽ thiết kế")
    drawings.get_by_label("Đã nộp").check()
    drawings.get_by_label("Đã số hóa tại Một cửa").check()  # scanned: its scan goes with it (else refused)
    drawings_scan = tmp_path / "ban-ve.pdf"
    drawings_scan.write_bytes(PDF)
    drawings.get_by_label("Bản quét hoặc tệp").set_input_files(str(drawings_scan))
    page.get_by_role("button", name="Lưu và in phiếu").click()

    dossier = Dossier.objects.get()
    assert dossier.code and page.url.endswith(f"/ho-so/{dossier.code}/")
    assert (dossier.result_method, dossier.result_address) == ("post", postal)
    assert "Đã tiếp nhận hồ sơ" in page.content()
    screenshot(page, f"desk-dossier-{label}")
    assert _axe(page_factory, live_server, desk["binh"], page.url, viewport) == []
    # "Save and print" issued the receipt: the forms bar and the list of issued forms both link its copy.
    receipts = page.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    assert receipts.count() == 2
    href = receipts.first.get_attribute("href")
    assert href == f"/ho-so/{dossier.code}/phieu/receipt/"
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert "x-form-preview" not in response.headers  # the issued copy, not a preview (headers lower-cased)
    assert response.body().startswith(b"%PDF")


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_queue_and_search_on_phone_and_desktop_are_accessible(page_factory, live_server, desk, viewport, label):
    for _ in range(3):
        services.transfer(desk["binh"], services.receive_at_desk(desk["binh"], intake()))
    services.submit_online(desk["an"], intake())
    page = page_factory(viewport)
    _signed_in(page, live_server, desk["binh"])
    assert page.goto("/ho-so/").status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"desk-queue-{label}")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Trực tuyến, chờ kiểm tra").click()
    assert page.locator("tbody tr").count() == 1
    page.goto("/ho-so/tim-kiem/?q=nguyen+van+an")
    assert page.locator("tbody tr").count() == 4
    screenshot(page, f"desk-search-{label}")
    assert axe_violations(page) == []


def test_an_action_form_shows_its_error_then_acts(page_factory, live_server, desk):
    d = services.submit_online(desk["an"], intake())
    page = page_factory(DESKTOP)
    _signed_in(page, live_server, desk["binh"])
    page.goto(f"/ho-so/{d.reference}/refuse/")
    page.get_by_role("button", name="Từ chối (mẫu 03)").click()
    assert page.get_by_role("alert").count() == 1
    screenshot(page, "desk-refuse-error-desktop")
    assert axe_violations(page) == []
    page.get_by_label("Lý do").fill("Không thuộc thẩm quyền giải quyết của Sở Xây dựng")
    page.get_by_role("button", name="Từ chối (mẫu 03)").click()
    assert "Phiếu từ chối tiếp nhận giải quyết hồ sơ" in page.content()
