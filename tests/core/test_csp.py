"""Issue 21, finding 5 and "raise the floor": a Content-Security-Policy without inline scripts or styles, and a
Permissions-Policy, on every response (docs/security.md §5). The browser side (no violation on the main pages,
the API docs and the export page still work) is in tests/e2e/test_csp_pages.py."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from motcua.core import views

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "motcua"

#: Templates turned into PDF by WeasyPrint, never sent to a browser as HTML (the CSP does not apply to them).
PDF_TEMPLATES = {"report_pdf.html", "results_pdf.html"}
PDF_FOLDERS = ("documents/templates/documents/forms/",)
#: Sent with its one style block, allowed by its hash (core.views.server_error).
SELF_CONTAINED = {"templates/errors/500.html"}


def _policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def _assert_strict(policy: dict[str, list[str]]) -> None:
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert sorted(policy["img-src"]) == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["font-src"] == policy["connect-src"] == ["'self'"]
    assert "upgrade-insecure-requests" not in policy  # production only (plain HTTP here)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/",  # an HTML page
    "/api/v1/calendar/due?start=2026-02-13T10:00:00%2B07:00&amount=3&unit=working_days",  # the API
    "/static/motcua/motcua.css",  # a static file, answered by WhiteNoise
    "/tai-khoan/dang-nhap/",
])
def test_every_response_carries_the_policies(client, path):
    response = client.get(path)
    assert response.status_code == 200
    _assert_strict(_policy(response))
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions
    assert "publickey-credentials-get=(self)" in permissions  # passkeys for the staff's second factor


@pytest.mark.django_db
def test_an_error_page_carries_the_policy_too(client, settings):
    settings.DEBUG = False  # django-csp leaves DEBUG's own 404 and 500 pages alone
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    _assert_strict(_policy(response))


def _served_templates() -> list[Path]:
    found = []
    for path in SRC.rglob("*.html"):
        rel = path.relative_to(SRC).as_posix()
        if path.name in PDF_TEMPLATES or rel.startswith(PDF_FOLDERS) or rel in SELF_CONTAINED:
            continue
        found.append(path)
    return found


INLINE = [
    (re.compile(r"""\sstyle\s*=""", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> block"),
    (re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: address"),
]
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def test_no_template_sent_to_a_browser_has_an_inline_script_or_style():
    """The policy has no 'unsafe-inline': an inline script, handler or style in a page would silently not work.
    JSON data in <script type="application/json"> is not run, so it is allowed."""
    templates = _served_templates()
    assert len(templates) > 100
    found = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            if pattern.search(text):
                found.append(f"{path.relative_to(SRC)}: {what}")
        for attributes in SCRIPT.findall(text):
            if "src=" not in attributes and 'type="application/json"' not in attributes:
                found.append(f"{path.relative_to(SRC)}: an inline <script>")
    assert found == []


def test_the_check_would_catch_an_inline_style_and_handler(tmp_path):
    text = '<p style="color:red">x</p><button onclick="go()">y</button><script>alert(1)</script>'
    assert [what for pattern, what in INLINE if pattern.search(text)] == ["a style attribute",
                                                                          "an inline event handler"]
    assert SCRIPT.findall(text) == [""]


def test_the_500_page_keeps_its_style_block_by_its_hash_only(settings):
    settings.DEBUG = False
    from csp.middleware import CSPMiddleware

    request = RequestFactory().get("/")
    response = CSPMiddleware(lambda r: views.server_error(r))(request)
    assert response.status_code == 500
    block = re.search(r"<style>(.*?)</style>", response.content.decode(), re.S).group(1)  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    policy = _policy(response)
    assert policy["style-src"] == ["'self'", f"'sha256-{digest}'"]
    assert policy["script-src"] == ["'self'"]


REPORT = {"csp-report": {"document-uri": "https://motcua.example/tra-cuu", "violated-directive": "style-src-elem",
                         "effective-directive": "style-src-elem", "blocked-uri": "inline", "source-file": "",
                         "line-number": 3}}


@pytest.fixture
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def test_a_violation_report_is_logged_and_junk_is_refused_without_a_server_error(fresh_limits, caplog):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="motcua.csp"):
        ok = client.post("/csp-report", json.dumps(REPORT), content_type="application/csp-report")
    assert ok.status_code == 204
    assert "directive=style-src-elem blocked=inline" in caplog.text and "/tra-cuu" in caplog.text
    caplog.clear()
    for body, kind in [("not json", "application/csp-report"), ("[1, 2]", "application/json"),
                       ('{"csp-report": "x"}', "application/json"), ("\udcff", "text/plain")]:
        assert client.post("/csp-report", body.encode("utf-8", "surrogatepass"), content_type=kind).status_code == 400
    assert client.post("/csp-report", "x" * (views.CSP_REPORT_MAX_BYTES + 1),
                       content_type="application/csp-report").status_code == 413
    assert client.get("/csp-report").status_code == 405
    assert "motcua.csp" not in caplog.text  # nothing of the junk reaches the violations log


def test_violation_reports_are_limited_per_client(fresh_limits):
    client = Client()
    codes = [client.post("/csp-report", json.dumps(REPORT), content_type="application/csp-report").status_code
             for _ in range(views.CSP_REPORTS_PER_MINUTE + 2)]
    assert codes[:views.CSP_REPORTS_PER_MINUTE] == [204] * views.CSP_REPORTS_PER_MINUTE
    assert codes[-2:] == [429, 429]


def _settings(tmp_path: Path, **env: str) -> dict[str, object]:
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": str(ROOT / "src"),
            "MOTCUA_VAR_DIR": str(tmp_path), **env}
    for name in ("MOTCUA_CSP_REPORT_ONLY", "MOTCUA_CSP_FORM_ACTION", "MOTCUA_PAYMENT_URL"):
        if name not in env:
            full.pop(name, None)
    if "MOTCUA_ENV" not in env:
        full.pop("MOTCUA_ENV", None)
    code = ("import json, motcua.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
            "['CONTENT_SECURITY_POLICY', 'CONTENT_SECURITY_POLICY_REPORT_ONLY']}))")
    result = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60,
                            check=True)
    return json.loads(result.stdout)


def test_the_payment_platform_may_receive_the_pay_form_and_report_only_blocks_nothing(tmp_path):
    got = _settings(tmp_path, MOTCUA_PAYMENT_URL="https://pay.example.gov.vn/api/v2",
                    MOTCUA_CSP_FORM_ACTION="https://checkout.example.vn/pay, https://other.example.vn")
    directives = got["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]  # type: ignore[index]
    assert directives["form-action"] == ["'self'", "https://pay.example.gov.vn", "https://checkout.example.vn",
                                         "https://other.example.vn"]
    assert got["CONTENT_SECURITY_POLICY_REPORT_ONLY"] is None
    got = _settings(tmp_path, MOTCUA_CSP_REPORT_ONLY="true")
    assert got["CONTENT_SECURITY_POLICY"] is None
    assert got["CONTENT_SECURITY_POLICY_REPORT_ONLY"]["DIRECTIVES"]["form-action"] == ["'self'"]  # type: ignore[index]


def test_production_upgrades_insecure_requests(tmp_path):
    import secrets

    got = _settings(tmp_path, MOTCUA_ENV="production", MOTCUA_SECRET_KEY=secrets.token_urlsafe(60),
                    MOTCUA_ALLOWED_HOSTS="motcua.example.gov.vn", MOTCUA_PUBLIC_BASE_URL="https://motcua.example.gov.vn")
    assert got["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["upgrade-insecure-requests"] is True  # type: ignore[index]
