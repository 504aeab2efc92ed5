"""One-stop inter-agency in a browser, on a phone and a desktop, without JavaScript, axe-clean: Khánh (the
environment department) finds his agency's part of a construction dossier in his own list, opens it, reads its
transfer slip and finishes his part with the answer; the dossier page then shows each agency's part, its slip
and its result; the public procedure page lists the agencies that take part."""

from __future__ import annotations

import re

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import AgencyPart, Dossier
from tests.dossiers.test_interagency import two_agencies
from tests.dossiers.workflow_helpers import received, t

from .conftest import DESKTOP, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def dossier(org, people, settings, tmp_path) -> Dossier:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    two_agencies(org)
    return services.transfer(people["binh"], received(people, t(2026, 8, 3, 9, 0)), at=t(2026, 8, 3, 9, 30))


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()


def _fits(page, viewport) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_partner_agency_does_its_part(page_factory, dossier, viewport, label):  # type: ignore[no-untyped-def]
    page = page_factory(viewport, javascript=False)
    _sign_in(page, "khanh")
    page.goto("/ho-so/?bucket=to_take")
    page.get_by_role("link", name=dossier.code).first.click()
    main = page.inner_text("main")
    assert "Các cơ quan tham gia giải quyết" in main and "Cho ý kiến về đất đai" in main and "01/PCXL" in main
    _fits(page, viewport)
    screenshot(page, f"interagency-dossier-{label}")
    # The slip is a PDF served to whoever may see the dossier.
    href = page.get_by_role("link", name=re.compile("Phiếu 01.PCXL")).get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    # He takes his agency's step and finishes it with the answer.
    page.get_by_role("link", name="Nhận xử lý hồ sơ").click()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Hoàn thành bước và chuyển tiếp").click()
    page.locator("main form textarea").first.fill("Đất ở đô thị, phù hợp quy hoạch")
    screenshot(page, f"interagency-finish-part-{label}")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    part = AgencyPart.objects.get(dossier=dossier, lead=False)
    assert part.ended_at is not None and part.answer == "Đất ở đô thị, phù hợp quy hoạch"
    page.goto(f"/ho-so/{dossier.code}/")
    assert "Đất ở đô thị, phù hợp quy hoạch" in page.inner_text("main")


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_pages_are_axe_clean(page_factory, dossier, viewport, label):  # type: ignore[no-untyped-def]
    page = page_factory(viewport)
    _sign_in(page, "binh")
    page.goto(f"/ho-so/{dossier.code}/")
    assert "Phiếu chuyển xử lý" in page.inner_text("main")
    _fits(page, viewport)
    assert axe_violations(page) == []
    page.goto(f"/thu-tuc/{dossier.procedure.code}/")
    assert "Các cơ quan tham gia (một cửa liên thông)" in page.inner_text("main")
    _fits(page, viewport)
    assert axe_violations(page) == []
    screenshot(page, f"interagency-procedure-{label}")
