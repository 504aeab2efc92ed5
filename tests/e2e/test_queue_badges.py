"""Issue 14 item 9 in a browser: the queue's badges say which deadline they mean — the dossier's promised
return date ("Quá hạn trả kết quả") or the current step's own deadline ("Bước quá hạn") — and a dossier
still at reception, past its promised date, is among the overdue. Phone (390 px) and desktop, Vietnamese and
English; screenshots kept; axe clean."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow.models import ProcessingStep
from tests.dossiers.conftest import intake, procedure  # noqa: F401 - the procedure fixture

from .conftest import DESKTOP, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE_390 = {"width": 390, "height": 844}


def _sign_in(page: Any, user: Any, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


@pytest.fixture
def cases(procedure, people):  # type: ignore[no-untyped-def]  # noqa: F811
    now = timezone.now()
    # Test set-up only: dates placed where each case needs them.
    reception = services.receive_at_desk(people["binh"], intake())
    Dossier.objects.filter(pk=reception.pk).update(due_at=now - dt.timedelta(days=30))
    step_late = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    Dossier.objects.filter(pk=step_late.pk).update(due_at=now + dt.timedelta(days=7))
    ProcessingStep.objects.filter(dossier=step_late, open=True).update(due_at=now - dt.timedelta(hours=3))
    return {"reception": reception.code, "step_late": step_late.code}


@pytest.mark.parametrize(("viewport", "label"), [(PHONE_390, "phone"), (DESKTOP, "desktop")])
def test_queue_badges_name_their_deadline(page_factory, live_server, people, cases, viewport, label):
    page = page_factory(viewport)
    _sign_in(page, people["giang"], live_server.url)
    page.goto("/ho-so/")
    reception = page.locator("tr", has=page.locator(f"a[href='/ho-so/{cases['reception']}/']"))
    step_late = page.locator("tr", has=page.locator(f"a[href='/ho-so/{cases['step_late']}/']"))
    assert reception.locator(".flag-overdue").inner_text() == "Quá hạn trả kết quả"
    assert step_late.locator(".flag-step").inner_text() == "Bước quá hạn"
    assert step_late.locator(".flag-overdue").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"queue-badges-{label}")
    assert axe_violations(page) == []
    # The overdue view lists the dossier at reception, not the one whose step alone is late.
    page.get_by_role("link", name="Quá hạn trả kết quả").first.click()
    assert "bucket=overdue" in page.url
    assert page.locator(f"a[href='/ho-so/{cases['reception']}/']").count() == 1
    assert page.locator(f"a[href='/ho-so/{cases['step_late']}/']").count() == 0
    screenshot(page, f"queue-overdue-{label}")
    assert axe_violations(page) == []
    # In English the badges say the same.
    page.get_by_role("button", name="English").click()
    page.goto("/ho-so/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert reception.locator(".flag-overdue").inner_text() == "Past the promised return date"
    assert step_late.locator(".flag-step").inner_text() == "Step past its deadline"
    screenshot(page, f"queue-badges-en-{label}")
    assert axe_violations(page) == []
