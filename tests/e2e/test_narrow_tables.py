"""Pages with tables on a 390 px phone (an iPhone 12-15): the table scrolls inside its own region, the page
does not scroll sideways. The ranking once made the whole document 785 px wide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.stats.conftest import _media, life, march, procedure  # noqa: F401 - the March 2025 dataset

from .conftest import DESKTOP, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}
WIDER_THAN_THE_PAGE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
               && !e.closest('.table-scroll'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _sign_in(page: Any, user: Any, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


def _check(page: Any, name: str, viewport: dict[str, int]) -> None:
    page.wait_for_load_state("load")
    screenshot(page, name)
    if viewport is PHONE_390:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_390["width"], (name, width, page.evaluate(WIDER_THAN_THE_PAGE))
    assert axe_violations(page) == [], name


@pytest.mark.usefixtures("march")
@pytest.mark.parametrize(("viewport", "label"), [(PHONE_390, "phone390"), (DESKTOP, "desktop")])
def test_the_ranking_fits_a_390_px_phone(page_factory, live_server, people, viewport, label):
    page = page_factory(viewport)
    _sign_in(page, people["giang"], live_server.url)
    page.goto("/thong-ke/xep-hang/?period=month&year=2025&month=3")
    assert page.locator(".table-scroll table").count() == 1
    _check(page, f"stats-ranking-{label}", viewport)


@pytest.mark.usefixtures("march")
@pytest.mark.parametrize("url", ["/thong-ke/cong-khai/", f"/lich-lam-viec/?year={dt.date.today().year}",
                                 "/thu-tuc/", "/thu-tuc/1.013236/"])
def test_public_pages_with_tables_fit_a_390_px_phone(page_factory, url):
    page = page_factory(PHONE_390)
    page.goto(url)
    _check(page, "narrow-" + url.strip("/").split("?")[0].replace("/", "-"), PHONE_390)
