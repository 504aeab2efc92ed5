"""HEAD answers as GET without a body on every GET page and GET API operation (RFC 9110 §9.3.2)."""

from __future__ import annotations

import pytest
from django.http import FileResponse, HttpResponse
from django.test import Client, RequestFactory

from motcua.core.middleware import HeadAsGetMiddleware


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/healthz", "/thu-tuc/", "/tra-cuu", "/api/v1/openapi.json"])
def test_head_answers_like_get(client: Client, path: str):
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""


def test_head_keeps_the_gets_length_and_drops_the_body():
    seen = []

    def view(request):
        seen.append(request.method)
        return HttpResponse(b"x" * 42, content_type="text/plain")

    response = HeadAsGetMiddleware(view)(RequestFactory().head("/"))
    assert seen == ["GET"]
    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == "42"


@pytest.mark.django_db  # closing a response sends request_finished, which closes old connections
def test_head_on_a_download_streams_nothing_and_closes_the_file(tmp_path):
    path = tmp_path / "result.pdf"
    path.write_bytes(b"%PDF-1.7 " * 100)
    handle = path.open("rb")
    response = HeadAsGetMiddleware(lambda request: FileResponse(handle))(RequestFactory().head("/"))
    assert b"".join(response.streaming_content) == b""
    assert response["Content-Length"] == "900"
    assert handle.closed

