"""The page shell in a real browser: phone and desktop, Vietnamese and English, axe-clean."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_home_page_screenshot_and_no_horizontal_scroll(page_factory, viewport, label):
    page = page_factory(viewport)
    response = page.goto("/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "vi"
    # The stylesheet loaded: the header wears the primary colour.
    header_bg = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header_bg == "rgb(11, 79, 138)"
    path = screenshot(page, f"home-{label}")
    assert path.stat().st_size > 1000
    # Nothing wider than the screen: a phone never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("path", ["/", "/tai-khoan/dang-nhap/"])
def test_axe_finds_no_serious_violation(page_factory, path):
    page = page_factory(DESKTOP)
    page.goto(path)
    assert axe_violations(page) == []


def test_language_switch_works_without_javascript(page_factory):
    page = page_factory(PHONE, javascript=False)
    page.goto("/")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    screenshot(page, "home-phone-en")
    page.get_by_role("button", name="Tiếng Việt").click()
    assert page.locator("html").get_attribute("lang") == "vi"


def test_skip_link_is_first_and_moves_focus_to_main(page_factory):
    page = page_factory(DESKTOP)
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("javascript", [False, True])
def test_official_signs_in(page_factory, people, javascript):
    page = page_factory(PHONE, javascript=javascript)
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("binh")
    page.get_by_label("Mật khẩu").fill("mat-khau-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto("/tai-khoan/")
    assert "Bộ phận Một cửa Sở Xây dựng" in page.content()
    if javascript:  # axe itself needs JavaScript
        screenshot(page, "account-phone")
        assert axe_violations(page) == []
