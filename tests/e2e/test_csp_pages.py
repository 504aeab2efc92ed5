"""Issue 21: the Content-Security-Policy (no inline script or style) and the Permissions-Policy, enforced in
Chromium on the main pages of each kind of visitor: nothing is blocked, the moved styles still apply, and what
runs by script still runs (the API docs list their operations and try one; the export page follows the
progress, in test_export_page.py). Every browser test fails on a CSP console message (conftest.page_factory);
here each page is also checked through the ``securitypolicyviolation`` events the page itself sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import path as route
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from tests.dossiers.conftest import intake, procedure  # noqa: F401 - the procedure fixture

from .conftest import DESKTOP, PHONE, screenshot, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)

#: Run in every page before its own scripts (through the DevTools protocol, which the CSP does not govern).
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _page(page_factory: Any, viewport: dict[str, int] = DESKTOP) -> Any:
    page = page_factory(viewport)
    page.context.add_init_script(LISTEN)
    return page


def _visit(page: Any, path: str) -> Any:
    response = page.goto(path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    assert page.evaluate("() => window.__cspViolations") == [], path
    return response


def _colour(page: Any, selector: str, prop: str = "backgroundColor") -> str:
    return str(page.evaluate(f"() => getComputedStyle(document.querySelector({selector!r})).{prop}"))


@pytest.fixture
def dossier(procedure, people):  # type: ignore[no-untyped-def]  # noqa: F811
    d = services.receive_at_desk(people["binh"], intake())
    Dossier.objects.filter(pk=d.pk).update(owner=people["an"])  # test set-up: An follows it in the portal
    return Dossier.objects.get(pk=d.pk)


def test_public_pages_break_no_policy(page_factory, dossier) -> None:
    page = _page(page_factory, PHONE)
    for path in ("/", "/thu-tuc/", reverse("catalogue:detail", args=[dossier.procedure.code]), "/tra-cuu",
                 "/tai-khoan/dang-nhap/", "/dang-ky/", "/thong-ke/cong-khai/", "/lich-lam-viec/"):
        _visit(page, path)
    # The stylesheet applies (the header wears the primary colour): nothing relied on an inline style.
    assert _colour(page, ".site-header") == "rgb(11, 79, 138)"
    screenshot(page, "csp-calendar-phone")
    # Tracking posts its form and shows the answer under the same policy.
    _visit(page, "/tra-cuu")
    page.locator("input[name=code]").fill(dossier.code)
    page.locator("input[name=verify]").fill("5678")
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__cspViolations") == []
    screenshot(page, "csp-tracking-phone")


def test_staff_and_citizen_pages_break_no_policy(page_factory, live_server, people, dossier) -> None:
    officer = _page(page_factory)
    sign_in_as(officer, people["binh"], live_server.url)
    for path in ("/ho-so/", reverse("dossiers:detail", args=[dossier.public_id])):
        _visit(officer, path)
    screenshot(officer, "csp-dossier-desktop")
    leader = _page(page_factory)
    sign_in_as(leader, people["giang"], live_server.url)
    for path in ("/thong-ke/", f"/thong-ke/don-vi/{dossier.procedure.agency.code}/"):
        _visit(leader, path)
    screenshot(leader, "csp-stats-desktop")
    citizen = _page(page_factory, PHONE)
    sign_in_as(citizen, people["an"], live_server.url)
    for path in ("/cong-dan/", reverse("portal:dossier", args=[dossier.public_id])):
        _visit(citizen, path)
    screenshot(citizen, "csp-citizen-dossier-phone")


def test_the_admin_site_breaks_no_policy(page_factory, live_server, people) -> None:
    from motcua.dossiers import rules
    from motcua.notifications.models import MessageTemplate

    rule_set = rules.ensure_default_rule_set()
    rule_set.note = "Sửa để có lịch sử"
    rule_set.save()  # django-auditlog records the change
    template = MessageTemplate.objects.order_by("pk").first()
    page = _page(page_factory)
    sign_in_as(page, people["ha"], live_server.url)
    for path in ("/quan-tri/", "/quan-tri/accounts/user/", f"/quan-tri/accounts/user/{people['an'].pk}/change/",
                 "/quan-tri/notifications/messagetemplate/add/"):
        _visit(page, path)
    # The admin's own addition to the look (motcua/admin.css) is loaded from the file.
    assert page.evaluate("() => [...document.styleSheets].some(s => (s.href || '').endsWith('motcua/admin.css'))")
    if template is not None:  # a message template's preview wraps its lines, by a class now
        _visit(page, f"/quan-tri/notifications/messagetemplate/{template.pk}/change/")
        assert _colour(page, "pre.message-preview", "whiteSpace") == "pre-wrap"
    # django-auditlog's history, without its <style> block: the entries are still laid out as cards.
    _visit(page, f"/quan-tri/dossiers/ruleset/{rule_set.pk}/auditlog/")
    assert page.locator(".auditlog-entry").count() >= 1
    assert _colour(page, ".auditlog-entries", "display") == "flex"
    screenshot(page, "csp-admin-history-desktop")


def test_the_api_docs_load_their_operations_and_try_one_under_the_policy(page_factory) -> None:
    page = _page(page_factory)
    _visit(page, "/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() > 20  # Swagger UI ran and read the OpenAPI document
    # The darker badges of motcua/api-docs.css apply (WCAG 1.4.3), moved out of the page.
    assert _colour(page, ".opblock-get .opblock-summary-method") == "rgb(29, 91, 153)"
    # Try an operation: Swagger UI calls the API from the page (connect-src 'self') and shows the answer.
    operation = page.locator(".opblock-get", has=page.locator("[data-path='/api/v1/calendar/holidays']")).first
    if operation.count() == 0:
        operation = page.locator(".opblock-get").first
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    for field in operation.locator("input[placeholder]").all():
        if not field.input_value():
            field.fill("2026")
    operation.locator("button.execute").click()
    operation.locator(".responses-wrapper .response .response-col_status").first.wait_for(timeout=20000)
    assert page.evaluate("() => window.__cspViolations") == []
    screenshot(page, "csp-api-docs-desktop")


@pytest.fixture
def awaiting(settings, live_server, people, org, tmp_path):  # type: ignore[no-untyped-def]
    """An online dossier of An asked to pay, the payment platform played by its double (another origin)."""
    from motcua.integrations.payments.double import MERCHANT, SECRET, PaymentDouble
    from tests.integrations.test_payments import awaiting_payment

    with PaymentDouble() as double:
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.MOTCUA_PUBLIC_BASE_URL = live_server.url
        settings.MOTCUA_PAYMENT_PROVIDER = "dvcqg"
        settings.MOTCUA_PAYMENT_URL = double.url
        settings.MOTCUA_PAYMENT_MERCHANT = MERCHANT
        settings.MOTCUA_PAYMENT_SECRET = SECRET
        settings.MOTCUA_PAYMENT_CALLBACK_URL = ""
        yield double, awaiting_payment(people, org)


def _with_form_action(settings: Any, *origins: str) -> None:
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": {
        **policy["DIRECTIVES"], "form-action": ["'self'", *origins]}}


def test_the_pay_form_reaches_the_payment_platform_named_in_form_action(page_factory, live_server, people,
                                                                        settings, awaiting) -> None:
    """The "Pay online" form posts here and is redirected to the platform: Chromium applies form-action to that
    redirect, so the platform's origin must be in it (settings: the origin of MOTCUA_PAYMENT_URL)."""
    double, dossier = awaiting
    origin = double.url.rstrip("/")
    _with_form_action(settings, origin)
    page = _page(page_factory, PHONE)
    sign_in_as(page, people["an"], live_server.url)
    _visit(page, reverse("portal:dossier", args=[dossier.public_id]))
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.wait_for_url(f"{origin}/**")
    page.get_by_role("button", name="Thanh toán").click()  # the platform's page sends the payer back
    page.wait_for_url(f"{live_server.url}/**")
    assert page.evaluate("() => window.__cspViolations") == []
    screenshot(page, "csp-payment-back-phone")


def test_without_the_platform_in_form_action_the_browser_stops_the_payment(browser, live_server, people,
                                                                          settings, awaiting) -> None:
    """Why the setting exists: with form-action 'self' alone, Chromium refuses the redirect to the platform."""
    _double, dossier = awaiting
    _with_form_action(settings)
    context = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=live_server.url)
    messages: list[str] = []
    context.on("console", lambda m: messages.append(m.text))
    page = context.new_page()
    sign_in_as(page, people["an"], live_server.url)
    page.goto(reverse("portal:dossier", args=[dossier.public_id]))
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.wait_for_timeout(1500)
    context.close()
    assert any("form-action" in m for m in messages), messages


def _broken(request: Any) -> Any:
    raise RuntimeError("a fault, for the 500 page")


urlpatterns = [route("hong/", _broken)]
handler500 = "motcua.core.views.server_error"


def test_the_500_page_keeps_its_look_by_the_hash_of_its_style_block(page_factory, settings) -> None:
    """The 500 page does not rely on the static files: its one style block is allowed by its hash."""
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    page = _page(page_factory, PHONE)
    response = page.goto("/hong/")
    assert response.status == 500
    assert "'sha256-" in response.headers["content-security-policy"]
    assert page.evaluate("() => window.__cspViolations") == []
    # The block applied: the body is centred in a 40rem column, links in the site's blue.
    assert page.evaluate("() => getComputedStyle(document.body).maxWidth") == "640px"
    assert _colour(page, "a", "color") == "rgb(11, 79, 138)"
    screenshot(page, "csp-500-phone")
