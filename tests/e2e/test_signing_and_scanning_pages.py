"""The verification page of a signed paper and the desk's scanning step, in a browser on a phone and a
desktop: each fits the screen and axe finds nothing; the page says the paper is valid, and a changed copy
uploaded without JavaScript is said not to check out; the desk scans and checks a document without
JavaScript."""

from __future__ import annotations

import re

import pytest

from motcua.documents.models import SignedDocument
from motcua.dossiers import services
from motcua.dossiers.models import DossierDocument
from tests.documents.test_signing import pki, sign  # noqa: F401 (fixture)
from tests.dossiers.conftest import intake
from tests.dossiers.workflow_helpers import construction_permit

from .conftest import DESKTOP, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def _fits(page, viewport) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_verification_page(page_factory, people, org, pki, viewport, label, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    # pyHanko runs its own event loop: not in the thread where Playwright's runs.
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def in_thread():  # type: ignore[no-untyped-def]
        try:
            return sign(people, org)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        signed = pool.submit(in_thread).result()
    record = SignedDocument.objects.get()
    page = page_factory(viewport)
    page.goto(f"/xac-minh/{record.token}/")
    main = page.inner_text("main")
    assert "Văn bản hợp lệ" in main and "12/GPXD" in main and "Hoàng Văn Giang" in main
    _fits(page, viewport)
    assert axe_violations(page) == []
    screenshot(page, f"verify-{label}")
    # A copy changed after signing, checked without JavaScript.
    changed = tmp_path / "giay-phep.pdf"
    changed.write_bytes(signed.pdf + b"\n% sua sau khi ky\n")
    page = page_factory(viewport, javascript=False)
    page.goto(f"/xac-minh/{record.token}/")
    page.get_by_label(re.compile("Tệp PDF bạn đang có")).set_input_files(str(changed))
    page.get_by_role("button", name="Kiểm tra").click()
    assert "không khớp" in page.inner_text("main") or "không hợp lệ" in page.inner_text("main").lower()


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_desk_scanning_step(page_factory, people, org, viewport, label, tmp_path, settings):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    construction_permit(org)
    d = services.receive_at_desk(people["binh"], intake(), [])
    page = page_factory(viewport, javascript=False)
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill("binh")
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()
    page.goto(f"/ho-so/{d.code}/")
    page.get_by_role("link", name="Quét và kiểm tra giấy tờ bản giấy").click()
    _fits(page, viewport)
    scan = tmp_path / "don.pdf"
    from tests.dossiers.conftest import PDF

    scan.write_bytes(PDF)
    first = page.locator("#doc1 form")
    first.locator("input[type=file]").set_input_files(str(scan))
    first.get_by_label("Tôi đã đối chiếu bản quét với bản gốc").check()
    first.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state("load")
    assert "Đã quét và kiểm tra" in page.inner_text("#doc1")
    assert DossierDocument.objects.get(dossier=d, order=1).scan_checked_by == people["binh"]
    screenshot(page, f"scanning-step-{label}")
    page = page_factory(viewport)
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill("binh")
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()
    page.goto(f"/ho-so/{d.code}/so-hoa/")
    assert axe_violations(page) == []
