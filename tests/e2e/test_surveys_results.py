"""The survey results as a leader reads them, on a phone and a desktop, in Vietnamese and English: the page
fits, axe finds nothing, the chart has its table, and a small group shows no number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache

from motcua.surveys import seed, services
from motcua.surveys.models import Criterion, Factor, Questionnaire

from .conftest import DESKTOP, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _answers(org, people):  # type: ignore[no-untyped-def]
    cache.clear()
    seed.seed(Questionnaire, Factor, Criterion, dt.date(2024, 1, 1))  # flushed after each browser test
    sipas = services.current("sipas")
    assert sipas is not None
    codes = list(sipas.criteria.values_list("code", flat=True))
    for month, n in ((dt.date(2026, 2, 1), 8), (dt.date(2026, 3, 1), 3)):
        for i in range(n):
            values: dict[str, int | None] = {c: 4 + (i % 2) for c in codes}
            values["5.3"] = None
            services.record(sipas, services.Answers(values), services.Where(unit=org["sxd"], month=month), "paper")


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_leader_reads_the_results(page_factory, viewport, label):
    page = page_factory(viewport)
    _sign_in(page, "giang")
    page.get_by_role("link", name="Khảo sát sự hài lòng").first.click()
    page.wait_for_load_state("load")
    page.locator("#id_questionnaire").select_option("sipas")
    page.locator("#id_from").fill("2026-01-01")
    page.locator("#id_to").fill("2026-12-31")
    page.locator("#id_by").select_option("month")
    page.get_by_role("button", name="Hiển thị").click()
    page.wait_for_load_state("load")
    main = page.inner_text("main")
    assert "02/2026" in main and "100,0 %" in main  # every answer 4 or 5
    assert "Ít hơn 5 phiếu: không hiển thị." in main  # March: 3 answers
    assert page.locator("svg[role=img] title").first.text_content()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert axe_violations(page) == []
    screenshot(page, f"surveys-results-{label}")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    assert "Satisfaction survey results" in page.inner_text("main")
    assert axe_violations(page) == []
