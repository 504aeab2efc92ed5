"""Who sees which prediction: the API and the director's dashboard, as anonymous, as one without the right
and as one with it; nothing personal and nothing outside the viewer's scope leaks through a prediction."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.insight.models import LatenessModel, Prediction
from tests.dossiers.conftest import intake, procedure  # noqa: F401 - the dossiers' fixtures

pytestmark = pytest.mark.django_db
WEDNESDAY_MORNING = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
REASONS = [{"code": "officer_load", "weight": 0.2, "count": 14, "percentile": 95}]


@pytest.fixture(autouse=True)
def _working_morning():  # type: ignore[no-untyped-def]
    with time_machine.travel(WEDNESDAY_MORNING, tick=True):
        yield


@pytest.fixture
def scored(procedure, people):  # type: ignore[no-untyped-def]  # noqa: F811
    d = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    d = Dossier.objects.get(pk=d.pk)
    m = LatenessModel.objects.create(library="test", artefact=b"", artefact_hmac="", active=True,
                                     metrics={"model": {"auc": 0.85, "brier": 0.05}})
    Prediction.objects.create(dossier=d, model=m, scored_at=timezone.now(), probability=0.72, at_risk=True,
                              expected_finish=timezone.now() + dt.timedelta(days=9), reasons=REASONS)
    return d


PERSONAL = ("Nguyễn Văn An", "068090001234")


def _no_personal_data(text: str) -> None:
    for value in PERSONAL:
        assert value not in text


def test_the_api_is_for_staff(scored, token_for):
    assert Client().get("/api/v1/insight/predictions").status_code == 401
    assert Client().get(f"/api/v1/insight/predictions/{scored.code}").status_code == 401
    citizen = Client().get("/api/v1/insight/predictions", HTTP_AUTHORIZATION=token_for("an"))
    assert citizen.status_code == 403 and citizen.json()["error"]["code"] == "forbidden"
    assert Client().get(f"/api/v1/insight/predictions/{scored.code}",
                        HTTP_AUTHORIZATION=token_for("an")).status_code == 403


@pytest.mark.parametrize("who", ["giang", "binh", "thanh"])
def test_staff_who_may_see_the_dossier_get_its_prediction_without_personal_data(scored, token_for, who):
    response = Client().get("/api/v1/insight/predictions", HTTP_AUTHORIZATION=token_for(who),
                            HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["model"]["auc"] == 0.85
    item = body["items"][0]
    assert item["code"] == scored.code and item["probability"] == 0.72 and item["at_risk"] is True
    assert item["reasons"][0]["code"] == "officer_load"
    assert item["reasons"][0]["text"] == "cán bộ đang giữ bước có 14 bước đang mở, nhiều hơn 95% thời gian"
    _no_personal_data(response.content.decode())
    one = Client().get(f"/api/v1/insight/predictions/{scored.code}", HTTP_AUTHORIZATION=token_for(who),
                       HTTP_ACCEPT_LANGUAGE="en")
    assert one.status_code == 200 and one.json()["probability"] == 0.72
    assert one.json()["reasons"][0]["text"] == "the officer holding it has 14 open steps, more than 95% of the time"
    _no_personal_data(one.content.decode())


def test_staff_of_another_agency_see_neither_the_prediction_nor_that_the_dossier_exists(scored, token_for):
    body = Client().get("/api/v1/insight/predictions", HTTP_AUTHORIZATION=token_for("khanh")).json()
    assert body == {"count": 0, "model": body["model"], "items": []}
    response = Client().get(f"/api/v1/insight/predictions/{scored.code}", HTTP_AUTHORIZATION=token_for("khanh"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "dossier_not_found"


def test_a_dossier_without_a_prediction_is_a_clear_404(scored, procedure, people, token_for):  # noqa: F811
    Prediction.objects.all().delete()
    response = Client().get(f"/api/v1/insight/predictions/{scored.code}", HTTP_AUTHORIZATION=token_for("giang"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "no_prediction"
    bad = Client().get("/api/v1/insight/predictions", {"limit": "many"}, HTTP_AUTHORIZATION=token_for("giang"))
    assert bad.status_code == 400


def test_the_directors_dashboard_lists_the_dossiers_most_likely_late(scored, client_for, org):
    assert Client().get(f"/thong-ke/don-vi/{org['sxd'].code}/").status_code == 302  # anonymous: to the login
    assert client_for("an").get(f"/thong-ke/don-vi/{org['sxd'].code}/").status_code == 403
    assert client_for("cuong").get(f"/thong-ke/don-vi/{org['sxd'].code}/").status_code == 403  # no statistics right
    client = client_for("giang")
    page = client.get(f"/thong-ke/don-vi/{org['sxd'].code}/").content.decode()
    assert "Hồ sơ đang giải quyết có khả năng trễ hạn cao nhất" in page
    assert f'href="/ho-so/{scored.code}/"' in page and "72%" in page
    assert "cán bộ đang giữ bước có 14 bước đang mở, nhiều hơn 95% thời gian" in page
    _no_personal_data(page)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/thong-ke/don-vi/{org['sxd'].code}/").content.decode()
    assert "Open dossiers most likely to end late" in page and "more than 95% of the time" in page


def test_the_panel_of_another_agency_does_not_show_this_dossier(scored, client_for, org):
    page = client_for("thanh").get(f"/thong-ke/don-vi/{org['other'].code}/").content.decode()
    assert scored.code not in page


def test_without_predictions_there_is_no_panel(scored, client_for, org):
    LatenessModel.objects.all().delete()
    page = client_for("giang").get(f"/thong-ke/don-vi/{org['sxd'].code}/").content.decode()
    assert "Hồ sơ đang giải quyết có khả năng trễ hạn cao nhất" not in page


def test_the_dossier_page_shows_its_prediction_to_staff_who_see_it(scored, client_for):
    page = client_for("giang").get(f"/ho-so/{scored.code}/").content.decode()
    assert "Dự báo trễ hạn" in page and "72% khả năng trễ hạn" in page
    assert "cán bộ đang giữ bước có 14 bước đang mở, nhiều hơn 95% thời gian" in page
    assert client_for("khanh").get(f"/ho-so/{scored.code}/").status_code == 404  # another agency: not found
    assert client_for("an").get(f"/ho-so/{scored.code}/").status_code in (403, 404)  # not the citizen's


def test_the_dossier_page_without_a_prediction_has_no_section(scored, client_for):
    Prediction.objects.all().delete()
    assert "Dự báo trễ hạn" not in client_for("giang").get(f"/ho-so/{scored.code}/").content.decode()
