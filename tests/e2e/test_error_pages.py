"""The app's own error page and the API docs page in a browser: screenshots kept, axe clean."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_404_page(page_factory, viewport, label):
    page = page_factory(viewport)
    response = page.goto("/khong-co-trang-nay/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).text_content().startswith("Không tìm thấy trang")
    screenshot(page, f"error-404-{label}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert axe_violations(page) == []


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_api_docs_page(page_factory, viewport, label):
    page = page_factory(viewport)
    page.goto("/api/v1/docs")
    page.wait_for_selector("#swagger-ui .info")
    assert page.evaluate("document.documentElement.lang") == "en"
    screenshot(page, f"api-docs-{label}")
    # Swagger UI's own colours and its deep links inside the operation buttons were axe-serious too.
    assert axe_violations(page) == []
