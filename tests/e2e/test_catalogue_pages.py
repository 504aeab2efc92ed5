"""The public catalogue in a real browser: search without diacritics on a phone, the procedure page, axe."""

from __future__ import annotations

import io

import pytest

from .conftest import DESKTOP, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(tmp_path, settings):
    settings.MOTCUA_DEMO_CREDENTIALS_FILE = tmp_path / "creds.txt"
    from motcua.accounts import demo as accounts_demo
    from motcua.calendars import demo as calendars_demo
    from motcua.catalogue import demo as catalogue_demo

    for step in (accounts_demo, calendars_demo, catalogue_demo):
        step.seed(io.StringIO())


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_search_without_diacritics_finds_the_construction_permit(page_factory, seeded, viewport, label):
    page = page_factory(viewport, javascript=False)
    page.goto("/thu-tuc/")
    page.locator("input[name=q]").fill("cap phep xay dung")
    page.locator("form:has(input[name=q]) button[type=submit]").first.click()
    assert "q=cap+phep+xay+dung" in page.url
    assert "Cấp giấy phép xây dựng" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"catalogue-search-{label}")


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_procedure_page_shows_documents_fees_and_promised_date(page_factory, seeded, viewport, label):
    page = page_factory(viewport)
    assert page.goto("/thu-tuc/1.013236/").status == 200
    text = page.content()
    assert "1.013236" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"procedure-{label}")
    assert axe_violations(page) == []


def test_catalogue_list_is_accessible(page_factory, seeded):
    page = page_factory(DESKTOP)
    page.goto("/thu-tuc/")
    assert axe_violations(page) == []
