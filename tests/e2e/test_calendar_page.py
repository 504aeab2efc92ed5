"""The public working-calendar page in a real browser."""

from __future__ import annotations

import io

import pytest

from .conftest import DESKTOP, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded_calendar(tmp_path, settings):
    settings.MOTCUA_DEMO_CREDENTIALS_FILE = tmp_path / "creds.txt"
    from motcua.calendars import demo

    demo.seed(io.StringIO())


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_calendar_page_lists_2026_days_off_and_is_accessible(page_factory, seeded_calendar, viewport, label):
    page = page_factory(viewport)
    assert page.goto("/lich-lam-viec/2026/").status == 200
    text = page.content()
    assert "Tết" in text and "Giỗ Tổ" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"calendar-{label}")
    assert axe_violations(page) == []


def test_due_date_form_works_without_javascript(page_factory, seeded_calendar):
    page = page_factory(PHONE, javascript=False)
    page.goto("/lich-lam-viec/2026/")
    page.get_by_label("Ngày tiếp nhận").fill("2026-02-13")
    page.get_by_label("Giờ tiếp nhận").fill("16:00")
    page.get_by_label("Thời hạn giải quyết").fill("10")
    page.get_by_role("button", name="Tính ngày hẹn trả").click()
    assert "amount=10" in page.url
    screenshot(page, "calendar-due-phone")
    # Fri 13/02 16:00 + 10 working days: one hour that day, Tết 16–20/02 skipped, due Fri 06/03 at 16:00.
    assert "06/03/2026" in page.content()
