"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against a live server.

Playwright's own browser download is not used (`.ci/run` installs Chromium with apt). The axe-core
engine comes from npm (`npm ci`). Screenshots go to artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and the tests set up data through the ORM
    # in the same thread: tell Django that this is deliberate, for the browser tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


#: What Chromium writes to the console when the Content-Security-Policy blocks (or, in report-only mode, would
#: block) something: an inline script or style, an event handler, a resource from elsewhere.
CSP_MESSAGE = "Content Security Policy"


@pytest.fixture
def page_factory(browser: Any, live_server: Any) -> Iterator[Any]:
    """Pages on the live server. Every page listens to its console: a test whose pages broke the
    Content-Security-Policy (docs/security.md §5) fails at the end, whatever else it tested."""
    contexts: list[Any] = []
    violations: list[str] = []

    def listen(message: Any) -> None:
        if CSP_MESSAGE in message.text:
            violations.append(message.text)

    def make(viewport: dict[str, int] = DESKTOP, *, javascript: bool = True, locale: str = "vi-VN") -> Any:
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript, locale=locale,
                                      base_url=live_server.url)
        context.on("console", listen)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert violations == [], "the Content-Security-Policy blocked something"


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core in the page (WCAG 2.1 A and AA rules) and return the violations of those impacts."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci`")
    # Evaluated through the DevTools protocol, not added as an inline <script>, which the page's CSP refuses.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]


@pytest.fixture(autouse=True)
def _questionnaires(request: Any) -> None:
    """The satisfaction questionnaires a migration seeds: a browser test's database is flushed after each test
    (``transaction=True``), the seeded rows with it, so each test that uses the database gets them again."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("transactional_db")
    import datetime as dt

    from motcua.surveys import seed
    from motcua.surveys.models import Criterion, Factor, Questionnaire

    seed.seed(Questionnaire, Factor, Criterion, dt.date(2024, 1, 1))


def sign_in(page: Any, username: str) -> None:
    """Sign ``username`` in through the login form (every persona's password is the fixtures' one)."""
    import re

    page.goto("/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()
    page.wait_for_load_state("load")
    pass_second_step(page, username)


def authenticator_code(username: str, *, confirmed: bool = True) -> str:
    """The code ``username``'s authenticator app shows now (the device's secret is in the test database)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username, confirmed=confirmed).latest("pk")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def pass_second_step(page: Any, username: str) -> None:
    """When the sign-in asks for the second factor (MOTCUA_STAFF_2FA on), type the code of ``username``'s app;
    nothing to do otherwise (the suite's default, tests/settings.py)."""
    import re

    if "/xac-thuc-hai-buoc/" not in page.url or "/thiet-lap/" in page.url:
        return
    page.locator("#id_code").fill(authenticator_code(username))
    page.get_by_role("button", name=re.compile("Tiếp tục|Continue")).click()
    page.wait_for_load_state("load")


def sign_in_as(page: Any, user: Any, base_url: str) -> None:
    """Sign ``user`` in without the form: a session made by the test client, set as the page's cookie."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
