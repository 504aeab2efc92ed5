"""The director's dashboard and the public transparency page in a browser, on a phone and a desktop:
screenshots kept, axe clean, no sideways scroll on 360 px, charts readable with their data tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from motcua.accounts.models import OrgUnit
from motcua.surveys import services as surveys
from tests.stats.conftest import _media, life, march, procedure  # noqa: F401 - the March 2025 dataset

from .conftest import DESKTOP, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page: Any, user: Any, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


def _check(page: Any, name: str, viewport: dict[str, int]) -> None:
    page.wait_for_load_state("load")
    screenshot(page, f"stats-{name}")
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, name
    assert axe_violations(page) == [], name


@pytest.mark.usefixtures("march")
@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_director_dashboard(page_factory, live_server, people, viewport, label):
    page = page_factory(viewport)  # the pages have no script; axe needs one
    _sign_in(page, people["giang"], live_server.url)
    page.goto("/thong-ke/don-vi/T.SXD/?period=month&year=2025&month=3")
    assert page.locator("svg[role=img]").count() == 2
    assert page.locator("svg[role=img] title").first.text_content()
    _check(page, f"director-{label}", viewport)
    # A number leads to the dossiers behind it.
    page.get_by_role("link", name="2", exact=True).first.click()
    assert "/thong-ke/ho-so/" in page.url
    _check(page, f"dossiers-{label}", viewport)


@pytest.mark.usefixtures("march")
@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_transparency_page(page_factory, live_server, viewport, label):
    for overall in (5, 4, 2, 5, 4, 2):
        surveys.record(surveys.per_dossier_form(dt.date(2025, 3, 1)),
                       surveys.Answers({"time": 4, "visits": 4, "attitude": 4, "overall": overall}),
                       surveys.Where(OrgUnit.objects.get(code="T.SXD"), dt.date(2025, 3, 1),
                                     procedure_code="1.013236"), "link")
    page = page_factory(viewport)
    with time_machine.travel(dt.datetime(2025, 4, 15, 10, tzinfo=dt.UTC), tick=True):
        page.goto("/thong-ke/cong-khai/")
        assert "71,4 %" in page.content()
        _check(page, f"transparency-{label}", viewport)


@pytest.mark.usefixtures("march")
@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_director_signs_and_issues_the_report_without_javascript(page_factory, live_server, people, viewport, label):
    from motcua.stats.models import IssuedReport

    page = page_factory(viewport)
    _sign_in(page, people["giang"], live_server.url)
    page.goto("/thong-ke/bao-cao/?unit=T.SXD&period=month&year=2025&month=3")
    with page.expect_response(lambda r: "/da-phat-hanh/" in r.url):
        page.get_by_role("button", name="Ký và phát hành báo cáo này (cấp số)").click()
    issued = IssuedReport.objects.get()
    assert issued.reference.startswith("01/BC-") and issued.issued_by == people["giang"]
    page.goto("/thong-ke/bao-cao/?unit=T.SXD&period=month&year=2025&month=3")
    assert page.get_by_role("link", name=f"Số {issued.reference}, từ 01/03/2025 đến 31/03/2025").count() == 1
    _check(page, f"report-{label}", viewport)
