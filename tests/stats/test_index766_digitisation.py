"""Bộ chỉ số 766, group 5 "Số hóa hồ sơ" (indicators 4.x, 22 points), on a hand-made set of counters with
the points worked out by hand (issue 18): 4.1 without a target (rate × 6), 4.2 and 4.3 against their 80 %
target (rate × max ÷ 0.8, at most max), 4.4 without a target (rate × 4); 4.2b, 4.5a and 4.5b have no data and
are left out of the points computed, never estimated."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.stats import index766, kpi

pytestmark = pytest.mark.django_db


def summary(**counts: int) -> dict:  # type: ignore[type-arg]
    sums = kpi.zero_counters()
    sums.update(counts)
    return kpi.summary_from(sums, dict.fromkeys(kpi.OPEN_FIELDS, 0), dt.date(2026, 9, 1), dt.date(2026, 9, 30))


def group(s: dict) -> dict:  # type: ignore[type-arg]
    index = index766.compute_from(s, [], set(), dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    return next(g for g in index["groups"] if g["id"] == "dossier-digitized")


def test_the_digitisation_points_worked_out_by_hand():
    # 20 dossiers received, 12 of them reusing digitised data, 5 linked to the holder's documents;
    # 10 ended with a result recorded, 8 of those with its electronic file, 6 with files on the components too.
    g = group(summary(received=20, received_reused=12, received_from_store=5, ended=10, done=10, ended_on_time=10,
                      ended_result=10, ended_e_result=8, ended_digitised=6))
    ind = {i["id"]: i for i in g["indicators"]}
    assert (ind["4.1"]["numerator"], ind["4.1"]["denominator"], ind["4.1"]["points"]) == (8, 10, 4.8)  # 0.8 × 6
    assert (ind["4.2"]["numerator"], ind["4.2"]["denominator"], ind["4.2"]["points"]) == (6, 10, 3.0)  # 0.6 × 4 ÷ 0.8
    assert (ind["4.3"]["numerator"], ind["4.3"]["denominator"], ind["4.3"]["points"]) == (12, 20, 1.5)  # 0.6 × 2 ÷ 0.8
    assert (ind["4.4"]["numerator"], ind["4.4"]["denominator"], ind["4.4"]["points"]) == (5, 20, 1.0)  # 0.25 × 4
    for missing in ("4.2b", "4.5a", "4.5b"):
        assert ind[missing]["points"] is None and ind[missing]["note"]
    assert g["points"] == 10.3 and g["max_points"] == 22 and g["max_points_computed"] == 16


def test_targets_cap_the_points_and_nothing_received_scores_nothing():
    g = group(summary(received=10, received_reused=9, received_from_store=10, ended=4, done=4, ended_on_time=4,
                      ended_result=4, ended_e_result=4, ended_digitised=4))
    ind = {i["id"]: i for i in g["indicators"]}
    assert [ind[k]["points"] for k in ("4.1", "4.2", "4.3", "4.4")] == [6.0, 4.0, 2.0, 4.0]
    empty = {i["id"]: i for i in group(summary())["indicators"]}
    assert all(empty[k]["points"] is None for k in ("4.1", "4.2", "4.3", "4.4"))


def test_electronic_certified_copies():
    # 4 certified copies issued in the period, 3 of them signed electronically: 0.75 × 2 = 1.5 points (no target).
    index = index766.compute_from(summary(received=1), [], set(), dt.date(2026, 9, 1), dt.date(2026, 9, 30),
                                  copies=(4, 3))
    ind = {i["id"]: i for g in index["groups"] for i in g["indicators"]}
    assert (ind["4.2b"]["numerator"], ind["4.2b"]["denominator"], ind["4.2b"]["points"]) == (3, 4, 1.5)
