"""Issue 21, finding 8: the public tracking API took the four digits in the URL (access logs, proxies,
history). POST takes them in the body; the GET still answers, marked deprecated."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.dossiers import services as dossier_services

from .conftest import submit

pytestmark = pytest.mark.django_db


def test_post_tracks_with_the_digits_in_the_body(people, procedure):
    dossier = dossier_services.accept(people["binh"], submit(people))
    response = Client().post(f"/api/v1/public/dossiers/{dossier.code}", json.dumps({"verify": "5678"}),
                             content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["code"] == dossier.code
    assert "Deprecation" not in response
    wrong = Client().post(f"/api/v1/public/dossiers/{dossier.code}", json.dumps({"verify": "0000"}),
                          content_type="application/json")
    unknown = Client().post("/api/v1/public/dossiers/T.SXD-000000-9999", json.dumps({"verify": "5678"}),
                            content_type="application/json")
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()


def test_the_get_still_answers_but_says_it_is_deprecated(people, procedure):
    dossier = dossier_services.accept(people["binh"], submit(people))
    response = Client().get(f"/api/v1/public/dossiers/{dossier.code}", {"verify": "5678"})
    assert response.status_code == 200
    assert response["Deprecation"] == "true" and response["Sunset"].endswith("GMT")
    schema = Client().get("/api/v1/openapi.json").json()
    operations = schema["paths"]["/api/v1/public/dossiers/{code}"]
    assert operations["get"]["deprecated"] is True and not operations["post"].get("deprecated")
