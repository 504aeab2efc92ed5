"""The application e-form in a real browser, without JavaScript: the desk's checklist and the citizen's wizard ask
its fields, a mistake comes back next to the field, on a phone and a desktop, and the pages are axe-clean."""

from __future__ import annotations

import pytest

from tests.catalogue.eform_helpers import declare
from tests.dossiers.conftest import make_procedure
from tests.portal.conftest import APPLICANT

from .conftest import DESKTOP, PHONE, axe_violations, screenshot
from .test_desk_intake import _signed_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def permit(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    declare(make_procedure(org))
    return people


def _fits(page, viewport) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_desk_checklist_asks_the_form_and_says_what_is_wrong(page_factory, live_server, permit, viewport, label):
    page = page_factory(viewport, javascript=False)
    _signed_in(page, live_server, permit["binh"])
    page.goto("/ho-so/tiep-nhan/1.013236/")
    assert page.get_by_label("Thửa đất số").count() == 1 and page.get_by_label("Cấp công trình").count() == 1
    page.get_by_label("Số tầng").fill("ba")
    page.get_by_role("button", name="Lưu và in phiếu").click()
    assert "“Số tầng” phải là một số." in page.content()
    _fits(page, viewport)
    screenshot(page, f"eform-desk-{label}")
    checked = page_factory(viewport)
    _signed_in(checked, live_server, permit["binh"])
    checked.goto("/ho-so/tiep-nhan/1.013236/")
    assert axe_violations(checked) == []


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_wizard_asks_the_form_without_javascript(page_factory, live_server, permit, viewport, label):
    page = page_factory(viewport, javascript=False)
    _signed_in(page, live_server, permit["an"])
    page.goto("/cong-dan/nop-ho-so/1.013236/")
    page.get_by_role("button", name="Bắt đầu").click()
    for name, value in (("id_number", APPLICANT["id_number"]), ("address", APPLICANT["address"]),
                        ("phone", APPLICANT["phone"])):
        page.locator(f"#id_{name}").fill(value)
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.get_by_label("Diện tích thửa đất").fill("-3")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    content = page.content()
    assert "“Diện tích thửa đất” phải từ 0,1 m² trở lên." in content and "Hãy điền “Thửa đất số”." in content
    _fits(page, viewport)
    screenshot(page, f"eform-wizard-{label}")
    checked = page_factory(viewport)
    _signed_in(checked, live_server, permit["an"])
    checked.goto(page.url)
    assert axe_violations(checked) == []
