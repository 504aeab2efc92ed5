"""The feedback section of the director's dashboard in a browser, on a phone and a desktop: screenshots kept,
axe clean, no sideways scroll on 360 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.stats.test_pakn_indicators import q1  # noqa: F401 - the hand-made first quarter of 2026

from .conftest import DESKTOP, PHONE, axe_violations, screenshot
from .test_stats_pages import _sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.usefixtures("q1")
@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_feedback_section(page_factory, live_server, people, viewport: dict[str, int], label: str) -> None:
    page: Any = page_factory(viewport)
    _sign_in(page, people["giang"], live_server.url)
    page.goto("/thong-ke/don-vi/T.SXD/?period=custom&from=2026-01-01&to=2026-03-31")
    page.wait_for_load_state("load")
    section = page.locator("#feedback-h")
    assert section.text_content() == "Phản ánh, kiến nghị"
    section.scroll_into_view_if_needed()
    screenshot(page, f"stats-feedback-{label}")
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert axe_violations(page) == []
    # The received count links to the staff queue, filtered to the period.
    href = page.get_by_role("link", name="9", exact=True).first.get_attribute("href")
    assert href.startswith("/phan-anh/can-bo/?xem=all&tu=2026-01-01&den=2026-03-31")
