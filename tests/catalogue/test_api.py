"""/api/v1/procedures: public reads of published versions; administrators also see drafts and export."""

from __future__ import annotations

import json

import pytest
from django.test import Client

URL = "/api/v1/procedures"


@pytest.fixture
def anon() -> Client:
    return Client()


def test_list_as_anonymous(anon, catalogue):
    body = anon.get(URL, {"as_of": "2026-03-01"}).json()
    assert body["count"] == 4
    assert [i["code"] for i in body["items"]] == ["1.012905", "1.013217", "1.013236", "1.013237"]
    item = body["items"][2]
    assert item["legal_time"] == {"amount": 20, "unit": "days"}
    assert item["status"] == "published"


def test_list_search_and_as_of(anon, catalogue):
    body = anon.get(URL, {"q": "Cấp GPXD", "as_of": "2026-07-01"}).json()
    assert body["items"][0]["code"] == "1.013236"
    assert body["items"][0]["legal_time"] == {"amount": 10, "unit": "working_days"}
    body = anon.get(URL, {"q": "cap gpxd", "as_of": "2026-06-30"}).json()
    assert body["items"][0]["legal_time"] == {"amount": 20, "unit": "days"}


def test_list_pagination(anon, catalogue):
    body = anon.get(URL, {"limit": 2, "offset": 1}).json()
    assert body["count"] == 4 and [i["code"] for i in body["items"]] == ["1.013217", "1.013236"]


@pytest.mark.parametrize("params", [
    {"as_of": "2026-13-01"}, {"as_of": "hôm nay"}, {"level": "district"}, {"online_mode": "fax"},
    {"limit": 0}, {"limit": 1000}, {"offset": -1}, {"limit": "many"},
])
def test_bad_parameters_are_400(anon, catalogue, params):
    response = anon.get(URL, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


def test_list_as_a_user_without_the_right_hides_drafts(client_for, catalogue):
    body = client_for("binh").get(URL).json()
    assert "1.099999" not in [i["code"] for i in body["items"]]


def test_list_as_administrator_shows_drafts(client_for, catalogue):
    body = client_for("ha").get(URL).json()
    draft = [i for i in body["items"] if i["code"] == "1.099999"]
    assert draft and draft[0]["status"] == "draft"


def test_detail(anon, catalogue):
    body = anon.get(f"{URL}/1.013236", {"as_of": "2026-07-01"}).json()
    assert body["code"] == "1.013236"
    assert body["legal_time"] == {"amount": 10, "unit": "working_days"}
    assert body["valid_from"] == "2026-07-01" and body["valid_to"] is None
    assert body["fees"][0]["amount_vnd"] == 150_000
    assert [d["name"] for d in body["documents"]][1] == "Kết quả thẩm định PCCC"
    assert body["steps"][0]["role"] == "desk_officer"
    assert body["legal_basis"][0]["instrument"] == "Nghị định 217/2026/NĐ-CP"
    assert body["field"]["name"] == "Hoạt động xây dựng"
    assert "number of sets" in body["not_captured"] or body["not_captured"]


def test_detail_on_the_old_regime(anon, catalogue):
    body = anon.get(f"{URL}/1.013236", {"as_of": "2026-06-30"}).json()
    assert body["legal_time"] == {"amount": 20, "unit": "days"} and body["valid_to"] == "2026-06-30"


def test_unknown_code_is_404_in_the_error_format(anon, catalogue):
    response = anon.get(f"{URL}/9.999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "procedure_not_found"


def test_date_without_version_is_404(anon, catalogue):
    response = anon.get(f"{URL}/1.013236", {"as_of": "2020-01-01"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "version_not_found"


def test_draft_is_404_for_anonymous_and_users_without_the_right(anon, client_for, token_for, catalogue):
    assert anon.get(f"{URL}/1.099999").status_code == 404
    assert client_for("an").get(f"{URL}/1.099999").status_code == 404
    assert Client().get(f"{URL}/1.099999", HTTP_AUTHORIZATION=token_for("cuong")).status_code == 404


def test_draft_is_visible_to_administrators(client_for, token_for, catalogue):
    assert client_for("ha").get(f"{URL}/1.099999").json()["status"] == "draft"
    response = Client().get(f"{URL}/1.099999", HTTP_AUTHORIZATION=token_for("ha"))
    assert response.status_code == 200


def test_a_bad_token_is_401(anon, catalogue):
    response = anon.get(URL, HTTP_AUTHORIZATION="Bearer mc_nope_nope")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_export_needs_an_administrator(anon, client_for, token_for, catalogue):
    assert anon.get(f"{URL}/export").status_code == 401
    assert client_for("binh").get(f"{URL}/export").status_code == 403
    assert Client().get(f"{URL}/export", HTTP_AUTHORIZATION=token_for("thanh")).status_code == 403
    response = client_for("ha").get(f"{URL}/export", {"format": "json"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["schema"] == "motcua.catalogue/1"
    assert "1.099999" in [p["code"] for p in data["procedures"]]


def test_export_csv_and_xlsx(client_for, catalogue):
    csv_response = client_for("ha").get(f"{URL}/export", {"format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "1.013236" in csv_response.content.decode("utf-8-sig")
    pytest.importorskip("xlsxwriter")
    xlsx = client_for("ha").get(f"{URL}/export", {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client_for("ha").get(f"{URL}/export", {"format": "pdf"}).status_code == 400


def test_openapi_lists_the_error_responses(anon):
    schema = anon.get("/api/v1/openapi.json").json()
    detail = schema["paths"]["/api/v1/procedures/{code}"]["get"]["responses"]
    assert {"200", "404", "400"} <= set(detail)


def test_the_list_costs_the_same_few_queries_however_many_procedures_it_shows(anon, catalogue, org):
    """Each line is built from the rows the list fetched (issue 20, request cost): no query per procedure, which
    made the list of 100 procedures take 132 queries."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.catalogue import selectors

    from .conftest import make_procedure, make_version

    def queries() -> int:
        selectors.clear_receipt_cache()  # the public listing is cached per revision: count a fetch
        with CaptureQueriesContext(connection) as captured:
            assert anon.get(URL, {"limit": 100}).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(8):
        make_version(make_procedure(org, f"2.0000{n}", f"Thủ tục thử {n}"), dt.date(2025, 7, 1))
    assert anon.get(URL, {"limit": 100}).json()["count"] == 12
    assert queries() == few
