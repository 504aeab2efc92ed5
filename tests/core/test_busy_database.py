"""A database locked past its busy timeout answers 503 with Retry-After and a clear message, not a 500 (seen with
four register exports at once on SQLite: bench/bench_exports.py)."""

from __future__ import annotations

import json

from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from motcua.core.middleware import BusyDatabaseMiddleware


def _middleware() -> BusyDatabaseMiddleware:
    return BusyDatabaseMiddleware(lambda request: HttpResponse())


def test_the_api_answers_busy_in_its_error_format():
    request = RequestFactory().get("/api/v1/registers/dossiers.pdf")
    with translation.override("vi"):
        response = _middleware().process_exception(request, OperationalError("database is locked"))
    assert response is not None and response.status_code == 503
    assert response["Retry-After"] == "5"
    error = json.loads(response.content)["error"]
    assert error["code"] == "busy" and error["message"].startswith("Hệ thống đang bận")


def test_a_page_answers_busy_without_the_database():
    request = RequestFactory().post("/ho-so/tiep-nhan/")
    response = _middleware().process_exception(request, OperationalError("database is locked"))
    assert response is not None and response.status_code == 503
    text = response.content.decode()
    assert "Hệ thống đang bận (503)" in text and "The system is busy (503)" in text
    assert "<style" not in text  # the content security policy allows no inline style


def test_other_database_errors_stay_errors():
    request = RequestFactory().get("/api/v1/me")
    assert _middleware().process_exception(request, OperationalError("no such table: x")) is None
    assert _middleware().process_exception(request, ValueError("database is locked")) is None
