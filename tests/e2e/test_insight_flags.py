"""The inspector's integrity queue and a flag with its evidence, on a phone and a desktop (issue 22): the pages fit,
axe finds nothing, the decision is recorded without JavaScript, and no applicant data shows."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from motcua.insight.integrity import scan
from motcua.insight.models import Flag, FlagState, Rule
from motcua.stats import plant, rollups
from motcua.stats.generate import generate

from .conftest import DESKTOP, PHONE, axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def flagged(people):  # type: ignore[no-untyped-def]
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    generate(300, agencies=1, first=first, last=last, seed=11, stream=io.StringIO(), rebuild=False)
    plant.plant(seed=11, first=first, last=last, agencies=1)
    rollups.rebuild()  # the honest rate starts from the statistics' counts
    scan.scan()


@pytest.mark.parametrize(("viewport", "label", "javascript"), [(PHONE, "phone", True), (DESKTOP, "desktop", False)])
def test_the_inspector_reviews_a_flag(flagged, page_factory, viewport, label, javascript):  # type: ignore[no-untyped-def]
    page = page_factory(viewport, javascript=javascript)
    sign_in(page, "thanh")
    page.goto("/giam-sat/canh-bao/")
    main = page.inner_text("main")
    assert "Cảnh báo liêm chính" in main and "Rút rồi nộp lại" in main
    assert not re.search(r"\b\d{12}\b", main)  # no identity number
    if javascript:
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
        assert axe_violations(page) == []
    screenshot(page, f"insight-queue-{label}")
    page.locator("#id_rule").select_option("burst")
    page.get_by_role("button", name="Hiển thị").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Xử lý xong vào giờ bất thường").first.click()
    page.wait_for_load_state("load")
    main = page.inner_text("main")
    assert "Căn cứ: các sự kiện" in main and "Cán bộ cài đặt Đêm" in main
    assert not re.search(r"\b\d{12}\b", main)
    if javascript:
        assert axe_violations(page) == []
    screenshot(page, f"insight-flag-{label}")
    page.get_by_label("Bác bỏ: có lý do chính đáng").check()
    page.get_by_role("textbox", name="Lý do").fill("Trực đêm xử lý hồ sơ tồn theo kế hoạch đã duyệt")
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    page.wait_for_load_state("load")
    assert "Đã ghi nhận quyết định." in page.inner_text("main")
    flag = Flag.objects.get(rule=Rule.BURST, kind="unusual_hours")
    assert flag.state == FlagState.DISMISSED


def test_a_leader_reads_the_summaries(flagged, page_factory):  # type: ignore[no-untyped-def]
    page = page_factory(DESKTOP)
    sign_in(page, "giang")
    page.goto("/giam-sat/tong-hop/?first=2025-01-01&last=2025-12-31")
    main = page.inner_text("main")
    assert "Tỷ lệ đúng hạn thực chất" in main and "Cảnh báo theo cán bộ" in main and "Cán bộ cài đặt Đêm" in main
    assert re.search(r"\d+[,.]\d %", main)  # the rates of the period, as reported and honest
    assert axe_violations(page) == []
    screenshot(page, "insight-summaries-desktop")


def test_the_insight_pages_in_english_on_a_phone(flagged, page_factory):  # type: ignore[no-untyped-def]
    page = page_factory(PHONE)
    sign_in(page, "thanh")
    page.goto("/giam-sat/canh-bao/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    for path, name, heading in (("/giam-sat/canh-bao/", "queue", "Integrity flags"),
                                ("/giam-sat/tong-hop/?first=2025-01-01&last=2025-12-31", "summaries",
                                 "Integrity summaries")):
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == heading
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, path
        assert axe_violations(page) == [], path
        screenshot(page, f"en-insight-{name}-phone")
    page.goto("/giam-sat/canh-bao/")
    page.locator("main table a").first.click()
    page.wait_for_load_state("load")
    main = page.inner_text("main")
    assert "Evidence" in main and not re.search(r"\b\d{12}\b", main)
    assert axe_violations(page) == []
    screenshot(page, "en-insight-flag-phone")
