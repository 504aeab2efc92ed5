"""Personal data rights in a real browser (issue 21): Bình answers An's correction request in the agency's queue
without JavaScript; An reads the answer, asks for the deletion of a dossier's data and sees what closing the
account means. Each page on a phone and a desktop, axe-clean, no CSP violation (page_factory); screenshots for
people to look at."""

from __future__ import annotations

import pytest

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.notifications import services as notify_services
from motcua.portal import services
from tests.portal.conftest import make_procedure, submit

from .conftest import DESKTOP, PHONE, axe_violations, screenshot
from .test_desk_intake import _signed_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def request_(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    notify_services.seed_default_templates()
    make_procedure(org)
    dossier = dossier_services.accept(people["binh"], submit(people))
    return services.request_correction(people["an"], dossier, "address", "14 Trần Phú, Phường 3, Đà Lạt",
                                       "Nhập nhầm số nhà khi tiếp nhận")


def _fits(page, viewport) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_queue_and_the_answer_without_javascript(page_factory, live_server, request_, people, viewport, label):
    page = page_factory(viewport, javascript=False)
    _signed_in(page, live_server, people["binh"])
    page.goto("/du-lieu-ca-nhan/yeu-cau/")
    assert page.get_by_role("heading", level=1).inner_text() == "Yêu cầu về dữ liệu cá nhân"
    _fits(page, viewport)
    screenshot(page, f"data-requests-queue-{label}")
    page.get_by_role("link", name="Chỉnh sửa: Địa chỉ").click()
    page.wait_for_load_state()
    assert "14 Trần Phú, Phường 3, Đà Lạt" in page.content()
    screenshot(page, f"data-request-answer-{label}")
    page.get_by_label("Chỉnh sửa hồ sơ theo yêu cầu").check()
    page.get_by_role("button", name="Ghi nhận câu trả lời").click()
    page.wait_for_url("**/du-lieu-ca-nhan/yeu-cau/")
    assert Dossier.objects.get(pk=request_.dossier_id).applicant_address == "14 Trần Phú, Phường 3, Đà Lạt"
    scripted = page_factory(viewport)
    _signed_in(scripted, live_server, people["binh"])
    for url in ("/du-lieu-ca-nhan/yeu-cau/?xem=tat-ca", f"/du-lieu-ca-nhan/yeu-cau/{request_.pk}/"):
        scripted.goto(url)
        assert axe_violations(scripted) == [], url


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_citizens_pages(page_factory, live_server, request_, people, viewport, label):
    services.answer_request(people["binh"], request_, "refuse", "Giấy tờ đã nộp ghi số nhà 12.")
    page = page_factory(viewport)
    _signed_in(page, live_server, people["an"])
    page.goto("/cong-dan/du-lieu-ca-nhan/")
    assert "Giấy tờ đã nộp ghi số nhà 12." in page.content()
    _fits(page, viewport)
    assert axe_violations(page) == []
    screenshot(page, f"personal-data-{label}")
    for url, name in (("/cong-dan/du-lieu-ca-nhan/yeu-cau-khac/", "data-right"),
                      ("/cong-dan/du-lieu-ca-nhan/dong-tai-khoan/", "close-account")):
        page.goto(url)
        _fits(page, viewport)
        assert axe_violations(page) == [], url
        screenshot(page, f"{name}-{label}")
