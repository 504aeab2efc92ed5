"""Every bad input is a 4xx (issue 12, item 10): each case below answered 500 before."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.dossiers.conftest import PDF, procedure  # noqa: F401  (procedure: a fixture)
from tests.dossiers.test_api import BODY

BIG = "9223372036854775808"  # 2**63: one more than SQLite's and PostgreSQL's bigint


@pytest.mark.parametrize("who,path", [
    ("binh", f"/api/v1/dossiers?offset={BIG}"),
    ("binh", f"/api/v1/queues/mine?offset={BIG}"),
    ("binh", f"/api/v1/procedures?offset={BIG}"),
    ("an", "/api/v1/procedures?offset=95120328992703961995673600"),
    ("binh", f"/api/v1/notifications?subject=dossier:X&offset={BIG}"),
    ("binh", "/api/v1/dossiers?date_to=9999-12-31"),
    ("binh", "/api/v1/dossiers?date_from=0001-01-01"),
    ("binh", f"/api/v1/dossiers?status={BIG}"),
    ("ha", "/api/v1/stats/summary?from=9999-01-01&to=9999-12-31"),
    ("ha", "/api/v1/stats/evaluation?from=9999-01-01&to=9999-12-31"),
    ("ha", "/api/v1/stats/ranking?from=0001-01-01&to=0001-12-31"),
    ("binh", "/api/v1/registers/dossiers.xlsx?from=0001-01-01&to=0001-12-31"),
    ("binh", "/api/v1/registers/dossiers.xlsx?from=9999-01-01&to=9999-12-31"),
])
def test_api_bad_numbers_and_dates(people, token_for, who, path):
    response = Client().get(path, HTTP_AUTHORIZATION=token_for(who))
    assert response.json()["error"]["code"] == "invalid_input"
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("path", [
    "/thong-ke/don-vi/T.SXD/?period=custom&from=0001-01-01&to=0001-12-31",
    "/thong-ke/don-vi/T.SXD/?period=custom&from=9999-01-01&to=9999-12-31",
    "/thong-ke/xep-hang/?period=custom&from=0001-01-01&to=0001-12-31",
    "/thong-ke/bao-cao.xlsx?period=custom&from=0001-01-01&to=0001-12-31",
    "/thong-ke/bao-cao.xlsx?period=custom&from=9999-01-01&to=9999-12-31",
    "/thong-ke/bao-cao.pdf?period=custom&from=9999-01-01&to=9999-12-31",
    "/thong-ke/ho-so/?period=custom&from=9999-01-01&to=9999-12-31",
])
def test_stats_pages_bad_dates(client_for, path):
    response = client_for("ha").get(path)
    assert response.status_code == 400
    assert "01/01/2000" in response.content.decode()  # what is wrong, in the user's language


def test_a_huge_officer_id_is_ignored(client_for):
    assert client_for("ha").get(f"/thong-ke/ho-so/?officer={BIG}").status_code == 200


def test_multipart_without_boundary(people, token_for):
    response = Client().post("/api/v1/dossiers", b"x", content_type="multipart/form-data",
                             HTTP_AUTHORIZATION=token_for("binh"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_multipart"


def _multipart(file_name: str) -> tuple[bytes, str]:
    """A receipt with one file, encoded as a browser does (the test client would shorten the name)."""
    boundary = "motcua-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n{json.dumps(BODY)}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="documents.1"; filename="{file_name}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n").encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_very_long_file_name_is_a_400(procedure, token_for):  # noqa: F811
    # Django reads at most 1 KB of a part's headers: a name of about 950 characters or more cannot be read.
    body, content_type = _multipart("a" * 1000 + ".pdf")
    response = Client().post("/api/v1/dossiers", body, content_type=content_type,
                             HTTP_AUTHORIZATION=token_for("binh"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_multipart"
    assert "255" in response.json()["error"]["message"]


def test_a_long_file_name_is_shortened(procedure, token_for):  # noqa: F811
    body, content_type = _multipart("đơn đề nghị cấp phép " * 15 + ".pdf")  # 300 characters
    token = token_for("binh")
    response = Client().post("/api/v1/dossiers", body, content_type=content_type, HTTP_AUTHORIZATION=token)
    assert response.status_code == 201, response.content
    detail = Client().get(f"/api/v1/dossiers/{response.json()['code']}", HTTP_AUTHORIZATION=token).json()
    name = detail["documents"][0]["files"][0]["name"]
    assert name.endswith(".pdf") and len(name) <= 124


def test_a_page_refuses_an_unreadable_upload_with_the_reason(db):
    body, content_type = _multipart("a" * 1000 + ".pdf")
    response = Client().post("/tai-khoan/dang-nhap/", body, content_type=content_type)
    assert response.status_code == 400
    assert "255" in response.content.decode()  # the reason, in the visitor's language
