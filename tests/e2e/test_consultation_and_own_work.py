"""Issue 14, items 11 and 14 in a real browser, without JavaScript, on a phone and a desktop, axe-clean:
Cường asks Sở Nông nghiệp và Môi trường for its opinion by choosing it by name, and Khánh, an officer of that
department, answers from his own list — no number to type; every officer lands on their own list after
signing in, the soonest due first, in Vietnamese and in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Consultation, Dossier
from motcua.dossiers.workflow import services as wf
from motcua.dossiers.workflow.models import ProcessingStep
from tests.dossiers.conftest import intake, make_procedure

from .conftest import DESKTOP, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def ready(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    make_procedure(org)
    return people


def _in_progress(people) -> Dossier:  # type: ignore[no-untyped-def]
    return services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """Through the sign-in form, as a person would: where it lands is part of what is tested."""
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()


def _fits(page, viewport) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_consult_by_name_and_answer_from_the_consulted_units_list(page_factory, ready, viewport, label):
    people = ready
    d = _in_progress(people)
    wf.assign(people["dung"], d, people["cuong"])

    page = page_factory(viewport, javascript=False)
    _sign_in(page, "cuong")
    page.goto(f"/ho-so/{d.code}/")
    page.get_by_role("link", name="Xin ý kiến đơn vị khác").click()
    # The unit by its name, in a plain select grouped by agency: no code to know.
    page.get_by_label("Đơn vị, cơ quan được xin ý kiến").select_option(label="Sở Nông nghiệp và Môi trường")
    page.get_by_label("Nội dung xin ý kiến").fill("Đề nghị cho ý kiến về sự phù hợp quy hoạch sử dụng đất.")
    _fits(page, viewport)
    screenshot(page, f"consult-by-name-{label}")
    page.get_by_role("button", name="Xin ý kiến đơn vị khác").click()
    assert page.url.endswith(f"/ho-so/{d.code}/")
    c = Consultation.objects.get()
    assert c.unit.name == "Sở Nông nghiệp và Môi trường"

    # Khánh (Phòng Đất đai of that department) signs in, lands on his own list and opens what his unit is asked.
    page = page_factory(viewport, javascript=False)
    _sign_in(page, "khanh")
    assert page.url.endswith("/ho-so/?bucket=mine")
    page.get_by_role("link", name=re.compile("Xin ý kiến gửi đơn vị tôi")).click()
    item = page.locator(".consultation-item")
    assert item.count() == 1
    text = item.inner_text()
    assert d.code in text and "sự phù hợp quy hoạch sử dụng đất" in text
    assert timezone.localtime(c.due_at).strftime("%d/%m/%Y %H:%M") in text
    _fits(page, viewport)
    screenshot(page, f"consultations-of-my-unit-{label}")
    axe_page = page_factory(viewport)
    _sign_in(axe_page, "khanh")
    axe_page.goto("/ho-so/?bucket=consultations")
    assert axe_violations(axe_page) == []

    item.get_by_label("Nội dung trả lời").fill("Thống nhất, phù hợp quy hoạch.")
    item.get_by_label("Đồng ý", exact=True).check()
    item.get_by_role("button", name="Gửi ý kiến trả lời").click()
    assert "bucket=consultations" in page.url
    assert page.locator(".consultation-item").count() == 0
    c.refresh_from_db()
    assert c.answered_by == people["khanh"] and c.agrees and c.answer == "Thống nhất, phù hợp quy hoạch."


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_an_officer_lands_on_their_own_list_the_soonest_due_first(page_factory, ready, viewport, label):
    people = ready
    later, sooner, other = _in_progress(people), _in_progress(people), _in_progress(people)
    for d in (later, sooner):
        wf.assign(people["dung"], d, people["cuong"])
    now = timezone.now()
    # Test set-up only: the steps' deadlines the list is sorted by.
    ProcessingStep.objects.filter(dossier=later, open=True).update(due_at=now + dt.timedelta(days=6))
    ProcessingStep.objects.filter(dossier=sooner, open=True).update(due_at=now + dt.timedelta(days=2))

    page = page_factory(viewport, javascript=False)
    _sign_in(page, "cuong")
    assert page.url.endswith("/ho-so/?bucket=mine")
    assert page.get_by_role("link", name=re.compile("Giao cho tôi")).get_attribute("aria-current") == "page"
    codes = [c.strip() for c in page.locator("table.dossier-table tbody a.code").all_inner_texts()]
    assert codes == [sooner.code, later.code]  # mine only, the soonest due first; not the colleague's
    assert other.code not in page.content()
    _fits(page, viewport)
    screenshot(page, f"own-list-{label}")

    # The same in English, checked by axe (which needs JavaScript).
    page = page_factory(viewport, locale="en-GB")
    _sign_in(page, "cuong")
    page.get_by_role("button", name="English").click()
    page.goto("/ho-so/?bucket=mine")
    assert page.locator("html").get_attribute("lang") == "en"
    for name in ("Assigned to me", "Waiting for me to take", "Opinions asked of my unit"):
        assert page.get_by_role("link", name=re.compile(name)).count() == 1, name
    codes = [c.strip() for c in page.locator("table.dossier-table tbody a.code").all_inner_texts()]
    assert codes == [sooner.code, later.code]
    _fits(page, viewport)
    screenshot(page, f"own-list-en-{label}")
    assert axe_violations(page) == []
