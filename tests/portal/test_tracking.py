"""Public tracking: the page /tra-cuu and GET /api/v1/public/dossiers/{code}."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.dossiers import services as dossier_services

from .conftest import submit

pytestmark = pytest.mark.django_db

PERSONAL = ["Nguyễn Văn An", "068090001234", "0912345678", "an@example.vn", "Trần Phú", "Trần Thị Bình"]


@pytest.fixture
def received(people, procedure):  # type: ignore[no-untyped-def]
    dossier = submit(people)
    return dossier_services.accept(people["binh"], dossier)


def _post(client: Client, code: str, verify: str):  # type: ignore[no-untyped-def]
    return client.post("/tra-cuu", {"code": code, "verify": verify})


def test_the_page_shows_the_status_promised_date_and_steps_without_personal_data(received):
    response = _post(Client(), received.code, "5678")
    assert response.status_code == 200
    body = response.content.decode()
    assert "status-2" in body  # "Received" (translated by whichever catalogue comes first)
    assert received.due_at is not None
    assert "15 ngày làm việc" in body or "15 working days" in body
    for value in PERSONAL:
        assert value not in body


def test_the_id_number_digits_work_too_and_the_reference_before_a_code(people, procedure):
    dossier = submit(people)
    assert _post(Client(), dossier.reference, "1234").status_code == 200
    body = _post(Client(), dossier.reference, "1234").content.decode()
    assert "Mới đăng ký" in body or "Newly submitted" in body


def _answer(response) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    return body.replace("csrfmiddlewaretoken", "")


def test_wrong_code_and_wrong_digits_get_the_same_answer(received):
    client = Client()
    wrong_digits = _post(client, received.code, "0000")
    wrong_code = _post(client, received.code[:-1] + "9", "0000")
    assert wrong_digits.status_code == wrong_code.status_code == 200
    strip = [received.code, received.code[:-1] + "9"]

    def normalise(response):  # type: ignore[no-untyped-def]
        body = response.content.decode()
        for value in strip:
            body = body.replace(value, "CODE")
        import re
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    assert normalise(wrong_digits) == normalise(wrong_code)
    assert "No dossier matches" in wrong_code.content.decode() or "Không có hồ sơ" in wrong_code.content.decode()


def test_the_qr_code_link_fills_the_code(received):
    response = Client().get(f"/tra-cuu?code={received.code}")
    assert response.status_code == 200
    assert f'value="{received.code}"' in response.content.decode()


def test_the_page_is_rate_limited_per_client(received, settings):
    settings.MOTCUA_TRACKING_RATE_LIMIT = 3
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        assert _post(client, received.code, "0000").status_code == 200
    assert _post(client, received.code, "5678").status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert _post(other, received.code, "5678").status_code == 200


def test_invalid_input_is_shown_next_to_the_field(received):
    response = _post(Client(), "", "12a")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in body
    assert 'id="id_verify_error"' in body


@pytest.mark.parametrize("who", ["anonymous", "an", "khanh"])
def test_the_page_is_public(received, client_for, who):
    client = Client() if who == "anonymous" else client_for(who)
    assert client.get("/tra-cuu").status_code == 200
    assert _post(client, received.code, "5678").status_code == 200


# --- API ---

def test_api_answers_with_the_public_status(received):
    response = Client().get(f"/api/v1/public/dossiers/{received.code}?verify=5678")
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == received.code
    assert data["status"] == 2
    assert data["due_at"]
    assert data["due_explanation"]
    assert [s["status"] for s in data["steps"]] == [1, 2]
    text = json.dumps(data, ensure_ascii=False)
    for value in PERSONAL:
        assert value not in text


def test_api_wrong_code_and_wrong_digits_get_the_same_answer(received):
    a = Client().get(f"/api/v1/public/dossiers/{received.code}?verify=0000")
    b = Client().get("/api/v1/public/dossiers/T.SXD-000000-9999?verify=5678")
    c = Client().get(f"/api/v1/public/dossiers/{received.code}")
    assert a.status_code == b.status_code == c.status_code == 404
    assert a.json() == b.json() == c.json()
    assert a.json()["error"]["code"] == "no_match"


def test_api_is_rate_limited(received, settings):
    settings.MOTCUA_TRACKING_RATE_LIMIT = 2
    client = Client()
    for _ in range(2):
        client.get(f"/api/v1/public/dossiers/{received.code}?verify=0000")
    response = client.get(f"/api/v1/public/dossiers/{received.code}?verify=5678")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"


@pytest.mark.parametrize("who", ["anonymous", "an", "binh"])
def test_api_is_public_and_the_same_for_everyone(received, token_for, who):
    headers = {} if who == "anonymous" else {"HTTP_AUTHORIZATION": token_for(who)}
    assert Client().get(f"/api/v1/public/dossiers/{received.code}?verify=5678", **headers).status_code == 200
    assert Client().get(f"/api/v1/public/dossiers/{received.code}?verify=1111", **headers).status_code == 404


def test_behind_the_proxy_the_limit_is_per_client_and_the_header_is_not_believed_from_others(received, settings):
    settings.MOTCUA_TRACKING_RATE_LIMIT = 3
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    first = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
    for _ in range(3):
        assert _post(first, received.code, "0000").status_code == 200
    assert _post(first, received.code, "5678").status_code == 429
    second = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert _post(second, received.code, "5678").status_code == 200
    # a client reaching the app directly is counted on its own address, whatever header it forges
    for n in range(3):
        direct = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{10 + n}")
        assert _post(direct, received.code, "0000").status_code == 200
    forged = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert _post(forged, received.code, "5678").status_code == 429
