"""The work queue with the lateness model's predictions, in a browser: the at-risk bucket lists the dossier
the model flags with its probability and reasons; phone and desktop; screenshots kept; axe clean."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow.models import ProcessingStep
from motcua.insight.models import LatenessModel, Prediction
from tests.dossiers.conftest import intake, procedure  # noqa: F401 - the procedure fixture

from .conftest import DESKTOP, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE_390 = {"width": 390, "height": 844}
REASONS = [{"code": "step_wait", "weight": 0.31, "step": "Thẩm định hồ sơ", "days": 3.0, "percentile": 90},
           {"code": "officer_load", "weight": 0.12, "count": 14, "percentile": 95},
           {"code": "supplements", "weight": 0.05, "count": 1}]


def _sign_in(page: Any, user: Any, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


@pytest.fixture
def scored(procedure, people):  # type: ignore[no-untyped-def]  # noqa: F811
    now = timezone.now()
    m = LatenessModel.objects.create(library="test", artefact=b"", artefact_hmac="", active=True)
    out = {}
    for name, probability in (("likely", 0.63), ("unlikely", 0.04)):
        d = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
        # Test set-up only: a promised date ahead, the step due after now.
        Dossier.objects.filter(pk=d.pk).update(due_at=now + dt.timedelta(days=6), risk_at=None)
        ProcessingStep.objects.filter(dossier=d, open=True).update(due_at=now + dt.timedelta(days=2))
        Prediction.objects.create(dossier=d, model=m, scored_at=now, probability=probability,
                                  at_risk=probability >= 0.3, expected_finish=now + dt.timedelta(days=8),
                                  reasons=REASONS if probability >= 0.3 else [])
        out[name] = d.code
    return out


@pytest.mark.parametrize(("viewport", "label"), [(PHONE_390, "phone"), (DESKTOP, "desktop")])
def test_the_queue_shows_the_predicted_risk_and_its_reasons(page_factory, live_server, people, scored, viewport,
                                                           label):
    page = page_factory(viewport)
    _sign_in(page, people["giang"], live_server.url)
    page.goto("/ho-so/?bucket=at_risk")
    likely = page.locator("tr", has=page.locator(f"a[href='/ho-so/{scored['likely']}/']"))
    assert likely.locator(".flag-risk").inner_text() == "Có nguy cơ trễ hẹn"
    assert "63% khả năng trễ hạn" in likely.locator(".predicted-risk").inner_text()
    reasons = likely.locator(".predicted-reasons li").all_inner_texts()
    assert reasons[0] == "bước “Thẩm định hồ sơ” đang chờ 3 ngày làm việc, dài hơn 90% hồ sơ cùng loại"
    assert page.locator(f"a[href='/ho-so/{scored['unlikely']}/']").count() == 0  # the model clears it
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"queue-predictions-{label}")
    assert axe_violations(page) == []


def test_the_directors_dashboard_lists_the_likely_late(page_factory, live_server, people, scored, org):
    page = page_factory(DESKTOP)
    _sign_in(page, people["giang"], live_server.url)
    page.goto(f"/thong-ke/don-vi/{org['sxd'].code}/")
    panel = page.locator("section.likely-late")
    assert panel.get_by_role("heading").first.inner_text() == "Hồ sơ đang giải quyết có khả năng trễ hạn cao nhất"
    rows = panel.locator("tbody tr")
    assert rows.count() == 2 and scored["likely"] in rows.first.inner_text()
    panel.scroll_into_view_if_needed()
    screenshot(page, "dashboard-likely-late")
    assert axe_violations(page) == []


def test_the_dossier_page_shows_its_prediction(page_factory, live_server, people, scored):
    page = page_factory(PHONE_390)
    _sign_in(page, people["giang"], live_server.url)
    page.goto(f"/ho-so/{scored['likely']}/")
    section = page.locator("section", has=page.get_by_role("heading", name="Dự báo trễ hạn"))
    assert "63% khả năng trễ hạn" in section.inner_text()
    assert section.locator("li").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"] + 1
    section.scroll_into_view_if_needed()
    screenshot(page, "dossier-prediction-phone")
    assert axe_violations(page) == []
