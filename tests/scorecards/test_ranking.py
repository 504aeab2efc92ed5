"""The ranking (total, areas, bands, change since last year) and the simulator (points available, what it would
take, the rank a set of improvements would reach)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.scorecards import services
from motcua.scorecards.selectors import ranking, simulator

from .conftest import score


def test_ranking_total_areas_and_bands(three, tree):  # type: ignore[no-untyped-def]
    data = ranking.ranking(tree)
    assert [(r.agency.code, r.total, r.rank) for r in data["rows"]] == [
        ("T.SNV", Decimal("5.00"), 1), ("T.SNN", Decimal("4.00"), 2), ("T.SXD", Decimal("3.00"), 3)]
    area1, area2 = data["areas"]
    assert [r.areas[area1.pk] for r in data["rows"]] == [Decimal("5.00"), Decimal("4.00"), Decimal("3.00")]
    assert [r.areas[area2.pk] for r in data["rows"]] == [None, None, None]  # no data: no points, no rank
    assert all(r.area_ranks[area2.pk] is None for r in data["rows"])
    assert all(r.band is None for r in data["rows"])  # bands start at 7 of 10


def test_ties_share_a_rank_and_bands_apply(three, tree, council):  # type: ignore[no-untyped-def]
    services.self_score(score(three["sxd"], "1.1"), "3", "", council["giang"])
    services.self_score(score(three["sxd"], "1.2"), "1", "", council["giang"])
    rows = {r.agency.code: r for r in ranking.ranking(tree)["rows"]}
    assert (rows["T.SXD"].rank, rows["T.SNN"].rank, rows["T.SNV"].rank) == (2, 2, 1)
    tree.bands = [{"code": "A", "min": 5}, {"code": "B", "min": 4}]
    assert ranking.band_of(tree, Decimal("5")) == {"code": "A", "min": 5}
    assert ranking.band_of(tree, Decimal("4.5"))["code"] == "B"
    assert ranking.band_of(tree, Decimal("3.99")) is None


def test_change_since_last_year(three, last_year, tree):  # type: ignore[no-untyped-def]
    rows = {r.agency.code: r for r in ranking.ranking(tree)["rows"]}
    assert (rows["T.SXD"].previous_rank, rows["T.SXD"].rank, rows["T.SXD"].change) == (1, 3, -2)
    assert (rows["T.SNN"].previous_rank, rows["T.SNN"].rank, rows["T.SNN"].change) == (3, 2, 1)
    assert rows["T.SNV"].change == 1


def test_simulator_points_available_and_what_it_takes(three):  # type: ignore[no-untyped-def]
    ops = {o.node.code: o for o in simulator.opportunities(three["sxd"])}
    assert ops["2.1"].available == Decimal("4") and ops["2.1"].value is None  # no data yet
    assert ops["1.1"].available == Decimal("1.00")
    assert ops["1.2"].available == Decimal("1.00")
    assert ops["2.1"].full_at == pytest.approx(0.9)
    # Most points first.
    assert next(o.node.code for o in simulator.opportunities(three["sxd"])) == "2.1"


def test_simulator_rank_crosses_another_agency(three):  # type: ignore[no-untyped-def]
    a = three["sxd"]
    now = simulator.simulate(a, {})
    assert (now["total_now"], now["rank_now"], now["rank_after"]) == (Decimal("3.00"), 3, 3)
    # +1 on 1.2 ties with the other agency (4): second, shared.
    s = simulator.simulate(a, {"1.2": "2"})
    assert (s["total_after"], s["rank_after"]) == (Decimal("4.00"), 2)
    # 72% early on 2.1 (4 points, 90% target): 0.72 × 4 ÷ 0.9 = 3.2 → 6.2, past Sở Nội vụ's 5: first.
    s = simulator.simulate(a, {"2.1": "72%"})
    assert (s["total_after"], s["rank_after"]) == (Decimal("6.20"), 1)
    assert s["gains"][0]["gain"] == Decimal("3.20")


def test_simulator_never_exceeds_a_maximum(three):  # type: ignore[no-untyped-def]
    s = simulator.simulate(three["sxd"], {"1.1": "10", "2.1": "100%", "1.2": "-3"})
    # 1.1 capped at 3 (+1), 2.1 at 4 (+4), 1.2 cannot go down: 3 + 1 + 4 = 8.
    assert s["total_after"] == Decimal("8.00")
    assert {g["code"]: g["to"] for g in s["gains"]} == {"1.1": Decimal("3.00"), "2.1": Decimal("4.00")}


def test_simulator_reports_what_it_cannot_read(three):  # type: ignore[no-untyped-def]
    s = simulator.simulate(three["sxd"], {"9.9": "1", "2.1": "nhiều", "1.1": "abc"})
    assert set(s["errors"]) == {"9.9", "2.1", "1.1"}
    assert s["total_after"] == s["total_now"]
