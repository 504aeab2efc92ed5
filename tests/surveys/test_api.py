"""``/api/v1/surveys``: the questionnaires (anyone), answers through a one-time link, the indices of the
caller's scope, and the campaigns (administrators) — each as anonymous, without the right and with it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.surveys import services
from motcua.surveys.models import Answer, Campaign, Invitation, Response
from motcua.surveys.services import Answers, Where

from . import campaign_helpers as helpers
from .campaign_helpers import YEAR, finished, tokens, values

_channels, sipas, procedures = helpers._channels, helpers.sipas, helpers.procedures

pytestmark = pytest.mark.django_db
API = "/api/v1/surveys"


def _post(path: str, body: dict, auth: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return Client().post(path, json.dumps(body), content_type="application/json", **extra)


def _get(path: str, auth: str | None = None):  # type: ignore[no-untyped-def]
    return Client().get(path, **({"HTTP_AUTHORIZATION": auth} if auth else {}))


@pytest.fixture
def invitation_token(org, people, procedures, sipas):  # type: ignore[no-untyped-def]
    dossier = finished(procedures["p1"], org["sxd"], "online", 1)[0]
    return services.invite(dossier, questionnaire=sipas)


# --- anyone ---------------------------------------------------------------------------------------------------------

def test_anyone_reads_the_questionnaires(sipas):
    response = _get(f"{API}/questionnaires")
    assert response.status_code == 200
    items = {(q["code"], q["version"]): q for q in response.json()["items"]}
    form = items[("sipas", 1)]
    assert [f["code"] for f in form["factors"]] == ["1", "2", "3", "4", "5"]
    assert sum(len(f["criteria"]) for f in form["factors"]) == 19
    assert form["scale"][0] == {"value": 1, "vi": "Rất không hài lòng", "en": "Very dissatisfied"}
    assert form["scale_max"] == 5 and form["satisfied_from"] == 4
    assert ("dossier", 1) in items


def test_an_answer_through_the_link_is_recorded_once_and_says_nothing_else(invitation_token, sipas):
    body = {"values": values(sipas, 5) | {"1.1": None}, "comment": "Cán bộ nhiệt tình."}
    response = _post(f"{API}/answers/{invitation_token}", body)
    assert response.status_code == 201
    assert response.json() == {"recorded": True}
    assert Response.objects.count() == 1 and Answer.objects.filter(value__isnull=True).count() == 1
    again = _post(f"{API}/answers/{invitation_token}", body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_answered"


def test_a_bad_token_is_a_404_in_the_error_format(sipas):
    response = _post(f"{API}/answers/khong-co-that", {"values": values(sipas, 5)})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found" and response.json()["error"]["message"]


def test_an_expired_link_is_a_409(invitation_token, sipas):
    Invitation.objects.update(expires_at="2020-01-01T00:00:00Z")
    response = _post(f"{API}/answers/{invitation_token}", {"values": values(sipas, 5)})
    assert response.status_code == 409 and response.json()["error"]["code"] == "link_expired"


@pytest.mark.parametrize("change,field", [
    ({"1.1": 6}, "1.1"),
    ({"1.1": 0}, "1.1"),
    ({"9.9": 5}, "9.9"),
])
def test_a_bad_answer_is_a_400_naming_the_criterion_and_stores_nothing(invitation_token, sipas, change, field):
    response = _post(f"{API}/answers/{invitation_token}", {"values": values(sipas, 5) | change})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"][0]["field"] == field
    assert Response.objects.count() == 0 and not Invitation.objects.get().used


@pytest.mark.parametrize("body", [
    {"values": {"1.1": True}},
    {"values": {"1.1": "5"}},
    {"values": {"1.1": 4.5}},
    {"values": []},
    {},
])
def test_a_body_of_the_wrong_shape_is_a_400(invitation_token, body):
    response = _post(f"{API}/answers/{invitation_token}", body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_input"
    assert Response.objects.count() == 0


def test_a_missing_criterion_is_a_400(invitation_token, sipas):
    answers = values(sipas, 5)
    answers.pop("3.2")
    response = _post(f"{API}/answers/{invitation_token}", {"values": answers})
    assert response.status_code == 400 and response.json()["error"]["code"] == "missing_answer"


# --- staff: results -------------------------------------------------------------------------------------------------

@pytest.fixture
def answered(org, sipas):  # type: ignore[no-untyped-def]
    """Six answers about the Department of Construction (5 satisfied), five about Agriculture (none)."""
    for score in (5, 5, 4, 5, 4, 2):
        services.record(sipas, Answers(values(sipas, score)), Where(unit=org["sxd"], month=YEAR[0]), "paper")
    for _ in range(5):
        services.record(sipas, Answers(values(sipas, 1)), Where(unit=org["other"], month=YEAR[0]), "paper")


RESULTS = f"{API}/results?questionnaire=sipas&from=2025-01-01&to=2025-12-31"


def test_results_need_a_sign_in_and_the_right_to_see_statistics(answered, token_for):
    assert _get(RESULTS).status_code == 401
    for who in ("an", "binh", "cuong"):  # a citizen, a desk officer, a specialist
        response = _get(RESULTS, token_for(who))
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_a_leader_sees_the_results_of_their_agency_only(answered, token_for):
    giang = token_for("giang")
    mine = _get(RESULTS, giang)
    assert mine.status_code == 200
    group = mine.json()["groups"][0]
    assert group["responses"] == 6 and group["overall"]["index"] == round(5 / 6, 4)
    assert mine.json()["from"] == "2025-01-01"
    assert _get(RESULTS + "&unit=T.SXD", giang).json()["groups"][0]["responses"] == 6
    outside = _get(RESULTS + "&unit=T.SNN", giang)
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "forbidden"
    assert _get(RESULTS + "&unit=KHONG-CO", giang).status_code == 404
    # The whole province for a tree-wide reader.
    everything = _get(RESULTS + "&by=unit", token_for("thanh")).json()
    assert {g["label"]: g["responses"] for g in everything["groups"]} == {"Sở Xây dựng": 6,
                                                                          "Sở Nông nghiệp và Môi trường": 5}


def test_a_group_under_the_minimum_is_withheld(answered, token_for, settings):
    settings.MOTCUA_SURVEY_MIN_GROUP = 10
    group = _get(RESULTS, token_for("giang")).json()["groups"][0]
    assert group["suppressed"] and group["responses"] is None
    assert group["overall"]["index"] is None and group["overall"]["low"] is None


@pytest.mark.parametrize("query", ["&by=khong", "&channel=khong", "&from=2025-13-01", "&from=2026-01-01"])
def test_bad_result_queries_are_400(answered, token_for, query):
    response = _get(RESULTS + query, token_for("giang"))
    assert response.status_code == 400, response.content


def test_an_unknown_campaign_is_a_404(answered, token_for):
    assert _get(RESULTS + "&campaign=999", token_for("ha")).status_code == 404


# --- administrators: campaigns ---------------------------------------------------------------------------------------

NEW = {"name": "Khảo sát SIPAS 2025", "questionnaire": "sipas", "period_from": "2025-01-01",
       "period_to": "2025-12-31", "unit": "T.SXD", "margin": 0.2, "expected_response_rate": 0.5, "seed": 11}


def test_campaigns_are_for_administrators_only(org, people, sipas, token_for):
    campaign = services.create_campaign(people["ha"], sipas, "x", *YEAR)
    assert _get(f"{API}/campaigns").status_code == 401
    for who in ("an", "binh", "giang", "thanh"):
        token = token_for(who)
        assert _get(f"{API}/campaigns", token).status_code == 403
        assert _post(f"{API}/campaigns", NEW, token).status_code == 403
        for action in ("send", "remind", "close"):
            assert _post(f"{API}/campaigns/{campaign.pk}/{action}", {}, token).status_code == 403
        assert _get(f"{API}/campaigns/{campaign.pk}/rates", token).status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"


def test_an_administrator_runs_a_campaign_through_the_api(org, people, sipas, procedures, token_for, settings,
                                                          django_capture_on_commit_callbacks):
    settings.MOTCUA_SURVEY_MIN_GROUP = 1
    finished(procedures["p1"], org["sxd"], "online", 30)
    finished(procedures["p2"], org["sxd"], "desk", 10)
    ha = token_for("ha")
    created = _post(f"{API}/campaigns", NEW, ha)
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert (campaign["status"], campaign["seed"], campaign["unit"], campaign["version"]) == ("draft", 11, "T.SXD", 1)
    assert _get(f"{API}/campaigns", ha).json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        sent = _post(f"{API}/campaigns/{campaign['id']}/send", {}, ha)
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    # N = 40; ±20%: ⌈24.01 / (1 + 23.01/40)⌉ = 16, inflated to 32; 24 and 8.
    assert (sent.json()["population"], sent.json()["sample_size"]) == (40, 32)
    again = _post(f"{API}/campaigns/{campaign['id']}/send", {}, ha)
    assert again.status_code == 409 and again.json()["error"]["code"] == "campaign_not_draft"
    links = list(tokens().values())
    for token in links[:3]:
        assert _post(f"{API}/answers/{token}", {"values": values(sipas, 5)}).status_code == 201
    rates = _get(f"{API}/campaigns/{campaign['id']}/rates", ha).json()
    assert (rates["invited"], rates["answered"], rates["rate"]) == (32, 3, round(3 / 32, 4))
    assert {s["key"]: s["sample"] for s in rates["strata"]} == {"1.013236|online": 24, "1.009994|desk": 8}
    with django_capture_on_commit_callbacks(execute=True):
        reminded = _post(f"{API}/campaigns/{campaign['id']}/remind", {}, ha)
    assert reminded.status_code == 200 and reminded.json()["reminded"] == 29
    assert _post(f"{API}/campaigns/{campaign['id']}/remind", {}, ha).status_code == 409
    weighted = _get(RESULTS + f"&campaign={campaign['id']}", ha).json()
    assert weighted["weighted"] and weighted["campaign"] == campaign["id"]
    assert weighted["groups"][0]["responses"] == 3
    closed = _post(f"{API}/campaigns/{campaign['id']}/close", {}, ha)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert _post(f"{API}/campaigns/{campaign['id']}/close", {}, ha).status_code == 409


@pytest.mark.parametrize("change,status,code", [
    ({"margin": 0.7}, 400, "invalid_input"),
    ({"margin": 0}, 400, "invalid_input"),
    ({"period_to": "2024-12-31"}, 400, "invalid_input"),
    ({"name": ""}, 400, "invalid_input"),
    ({"questionnaire": "khong-co"}, 404, "questionnaire_not_found"),
    ({"unit": "KHONG-CO"}, 404, "unit_not_found"),
    ({"seed": -1}, 400, "invalid_input"),
])
def test_a_bad_campaign_is_refused(org, people, sipas, token_for, change, status, code):
    response = _post(f"{API}/campaigns", NEW | change, token_for("ha"))
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert not Campaign.objects.exists()


def test_an_unknown_campaign_is_a_404_for_an_administrator(org, people, token_for):
    ha = token_for("ha")
    assert _get(f"{API}/campaigns/999", ha).status_code == 404
    assert _post(f"{API}/campaigns/999/send", {}, ha).status_code == 404
    assert _get(f"{API}/campaigns/0", ha).status_code == 400


def test_the_openapi_document_has_the_surveys(db):
    doc = Client().get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    assert {"/api/v1/surveys/questionnaires", "/api/v1/surveys/answers/{token}", "/api/v1/surveys/results",
            "/api/v1/surveys/campaigns", "/api/v1/surveys/campaigns/{campaign_id}/send"} <= set(paths)
    assert paths["/api/v1/surveys/answers/{token}"]["post"]["tags"] == ["Surveys"]
    assert "from" in doc["components"]["schemas"]["ResultsOut"]["properties"]
