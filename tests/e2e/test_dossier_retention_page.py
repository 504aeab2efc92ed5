"""The staff's page of a dossier anonymised at the end of its retention period (issue 21): it says the personal
data and files were removed, names nobody who is not staff in its history, and is axe-clean on a phone and a
desktop."""

from __future__ import annotations

import pytest

from motcua.dossiers import services
from tests.dossiers.conftest import PDF, intake, make_procedure, upload
from tests.portal.conftest import to_returned

from .conftest import DESKTOP, PHONE, axe_violations, screenshot
from .test_desk_intake import _signed_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def anonymised(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    make_procedure(org)
    dossier = to_returned(people, services.submit_online(people["an"], intake(), [upload(PDF, "don-de-nghi.pdf", 1)]))
    return services.anonymise_dossier(people["giang"], dossier, destruction_list=1).dossier


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_anonymised_dossier_page(page_factory, live_server, anonymised, people, viewport, label):
    page = page_factory(viewport)
    _signed_in(page, live_server, people["binh"])
    page.goto(f"/ho-so/{anonymised.public_id}/")
    body = page.locator("main").inner_text()
    assert "đã được xóa ngày" in body and "Nguyễn Văn An" not in body and "don-de-nghi.pdf" not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"dossier-anonymised-{label}")
    assert axe_violations(page) == []
