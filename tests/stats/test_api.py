"""GET /api/v1/stats/summary and /index766: as anonymous, outside the scope, inside it."""

from __future__ import annotations

import pytest

URL = "/api/v1/stats/summary?unit=T.SXD&from=2025-03-01&to=2025-03-31"


def test_anonymous_gets_401(client, org):
    assert client.get(URL).status_code == 401
    assert client.get("/api/v1/stats/index766?unit=T.SXD").status_code == 401


@pytest.mark.parametrize("who", ["an", "khanh", "binh"])
def test_without_the_right_gets_403(client_for, who):
    r = client_for(who).get(URL)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"


def test_division_head_sees_only_his_division(client_for):
    assert client_for("dung").get(URL).status_code == 403
    assert client_for("dung").get(URL.replace("T.SXD&", "T.SXD.P2&")).status_code == 200


@pytest.mark.parametrize("who", ["giang", "thanh", "ha"])
def test_in_scope_gets_the_summary(client_for, march, who):
    r = client_for(who).get(URL)
    assert r.status_code == 200, r.content
    body = r.json()
    # Resolved: A B D early | H on time | C late; being resolved: F within time, E overdue.
    assert (body["received"], body["early"], body["on_time"], body["late"]) == (7, 3, 1, 1)
    assert (body["in_progress"], body["within_time"], body["overdue"]) == (2, 1, 1)
    assert body["on_time_rate"] == pytest.approx(5 / 7, abs=1e-4)
    assert body["early_rate"] == pytest.approx(3 / 7, abs=1e-4)
    assert (body["with_target"], body["within_target"]) == (4, 1)


def test_bearer_token_and_procedure_filter(client, token_for, march):
    r = client.get(URL + "&procedure=1.013236", HTTP_AUTHORIZATION=token_for("giang"))
    assert r.status_code == 200 and r.json()["received"] == 7
    assert client.get(URL + "&procedure=9.999", HTTP_AUTHORIZATION=token_for("giang")).status_code == 404


@pytest.mark.parametrize("query", ["unit=T.SXD&from=2025-13-01", "unit=T.SXD&from=2025-03-31&to=2025-03-01",
                                   "unit=T.SXD&from=2000-01-01&to=2025-01-01", "unit=X.NONE"])
def test_bad_parameters_are_4xx(client_for, query):
    r = client_for("thanh").get(f"/api/v1/stats/summary?{query}")
    assert r.status_code in (400, 404)
    assert "error" in r.json()


def test_index766_shape_and_missing_data(client_for, march):
    r = client_for("giang").get("/api/v1/stats/index766?unit=T.SXD&from=2025-03-01&to=2025-03-31")
    assert r.status_code == 200
    body = r.json()
    assert [g["id"] for g in body["groups"]] == ["transparency", "dvc-progress-tree", "provide-online-tree",
                                                 "formality-online-payment-tree", "dossier-digitized",
                                                 "handling-satisfaction"]
    assert sum(g["max_points"] for g in body["groups"]) == 100
    progress = body["groups"][1]["indicators"][0]
    # 2.1: (1 early + 4 on time) / 7 processed = 0.7143; no target: 0.7143 x 20 = 14.29 points.
    assert (progress["id"], progress["numerator"], progress["denominator"]) == ("2.1", 5, 7)
    assert progress["value"] == pytest.approx(0.7143) and progress["points"] == pytest.approx(14.29)
    synced = body["groups"][0]["indicators"][3]
    assert synced["id"] == "1.4" and synced["value"] is None and synced["points"] is None and synced["note"]
    assert body["total"] == pytest.approx(sum(g["points"] or 0 for g in body["groups"]))
