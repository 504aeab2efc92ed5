from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import health, throttle

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query, 503 with the reason when it does not. The operators' warnings
    (``core.health``, e.g. next year's official calendar not entered) are listed under ``warnings``: they
    leave the status "ok" (the service runs), for the monitoring to alert a person."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("healthz: database unavailable: %s", exc)
        return JsonResponse({"status": "unavailable", "reason": f"database: {exc.__class__.__name__}"}, status=503)
    body: dict[str, Any] = {"status": "ok"}
    warnings = health.notices()
    if warnings:
        body["warnings"] = [{"code": n.code, "message": n.message} for n in warnings]
    return JsonResponse(body)


def _error_page(request: HttpRequest, template: str, status: int, reason: str = "") -> HttpResponse:
    return render(request, template, {"reason": reason}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = ""
    if isinstance(exception, MultiPartParserError):
        # Django reads at most 1 KB of each part's headers: a file name of some 950 characters is refused here.
        reason = _("The files sent could not be read. Give each file a name of at most 255 characters and send "
                   "the form again.")
    return _error_page(request, "errors/400.html", 400, reason)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: whatever failed must not fail again while we render the apology.
    html = loader.get_template("errors/500.html").render()
    response = HttpResponse(html, status=500)
    # The apology carries its one style block (it must not depend on the static files, which may be what
    # broke): the Content-Security-Policy allows exactly that block by its hash, on this response only.
    allowed = [f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
               for block in _STYLE_BLOCK.findall(html)]
    if allowed:
        response._csp_update = {"style-src": allowed}  # type: ignore[attr-defined]  # django-csp reads these
        response._csp_update_ro = {"style-src": allowed}  # type: ignore[attr-defined]
    return response


_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)
#: The most violation reports one client may send a minute, and the largest report read.
CSP_REPORTS_PER_MINUTE = 30
CSP_REPORT_MAX_BYTES = 16 * 1024
_csp_logger = logging.getLogger("motcua.csp")


@csrf_exempt  # sent by browsers on their own, without a token; it changes nothing but the log
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Where browsers report what the Content-Security-Policy blocked (``report-uri``): one warning in the log
    per report, with the page, the directive and the blocked address, cut short. Anything else (not JSON, too
    large, too many from one client) is answered 400, 413 or 429 and not logged."""
    if not throttle.allow(request, "csp-report", limit=CSP_REPORTS_PER_MINUTE, window=60):
        return HttpResponse(status=429)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        report = json.loads(request.read(CSP_REPORT_MAX_BYTES + 1).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return HttpResponse(status=400)
    body = report.get("csp-report") if isinstance(report, dict) else None
    if not isinstance(body, dict):
        return HttpResponse(status=400)

    def field(name: str) -> str:
        return str(body.get(name, ""))[:200].encode("unicode_escape").decode("ascii")

    _csp_logger.warning("CSP violation: page=%s directive=%s blocked=%s source=%s:%s",
                        field("document-uri"), field("effective-directive") or field("violated-directive"),
                        field("blocked-uri"), field("source-file"), field("line-number"))
    return HttpResponse(status=204)
