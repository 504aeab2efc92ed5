"""The administrators' page of the national catalogue in a browser: the differences on a phone and a desktop,
axe clean, nothing wider than the screen, and a change applied without JavaScript."""

from __future__ import annotations

import pytest

from motcua.catalogue.models import ProcedureVersion
from motcua.integrations.national_catalogue import services
from tests.integrations.test_national_catalogue import PERMIT, behind_record, fixture_records, local_permit

from .conftest import DESKTOP, PHONE, axe_violations, screenshot, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_differences_are_readable_and_accessible(page_factory, live_server, org, people, viewport, label):
    local_permit(org)
    services.compare_answer([behind_record(), fixture_records()[1]], source="test")
    page = page_factory(viewport)
    sign_in_as(page, people["ha"], live_server.url)
    assert page.goto("/ket-noi/danh-muc-quoc-gia/").status == 200
    assert "200.000 đ" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"national-catalogue-{label}")
    assert axe_violations(page) == []


def test_a_change_is_applied_without_javascript(page_factory, live_server, org, people):
    local_permit(org)
    services.compare_answer([behind_record()], source="test")
    page = page_factory(PHONE, javascript=False)
    sign_in_as(page, people["ha"], live_server.url)
    page.goto("/ket-noi/danh-muc-quoc-gia/")
    page.get_by_label("Công bố phiên bản mới").check()
    page.get_by_role("button", name=f"Áp dụng thay đổi cho {PERMIT}").click()
    assert "đã áp dụng từ ngày 01/07/2026" in page.content()
    assert ProcedureVersion.objects.filter(procedure__code=PERMIT, status="published").count() == 2
