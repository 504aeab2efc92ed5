"""The public pages in English: the second language is complete enough to use, and still accessible."""

from __future__ import annotations

import io

import pytest

from .conftest import PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [("/", "home"), ("/thu-tuc/", "catalogue"), ("/thu-tuc/1.013236/", "procedure"),
         ("/lich-lam-viec/2026/", "calendar"), ("/tra-cuu", "tracking"), ("/dang-ky/", "register"),
         ("/thong-ke/cong-khai/", "transparency")]


@pytest.fixture
def seeded(tmp_path, settings):
    settings.MOTCUA_DEMO_CREDENTIALS_FILE = tmp_path / "creds.txt"
    from motcua.accounts import demo as accounts_demo
    from motcua.calendars import demo as calendars_demo
    from motcua.catalogue import demo as catalogue_demo

    for step in (accounts_demo, calendars_demo, catalogue_demo):
        step.seed(io.StringIO())


def test_public_pages_in_english(page_factory, seeded):
    page = page_factory(PHONE)
    page.goto("/")
    page.get_by_role("button", name="English").click()
    for path, name in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "en", path
        # The page shell is English: navigation and footer come from the English catalogue.
        assert page.get_by_role("link", name="Skip to main content").count() == 1, path
        assert "Trang chủ" not in page.locator("nav").first.inner_text(), path
        screenshot(page, f"en-{name}-phone")
        assert axe_violations(page) == [], path
