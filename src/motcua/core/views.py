from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .pagecache import public_page

logger = logging.getLogger(__name__)


@require_GET
@public_page()
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
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
