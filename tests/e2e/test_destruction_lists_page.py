"""The destruction lists' staff pages (issue 21): a leader opens the list, reads its dossiers and records the head's
decision through the form — first forgetting the confirmation box (the error is shown next to it), then for real —
on a 390 px phone and a desktop, in Vietnamese and English; every page fits its width and is axe-clean."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from motcua.catalogue.models import Procedure
from motcua.dossiers import retention, services
from motcua.dossiers.choices import DestructionStatus
from motcua.dossiers.models import DestructionList
from tests.dossiers.conftest import PDF, intake, make_procedure, upload
from tests.portal.conftest import to_returned

from .conftest import DESKTOP, axe_violations, screenshot
from .test_desk_intake import _signed_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def proposed(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    """A returned dossier whose procedure keeps dossiers 1 year, on its agency's proposed list (prepared yesterday:
    the decision may be dated today)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    procedure = make_procedure(org)
    dossier = to_returned(people, services.submit_online(people["an"], intake(), [upload(PDF, "don-de-nghi.pdf", 1)]))
    Procedure.objects.filter(pk=procedure.pk).update(retention_years=1)
    retention.prepare(dossier.returned_at + dt.timedelta(days=800))
    DestructionList.objects.update(prepared_at=timezone.now() - dt.timedelta(days=1))
    return DestructionList.objects.get(), dossier


def _fits(page, viewport) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


@pytest.mark.parametrize(("viewport", "label", "language"), [
    (PHONE_390, "phone", "vi"), (DESKTOP, "desktop", "vi"), (PHONE_390, "phone-en", "en"),
    (DESKTOP, "desktop-en", "en")])
def test_the_leader_approves_a_list_through_the_form(page_factory, live_server, proposed, people, viewport, label,
                                                     language):
    destruction_list, dossier = proposed
    page = page_factory(viewport)
    page.context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language,
                               "url": live_server.url}])
    _signed_in(page, live_server, people["giang"])
    page.goto("/ho-so/")
    page.locator("main a[href='/ho-so/tieu-huy/']").click()
    page.wait_for_url("**/ho-so/tieu-huy/")
    _fits(page, viewport)
    screenshot(page, f"destruction-lists-{label}")
    assert axe_violations(page) == []

    page.locator(f"a[href='/ho-so/tieu-huy/{destruction_list.pk}/']").click()
    page.wait_for_url(f"**/ho-so/tieu-huy/{destruction_list.pk}/")
    body = page.locator("main").inner_text()
    assert dossier.code in body and "Nguyễn Văn An" not in body and "don-de-nghi.pdf" not in body
    _fits(page, viewport)
    screenshot(page, f"destruction-list-{label}")
    assert axe_violations(page) == []

    today = timezone.localdate()
    page.fill("input[name=number]", "12/QĐ-SXD")
    page.fill("input[name=decided_on]", today.isoformat())
    page.locator("form.form button[type=submit]").click()  # the box left unticked
    page.wait_for_load_state()
    assert page.locator("#id_confirm_error").is_visible()
    assert DestructionList.objects.get().status == DestructionStatus.PROPOSED
    _fits(page, viewport)
    screenshot(page, f"destruction-list-error-{label}")
    assert axe_violations(page) == []

    page.check("input[name=confirm]")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**/ho-so/tieu-huy/{destruction_list.pk}/")
    approved = DestructionList.objects.get()
    assert approved.status == DestructionStatus.APPROVED and approved.approved_by == people["giang"]
    assert approved.decision == f"Quyết định số 12/QĐ-SXD ngày {today:%d/%m/%Y}"
    assert page.locator("input[name=confirm]").count() == 0
    assert page.locator(".messages").is_visible()
    _fits(page, viewport)
    screenshot(page, f"destruction-list-approved-{label}")
    assert axe_violations(page) == []


def test_the_form_works_without_javascript(page_factory, live_server, proposed, people):
    destruction_list, _dossier = proposed
    page = page_factory(PHONE_390, javascript=False)
    _signed_in(page, live_server, people["ha"])  # an administrator recording the head's decision
    page.goto(f"/ho-so/tieu-huy/{destruction_list.pk}/")
    page.fill("input[name=number]", "Quyết định số 7/QĐ-SXD")
    page.fill("input[name=decided_on]", timezone.localdate().isoformat())
    page.check("input[name=confirm]")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**/ho-so/tieu-huy/{destruction_list.pk}/")
    approved = DestructionList.objects.get()
    assert approved.status == DestructionStatus.APPROVED and approved.approved_by == people["ha"]
    assert approved.decision == f"Quyết định số 7/QĐ-SXD ngày {timezone.localdate():%d/%m/%Y}"
    assert "Vũ Thị Hà" in page.locator("main").inner_text()
