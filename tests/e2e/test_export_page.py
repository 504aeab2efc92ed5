"""The page that follows a register built in the background (issue 20, ``core.exports``), in a browser on a phone
and a desktop: while waiting it shows the progress and a link to refresh it (it does not reload on its own); once
ready, the link to the file. Axe clean, no sideways scroll on a phone, screenshots kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from motcua.core import exports
from motcua.core.models import ExportJob
from motcua.dossiers import exports as register_exports

from .conftest import DESKTOP, PHONE, axe_violations, screenshot, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_export_page_waiting_then_ready(page_factory, live_server, people, viewport: dict[str, int],
                                            label: str) -> None:
    today = timezone.localdate()
    job = ExportJob.objects.create(owner=people["binh"], kind=register_exports.XLSX,
                                   params=register_exports.params(today, today), title="Sổ theo dõi hồ sơ",
                                   total=240, done=96, status=ExportJob.Status.RUNNING,
                                   expires_at=timezone.now() + exports.keep())
    page: Any = page_factory(viewport)
    sign_in_as(page, people["binh"], live_server.url)
    page.goto(f"/xuat/{job.pk}/")
    assert page.get_by_role("link", name="Làm mới").count() == 1  # no self-refresh (WCAG 2.2.1): a link
    assert page.locator("progress").get_attribute("value") == "96"
    screenshot(page, f"export-waiting-{label}")
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert axe_violations(page) == []
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.QUEUED)
    exports.build(job.pk)
    page.goto(f"/xuat/{job.pk}/")
    link = page.get_by_role("link", name="Tải về")
    assert link.count() == 1 and page.get_by_role("link", name="Làm mới").count() == 0
    screenshot(page, f"export-ready-{label}")
    assert axe_violations(page) == []


def test_the_progress_follows_the_export_in_place_and_a_failure_says_why(page_factory, live_server, people) -> None:
    today = timezone.localdate()
    job = ExportJob.objects.create(owner=people["binh"], kind=register_exports.PDF,
                                   params=register_exports.params(today, today), title="Sổ theo dõi hồ sơ",
                                   total=250, done=100, status=ExportJob.Status.RUNNING,
                                   expires_at=timezone.now() + exports.keep())
    page: Any = page_factory(PHONE)
    sign_in_as(page, people["binh"], live_server.url)
    page.goto(f"/xuat/{job.pk}/")
    # With a script, the progress moves without reloading the page (core/export.js polls the API).
    ExportJob.objects.filter(pk=job.pk).update(done=200)
    # A function, not an expression: Playwright evaluates a bare expression with eval, which the CSP refuses.
    page.wait_for_function("() => document.getElementById('export-progress').value == 200", timeout=15000)
    assert "200" in page.locator("#export-count").text_content()
    # Once it fails, the page is loaded again and says why.
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED,
                                               error="Không chuẩn bị được tệp (RuntimeError).")
    page.wait_for_selector("[role=alert]", timeout=15000)
    assert page.get_by_role("alert").text_content().strip().startswith("Không chuẩn bị được")
    screenshot(page, "export-failed-phone")
    assert axe_violations(page) == []
