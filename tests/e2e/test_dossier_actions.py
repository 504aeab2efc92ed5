"""The dossier page's buttons follow the state (issue 14, item 10), in a real browser: on the leader's step
Giang sees "sign" and neither "answer a request for an opinion" nor "take this dossier"; Cường, whose step is
over, sees no "take this dossier" on the head's or the leader's step; Giang signs with the result's number and
file, and the dossier is done at once, with no "sign" or "record the result" left. On a 390 px phone and a
desktop, in Vietnamese and English, axe-clean; screenshots for people to look at."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.dossiers import actions, services
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import services as wf
from tests.dossiers.conftest import PDF
from tests.dossiers.workflow_helpers import construction_permit, received, t

from .conftest import DESKTOP, axe_violations, screenshot
from .test_desk_intake import _signed_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def to_sign(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    """A permit appraised by Cường and approved by Dung: it waits for Giang's signature."""
    settings.MEDIA_ROOT = tmp_path / "media"
    construction_permit(org)
    d = services.transfer(people["binh"], received(people, t(2026, 11, 2, 9, 0)), at=t(2026, 11, 2, 9, 30))
    wf.claim(people["cuong"], d, at=t(2026, 11, 2, 10, 0))
    wf.transfer_step(people["cuong"], d, at=t(2026, 11, 3, 9, 0))
    wf.approve(people["dung"], d, at=t(2026, 11, 3, 10, 0))
    return Dossier.objects.get(pk=d.pk)


def _labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {slug: str(spec.label) for slug, spec in actions.REGISTRY.items()} | {
            "number": _("Number of the result"), "file": _("Digitised result"),
            "done": str(Status.DONE.label), "in_progress": str(Status.IN_PROGRESS.label)}


def _buttons(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.strip() for b in page.locator(".action-list a.button").all_inner_texts()]


@pytest.mark.parametrize(("viewport", "size"), [(PHONE_390, "phone"), (DESKTOP, "desktop")])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_leader_sees_only_his_signature_and_signing_with_the_result_ends_processing(
        page_factory, live_server, to_sign, people, viewport, size, language, tmp_path):
    labels = _labels(language)
    specialist = page_factory(viewport, locale="vi-VN" if language == "vi" else "en-GB")
    _signed_in(specialist, live_server, people["cuong"])
    if language == "en":
        specialist.goto("/")
        specialist.get_by_role("button", name="English").click()
    specialist.goto(f"/ho-so/{to_sign.public_id}/")
    # The specialist's step is over: no "take this dossier" on the leader's step, nothing to do here.
    assert labels["claim"] not in _buttons(specialist)
    assert labels["transfer-step"] not in _buttons(specialist)

    page = page_factory(viewport, locale="vi-VN" if language == "vi" else "en-GB")
    _signed_in(page, live_server, people["giang"])
    if language == "en":
        page.goto("/")
        page.get_by_role("button", name="English").click()
    page.goto(f"/ho-so/{to_sign.public_id}/")
    buttons = _buttons(page)
    assert labels["sign"] in buttons, buttons
    for hidden in ("answer-consultation", "claim", "record-result", "transfer-step", "approve", "return-result"):
        assert labels[hidden] not in buttons, (hidden, buttons)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"dossier-actions-to-sign-{language}-{size}")
    assert axe_violations(page) == []

    # Signing with the result's number and its signed file records the result: done at once.
    page.get_by_role("link", name=labels["sign"], exact=True).click()
    page.get_by_label(labels["number"]).fill("125/GPXD")
    pdf = tmp_path / "giay-phep.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label(labels["file"]).set_input_files(str(pdf))
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert axe_violations(page) == []
    page.get_by_role("button", name=labels["sign"]).click()
    page.wait_for_url(f"**/ho-so/{to_sign.public_id}/")
    d = Dossier.objects.get(pk=to_sign.pk)
    assert d.status == Status.DONE and d.results.get().number == "125/GPXD"
    assert labels["done"] in page.content()
    buttons = _buttons(page)
    assert labels["sign"] not in buttons and labels["record-result"] not in buttons, buttons
    screenshot(page, f"dossier-actions-signed-{language}-{size}")
    assert axe_violations(page) == []
