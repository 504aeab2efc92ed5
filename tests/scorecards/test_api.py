"""``/api/v1/scorecards``: visibility by role, the cycle's writes through the services, the simulator and the
public rankings; every endpoint in the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from motcua.scorecards import services

from .conftest import score, tree_spec

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = "/api/v1/scorecards"


def post(client: Client, url: str, body: dict | None = None, **headers):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_every_endpoint_is_documented(client):  # type: ignore[no-untyped-def]
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/rankings", "/rankings/{tree_id}", "/trees", "/trees/{tree_id}", "/trees/{tree_id}/ranking",
                 "/assessments", "/assessments/{assessment_id}", "/assessments/{assessment_id}/history",
                 "/assessments/{assessment_id}/opportunities", "/assessments/{assessment_id}/simulate",
                 "/assessments/{assessment_id}/scores/{code}/self", "/assessments/{assessment_id}/appeal"):
        assert f"{BASE}{path}" in paths


def test_who_sees_which_assessment(assessments, council, client, token_for):  # type: ignore[no-untyped-def]
    sxd, other = assessments["sxd"], assessments["other"]
    assert client.get(f"{BASE}/assessments").status_code == 401
    seen = {who: {a["agency_code"] for a in client.get(f"{BASE}/assessments",
                                                      HTTP_AUTHORIZATION=token_for(who)).json()["items"]}
            for who in ("an", "cuong", "giang", "khanh", "thanh")}
    assert seen == {"an": set(), "cuong": {"T.SXD"}, "giang": {"T.SXD"}, "khanh": {"T.SNN"},
                    "thanh": {"T.SXD", "T.SNN"}}
    assert client.get(f"{BASE}/assessments/{sxd.pk}", HTTP_AUTHORIZATION=token_for("khanh")).status_code == 404
    assert client.get(f"{BASE}/assessments/{other.pk}", HTTP_AUTHORIZATION=token_for("khanh")).status_code == 200
    assert client.get(f"{BASE}/trees", HTTP_AUTHORIZATION=token_for("an")).status_code == 403
    body = client.get(f"{BASE}/assessments/{sxd.pk}", HTTP_AUTHORIZATION=token_for("giang")).json()
    leaf = {s["code"]: s for s in body["scores"]}
    assert leaf["2.1"]["automatic"] and leaf["2.1"]["auto_points"] is None  # no data: null, never 0


def test_the_cycle_through_the_api(assessments, council, client, token_for):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    giang, nga, cuong = (token_for(u) for u in ("giang", "nga", "cuong"))
    url = f"{BASE}/assessments/{a.pk}"
    r = post(client, f"{url}/scores/1.1/self", {"points": "9", "comment": ""}, HTTP_AUTHORIZATION=giang)
    assert r.status_code == 400 and r.json()["error"]["code"] == "out_of_range"
    assert post(client, f"{url}/scores/1.1/self", {"points": "2"}, HTTP_AUTHORIZATION=cuong).status_code == 403
    assert post(client, f"{url}/scores/9.9/self", {"points": "2"}, HTTP_AUTHORIZATION=giang).status_code == 404
    assert post(client, f"{url}/submit", HTTP_AUTHORIZATION=giang).json()["error"]["details"]["missing"] == [
        "1.1", "1.2"]
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=VN), tick=False):
        for code, pts in (("1.1", "3"), ("1.2", "2")):
            r = post(client, f"{url}/scores/{code}/self", {"points": pts}, HTTP_AUTHORIZATION=giang)
            assert r.status_code == 200
        assert post(client, f"{url}/submit", HTTP_AUTHORIZATION=giang).json()["status"] == "submitted"
        r = post(client, f"{url}/scores/1.1/appraisal", {"points": "2", "reason": ""}, HTTP_AUTHORIZATION=nga)
        assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required"
        assert post(client, f"{url}/scores/1.1/appraisal", {"points": "2", "reason": "Muộn"},
                    HTTP_AUTHORIZATION=nga).status_code == 200
        assert post(client, f"{url}/send-appraisal", HTTP_AUTHORIZATION=giang).status_code == 403
        assert post(client, f"{url}/send-appraisal", HTTP_AUTHORIZATION=nga).json()["status"] == "appraised"
        r = post(client, f"{url}/appeal", {"items": [{"code": "1.1", "points": "3", "reason": "Đúng hạn"}]},
                 HTTP_AUTHORIZATION=giang)
        assert r.json()["status"] == "appealed"
        assert post(client, f"{url}/lock", HTTP_AUTHORIZATION=nga).status_code == 409
        assert post(client, f"{url}/scores/1.1/decision", {"points": "3", "reason": "Chấp nhận"},
                    HTTP_AUTHORIZATION=nga).json()["total"] == "5.00"
        assert post(client, f"{url}/lock", HTTP_AUTHORIZATION=nga).json()["status"] == "locked"
    history = client.get(f"{url}/history", HTTP_AUTHORIZATION=giang).json()
    assert [i["stage"] for i in history["items"]].count("status") == 5  # opened, submitted, appraised, appealed, locked
    assert history["items"][-2] == {**history["items"][-2], "stage": "decision", "code": "1.1", "old": "2.00",
                                    "new": "3.00", "reason": "Chấp nhận", "by": "Đinh Thị Nga"}


def test_simulator_and_rankings(assessments, council, client, token_for, tree, org):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    services.self_score(score(a, "1.1"), "1", "", council["giang"])
    services.self_score(score(assessments["other"], "1.1"), "2", "", council["long"])
    r = post(client, f"{BASE}/assessments/{a.pk}/simulate", {"changes": {"1.1": "3", "2.1": "45%", "x": "1"}},
             HTTP_AUTHORIZATION=token_for("giang"))
    body = r.json()
    # 1 → 3 (+2) and 45% early on a 4-point leaf with a 90% target (+2): 5, past the other agency's 2.
    assert (body["total_now"], body["total_after"], body["rank_now"], body["rank_after"]) == ("1.00", "5.00", 2, 1)
    assert set(body["errors"]) == {"x"}
    ops = client.get(f"{BASE}/assessments/{a.pk}/opportunities", HTTP_AUTHORIZATION=token_for("giang")).json()
    assert ops["items"][0]["code"] == "2.1" and ops["items"][0]["available"] == "4.00"
    # Not published: the public sees no ranking; the council sees it provisional; an agency does not.
    assert client.get(f"{BASE}/rankings/{tree.pk}").status_code == 404
    assert client.get(f"{BASE}/rankings").json()["count"] == 0
    assert client.get(f"{BASE}/trees/{tree.pk}/ranking", HTTP_AUTHORIZATION=token_for("giang")).status_code == 404
    r = client.get(f"{BASE}/trees/{tree.pk}/ranking", HTTP_AUTHORIZATION=token_for("nga")).json()
    assert (r["published"], [row["agency_code"] for row in r["rows"]]) == (False, ["T.SNN", "T.SXD"])


def test_import_a_tree_as_json(council, client, token_for):  # type: ignore[no-untyped-def]
    spec = tree_spec(2027)
    assert post(client, f"{BASE}/trees", {"spec": spec}, HTTP_AUTHORIZATION=token_for("giang")).status_code == 403
    r = post(client, f"{BASE}/trees", {"spec": spec}, HTTP_AUTHORIZATION=token_for("nga"))
    assert r.status_code == 201 and r.json()["year"] == 2027
    assert post(client, f"{BASE}/trees", {"spec": spec}, HTTP_AUTHORIZATION=token_for("nga")).status_code == 409
    bad = tree_spec(2028)
    bad["nodes"][0]["max_points"] = "7"
    r = post(client, f"{BASE}/trees", {"spec": bad}, HTTP_AUTHORIZATION=token_for("nga"))
    assert r.status_code == 400 and r.json()["error"]["details"]["node"] == "1"
    tree_id = client.get(f"{BASE}/trees", HTTP_AUTHORIZATION=token_for("nga")).json()["items"][0]["id"]
    nodes = client.get(f"{BASE}/trees/{tree_id}", HTTP_AUTHORIZATION=token_for("nga")).json()["nodes"]
    assert [(n["code"], n["parent"]) for n in nodes] == [("1", None), ("1.1", "1"), ("1.2", "1"), ("2", None),
                                                         ("2.1", "2"), ("2.2", "2")]
