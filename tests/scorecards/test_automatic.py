"""Automatic leaves on generated data (the March 2025 dossiers of the statistics tests), with the expected points
worked out here; a leaf with no data is "no data", never 0."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.scorecards import metrics, services
from motcua.scorecards.choices import Rule, Stage
from motcua.scorecards.models import ScoreChange
from tests.stats.conftest import at

from .conftest import score, tree_spec


def march_tree():  # type: ignore[no-untyped-def]
    spec = tree_spec(2025, data_from="2025-03-01", data_to="2025-03-31")
    spec["nodes"][1] = {"code": "2", "name": "Cải cách TTHC", "max_points": "10", "children": [
        # March, Sở Xây dựng: 7 processed, 3 early (A B D), 5 early or on time (A B D, H stopped, F within time).
        {"code": "2.1", "name": "Trước hạn", "max_points": "4", "method": "formula", "metric": "early_rate",
         "rule": "proportional", "target": "90%"},
        {"code": "2.2", "name": "Đúng hạn", "max_points": "2", "method": "formula", "metric": "on_time_rate",
         "rule": "threshold", "target": "1"},
        {"code": "2.3", "name": "Đúng hạn (bậc)", "max_points": "2", "method": "formula", "metric": "on_time_rate",
         "rule": "steps", "steps": [["0.9", "2"], ["0.7", "1"]]},
        {"code": "2.4", "name": "Hài lòng", "max_points": "1", "method": "survey", "metric": "survey_index",
         "rule": "linear"},
        {"code": "2.5", "name": "Đồng bộ", "max_points": "1", "method": "formula", "metric": "synced_rate",
         "rule": "linear"},
    ]}
    spec["nodes"][0]["max_points"] = "5"
    return services.create_tree(spec)


def test_formula_leaves_from_the_data(march, org, council):  # type: ignore[no-untyped-def]
    tree = march_tree()
    services.open_assessments(tree, [org["sxd"], org["other"]], by=council["nga"])
    a = tree.assessments.get(agency=org["sxd"])
    # 3/7 early, under the 90% target: 3/7 × 4 ÷ 0.9 = 1.9047… → 1.90.
    s = score(a, "2.1")
    assert s.auto_points == Decimal("1.90")
    assert (s.auto_detail["numerator"], s.auto_detail["denominator"]) == (3, 7)
    assert s.auto_detail["value"] == pytest.approx(3 / 7)
    assert "measure=early" in s.auto_detail["link"] and "unit=T.SXD" in s.auto_detail["link"]
    # 5/7 on time: below 100%, the threshold rule gives nothing; the steps give 1 (≥ 70%, < 90%).
    assert score(a, "2.2").auto_points == Decimal("0.00")
    assert score(a, "2.3").auto_points == Decimal("1.00")
    # No answer to the survey, no sync log: no data, not 0.
    for code in ("2.4", "2.5"):
        s = score(a, code)
        assert s.auto_points is None and s.final_points is None and s.auto_detail["value"] is None
    # The agency's total holds the data's points until a person scores (2.90 from data, manual leaves empty).
    a.refresh_from_db()
    assert a.total == Decimal("2.90")
    # The other agency processed nothing: every automatic leaf has no data.
    b = tree.assessments.get(agency=org["other"])
    assert all(s.auto_points is None for s in b.scores.filter(node__method__in=["formula", "survey"]))
    assert b.total is None


def test_recompute_follows_the_data_until_the_lock(march, org, council, life):  # type: ignore[no-untyped-def]
    tree = march_tree()
    services.open_assessments(tree, [org["sxd"]], by=council["nga"])
    a = tree.assessments.get()
    assert services.recompute(tree) == 0  # nothing changed
    # F (received 28/3, open and within time) is done on 31/3, before its promised day: 4 of 7 early.
    life.done(at(31, 10), march["F"])
    assert services.recompute(tree) == 1
    assert score(a, "2.1").auto_points == Decimal("2.54")  # 4/7 × 4 ÷ 0.9 = 2.539…
    change = ScoreChange.objects.filter(assessment=a, stage=Stage.AUTO).order_by("pk").last()
    assert change is not None and (change.old, change.new, change.by) == ("1.90", "2.54", None)


def test_a_person_may_score_a_leaf_that_has_no_data(march, org, council):  # type: ignore[no-untyped-def]
    tree = march_tree()
    services.open_assessments(tree, [org["sxd"]], by=council["nga"])
    a = tree.assessments.get()
    s = services.self_score(score(a, "2.4"), "0.8", "Khảo sát giấy của đơn vị", council["giang"])
    assert (s.auto_points, s.self_points, s.final_points) == (None, Decimal("0.80"), Decimal("0.80"))
    # Clearing the person's score on an automatic leaf gives the data's figure back.
    s = services.self_score(score(a, "2.1"), "4", "", council["giang"])
    assert s.final_points == Decimal("4.00")
    s = services.self_score(score(a, "2.1"), "", "", council["giang"])
    assert s.final_points == Decimal("1.90")


@pytest.mark.parametrize("value, rule, target, steps, expected", [
    (0.72, Rule.PROPORTIONAL, "0.9", [], "1.60"),  # 0.72 × 2 ÷ 0.9
    (0.95, Rule.PROPORTIONAL, "0.9", [], "2.00"),  # capped at the maximum
    (0.89, Rule.THRESHOLD, "0.9", [], "0.00"),
    (0.9, Rule.THRESHOLD, "0.9", [], "2.00"),
    (0.5, Rule.LINEAR, None, [], "1.00"),
    (1.0, Rule.STEPS, None, [["0.8", "1.5"], ["0.5", "0.5"]], "1.50"),
    (0.6, Rule.STEPS, None, [["0.8", "1.5"], ["0.5", "0.5"]], "0.50"),
    (0.4, Rule.STEPS, None, [["0.8", "1.5"], ["0.5", "0.5"]], "0.00"),
    (None, Rule.LINEAR, None, [], None),
])
def test_rules(value, rule, target, steps, expected):  # type: ignore[no-untyped-def]
    got = metrics.points(value, Decimal(2), rule, Decimal(target) if target else None, steps)
    assert got == (Decimal(expected) if expected else None)


def test_rate_for_is_the_inverse_of_the_rule():  # type: ignore[no-untyped-def]
    assert metrics.rate_for(Decimal(2), Decimal(2), Rule.PROPORTIONAL, Decimal("0.9")) == pytest.approx(0.9)
    assert metrics.rate_for(Decimal(1), Decimal(2), Rule.PROPORTIONAL, Decimal("0.9")) == pytest.approx(0.45)
    assert metrics.rate_for(Decimal(1), Decimal(2), Rule.LINEAR) == pytest.approx(0.5)
    assert metrics.rate_for(Decimal("1.5"), Decimal(2), Rule.STEPS, None, [["0.8", "1.5"]]) == pytest.approx(0.8)
    assert metrics.rate_for(Decimal(2), Decimal(2), Rule.STEPS, None, [["0.8", "1.5"]]) is None


def test_the_simulator_says_what_it_would_take_in_the_reader_s_language(march, org, council):  # type: ignore[no-untyped-def]
    from django.utils import translation

    from motcua.scorecards.selectors import simulator

    tree = march_tree()
    services.open_assessments(tree, [org["sxd"]], by=council["nga"])
    ops = {o.node.code: o for o in simulator.opportunities(tree.assessments.get())}
    # 3/7 early (42.9%); full points at the 90% target: 4 − 1.90 = 2.10 points.
    with translation.override("vi"):
        assert ops["2.1"].explain() == "Hồ sơ giải quyết trước hạn 42,9 % → 90,0 % tăng 2,10 điểm."
    with translation.override("en"):
        assert ops["2.1"].explain() == "Dossiers handled early 42.9 % → 90.0 % gains 2.10 points."
    # The threshold leaf has data and 0 points: 0 is shown as 0, not as missing.
    assert ops["2.2"].current == Decimal("0.00") and ops["2.2"].available == Decimal("2.00")


def test_zero_points_show_as_zero_on_the_pages(march, org, council, client_for):  # type: ignore[no-untyped-def]
    import re

    from django.urls import reverse

    tree = march_tree()
    services.open_assessments(tree, [org["sxd"]], by=council["nga"])
    a = tree.assessments.get()
    body = client_for("giang").get(reverse("scorecards:simulator", args=[a.pk])).content.decode()
    row = re.search(r"2\.2\. Đúng hạn</th>\s*<td>([^<]*)</td>", body)
    assert row is not None and row.group(1) == "0,00"
