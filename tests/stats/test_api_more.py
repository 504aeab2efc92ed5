"""GET /api/v1/stats/ranking and /evaluation: as anonymous, without the right, with it."""

from __future__ import annotations

import pytest

RANKING = "/api/v1/stats/ranking?from=2025-03-01&to=2025-03-31"
EVALUATION = "/api/v1/stats/evaluation?unit=T.SXD&from=2025-03-01&to=2025-03-31"


@pytest.mark.parametrize("url", [RANKING, EVALUATION])
def test_anonymous_gets_401(client, org, url):
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("url", [RANKING, EVALUATION])
@pytest.mark.parametrize("who", ["an", "khanh"])
def test_without_the_right_gets_403(client_for, url, who):
    r = client_for(who).get(url)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_ranking(client_for, march):
    r = client_for("thanh").get(RANKING)
    assert r.status_code == 200
    body = r.json()
    # The previous period of a whole month is the whole month before, by its real bounds.
    assert body["previous_from"] == "2025-02-01" and body["previous_to"] == "2025-02-28"
    first, second = body["agencies"]
    assert (first["unit"], first["total_rank"], first["on_time_rate_rank"]) == ("T.SXD", 1, 1)
    assert first["on_time_rate"] == pytest.approx(5 / 7, abs=1e-4)
    # Nothing processed in February: no previous rank, no change; the other agency has no rate.
    assert first["on_time_rate_change"] is None and second["on_time_rate_rank"] is None


def test_an_agency_with_nothing_computable_has_no_score_and_no_rank(client_for, march, org):
    from motcua.accounts import services as accounts_services
    from motcua.accounts.choices import UnitKind
    from motcua.accounts.models import OrgUnit

    accounts_services.save_unit(OrgUnit(parent=org["sxd"].parent, name="Sở Mới", code="T.SMOI",
                                        kind=UnitKind.AGENCY))
    rows = {a["unit"]: a for a in client_for("thanh").get(RANKING).json()["agencies"]}
    assert rows["T.SMOI"]["total"] is None and rows["T.SMOI"]["total_rank"] is None
    assert rows["T.SXD"]["total_rank"] == 1


def test_evaluation(client_for, march):
    r = client_for("giang").get(EVALUATION)
    assert r.status_code == 200, r.content
    body = r.json()
    by_id = {i["id"]: i for i in body["indicators"]}
    assert list(by_id) == [str(n) for n in range(1, 10)]
    # Done in March: A (early, by day 5/3 < due 10/3: 2), B (done 7/3: 2), C (late: 0), D (11/3 vs its restarted
    # 13/3: 2).
    assert body["dossiers"] == 4
    assert by_id["1"]["score"] == pytest.approx(1.5)
    # Indicator 7: early (by day, as indicator 1) and no complaint 2; late C is 1, not 0: only a substantiated
    # complaint scores 0 (Circular 01/2018 Art. 13), and none is recorded. (2 + 2 + 1 + 2) / 4 = 1.75.
    assert by_id["7"]["score"] == pytest.approx(1.8)
    assert by_id["4"]["score"] is None and by_id["4"]["note"]
    # Indicator 8 (Circular 01/2018 Art. 13): no feedback at all in the period scores 2.
    assert by_id["8"]["score"] == 2.0 and by_id["8"]["handled"] == 0
    # Indicators 4 and 5 have no data: no band, the total rescaled to 18 and the missing ones named.
    assert body["max_points"] == 18 and body["band"] == "" and body["complete"] is False
    assert [m["id"] for m in body["missing"]] == ["4", "5"]
    assert body["score_18"] == pytest.approx(round(body["total"] * 18 / body["max_points_computed"], 1))
    assert client_for("dung").get(EVALUATION).status_code == 403
