"""The survey kiosk in a real browser: a desk officer sets it up, then a 768 px touch tablet takes answers in a
row, each followed at once by a blank form with the thanks; the kiosk answered with JavaScript off; the QR
code's answer page on a 390 px phone. Every page axe-clean."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

from motcua.core import links
from motcua.surveys import seed
from motcua.surveys.choices import Channel
from motcua.surveys.models import Counter, Criterion, Factor, Questionnaire, Response
from tests.dossiers.workflow_helpers import construction_permit, received, t

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 768, "height": 1024}
PHONE_390 = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots-kiosk")


@pytest.fixture(autouse=True)
def _data(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    # A browser test's database is flushed after each test, the migration's questionnaires with it.
    seed.seed(Questionnaire, Factor, Criterion, dt.date(2024, 1, 1))


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _look(page, name: str, width: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state("load")
    _shot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
    assert axe_violations(page) == [], name


def _blank(page) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("input[type=radio]").count() >= 4
    assert page.locator("input[type=radio]:checked").count() == 0
    assert page.locator("textarea").count() == 0  # no comment at the kiosk


def _go(page, target, *, touch: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Tap (or click) ``target`` and wait for the page it leads to."""
    with page.expect_navigation():
        target.tap() if touch else target.click()
    page.wait_for_load_state("load")


def _answer(page, score: str, *, touch: bool = True) -> None:  # type: ignore[no-untyped-def]
    names = page.eval_on_selector_all("input[type=radio][value='5']", "els => els.map(e => e.name)")
    assert names
    for name in names:
        label = page.locator(f"label:has(input[name='{name}'][value='{score}'])")
        label.tap() if touch else label.click()
    _go(page, page.locator("form.kiosk-form button[type=submit]"), touch=touch)


def test_a_desk_officer_sets_up_the_kiosk_and_two_people_answer(browser, live_server, org, people, settings):
    Counter.objects.create(unit=org["sxd"], code="Q1", name="Quầy 1")
    Counter.objects.create(unit=org["sxd"], code="Q2", name="Quầy 2")
    context = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=False, locale="vi-VN",
                                  base_url=live_server.url)
    page = context.new_page()
    page.goto("/khao-sat/quay/")
    assert "/dang-nhap/" in page.url
    page.locator("#id_username").fill("binh")
    page.locator("#id_password").fill("mat-khau-dai-1")
    _go(page, page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")))
    assert page.url.endswith("/khao-sat/quay/")
    _look(page, "surveys-kiosk-setup-768", 768)
    page.locator("label", has_text="Quầy 2").tap()
    _go(page, page.get_by_role("button", name="Bắt đầu khảo sát tại quầy"))
    assert page.url.endswith("/khao-sat/quay/phieu/")
    _blank(page)
    assert page.locator("html").get_attribute("lang") == "vi"
    # Large touch targets: every answer and the button at least 48 px high.
    for box in [page.locator(".survey-choice").nth(i).bounding_box()
                for i in range(page.locator(".survey-choice").count())]:
        assert box and box["height"] >= 48 and box["width"] >= 48
    assert page.locator(".kiosk-button").bounding_box()["height"] >= 48
    _look(page, "surveys-kiosk-768", 768)

    # Two people in a row: after each answer the tablet shows a blank form at once, with the thanks in a
    # status message (no timed refresh to adjust, WCAG 2.1 SC 2.2.1).
    for n, score in enumerate(("5", "4"), start=1):
        _answer(page, score)
        assert page.url.endswith("/khao-sat/quay/phieu/?cam-on=1")
        assert "cảm ơn" in page.locator("[role=status]").inner_text().lower()
        _blank(page)
        assert axe_violations(page) == []
        assert Response.objects.filter(channel=Channel.KIOSK).count() == n
    _look(page, "surveys-kiosk-thanks-768", 768)
    _answer(page, "3")
    _blank(page)

    rows = list(Response.objects.filter(channel=Channel.KIOSK))
    assert len(rows) == 3
    assert {(r.unit_id, r.desk, r.officer_id, r.comment) for r in rows} == {(org["sxd"].pk, "Q2", people["binh"].pk,
                                                                             "")}
    # The officer was signed out when the kiosk started: the tablet shows no one's pages.
    page.goto("/khao-sat/quay/")
    assert "/dang-nhap/" in page.url

    # The same tablet with JavaScript off: the form is answered and comes back blank all the same.
    still = browser.new_context(viewport=TABLET, java_script_enabled=False, locale="vi-VN", base_url=live_server.url)
    still.add_cookies([c for c in context.cookies() if c["name"] == "motcua_kiosk"])
    plain = still.new_page()
    plain.goto("/khao-sat/quay/phieu/")
    _blank(plain)
    _answer(plain, "2", touch=False)
    assert "cảm ơn" in plain.locator("[role=status]").inner_text().lower()
    _blank(plain)
    assert Response.objects.filter(channel=Channel.KIOSK).count() == 4
    still.close()
    context.close()


def test_without_the_kiosk_cookie_the_tablet_sends_to_the_desk_officer(page_factory):
    page = page_factory(TABLET)
    response = page.goto("/khao-sat/quay/phieu/")
    assert response.status == 403
    assert "hỏi cán bộ" in page.inner_text("main")
    _look(page, "surveys-kiosk-closed-768", 768)


def test_the_qr_answer_page_on_a_phone(page_factory, org, people, settings):
    construction_permit(org)
    d = received(people, t(2026, 8, 3, 9, 0))
    page = page_factory(PHONE_390)
    page.goto(links.survey_path(d.code))
    _look(page, "surveys-qr-answer-390", 390)
    for name in page.eval_on_selector_all("input[type=radio][value='5']", "els => els.map(e => e.name)"):
        page.locator(f"label:has(input[name='{name}'][value='5'])").click()
    _go(page, page.locator("form.survey-form button[type=submit]"), touch=False)
    assert Response.objects.filter(channel=Channel.QR).count() == 1
    _look(page, "surveys-qr-done-390", 390)
