"""The arithmetic of the indices, against the textbook formulas worked out here."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.surveys import indices
from motcua.surveys.indices import Cell


def _wilson_by_hand(successes: int, n: int) -> tuple[float, float]:
    # (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.959964 (95 %)
    z = 1.959963984540054
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)


@pytest.mark.parametrize(("successes", "n"), [(81, 100), (0, 10), (10, 10), (3, 7), (862, 1000)])
def test_wilson_matches_the_formula(successes, n):
    low, high = indices.wilson(successes / n, n)
    expected = _wilson_by_hand(successes, n)
    assert (low, high) == (pytest.approx(expected[0], abs=1e-12), pytest.approx(expected[1], abs=1e-12))


def test_wilson_known_value():
    # 81 of 100: the interval published in textbooks is 0.7222 – 0.8749.
    low, high = indices.wilson(0.81, 100)
    assert (round(low, 4), round(high, 4)) == (0.7222, 0.8749)


@pytest.mark.parametrize(("population", "margin", "expected"), [
    (1000, 0.05, 278), (100, 0.05, 80), (10_000, 0.05, 370), (1_000_000, 0.05, 384), (500, 0.03, 341),
    (10, 0.05, 10), (0, 0.05, 0)])
def test_sample_size_with_finite_population_correction(population, margin, expected):
    z = 1.959963984540054
    if population:
        n0 = z * z * 0.25 / (margin * margin)
        assert math.ceil(n0 / (1 + (n0 - 1) / population)) == expected  # the textbook, worked here
    assert indices.sample_size(population, margin) == expected


def test_sample_size_refuses_a_margin_out_of_range():
    with pytest.raises(ValueError):
        indices.sample_size(100, 0)


def test_allocation_is_proportional_and_complete():
    got = indices.allocate({"a": 600, "b": 300, "c": 100}, 100)
    assert got == {"a": 60, "b": 30, "c": 10}
    uneven = indices.allocate({"a": 5, "b": 1000, "c": 1}, 50)
    assert sum(uneven.values()) == 50 and uneven["c"] == 1 and uneven["a"] >= 1
    assert indices.allocate({"a": 2, "b": 3}, 10) == {"a": 2, "b": 3}  # never more than a stratum holds


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 500), min_size=1, max_size=8),
       st.integers(0, 2000))
def test_allocation_properties(populations, total):
    got = indices.allocate(populations, total)
    assert set(got) == set(populations)
    assert sum(got.values()) == min(total, sum(populations.values()))
    assert all(0 <= got[k] <= populations[k] for k in populations)


def test_weighted_share_and_effective_size():
    # Stratum A: 10 answers, 8 satisfied, weight 2; stratum B: 10 answers, 4 satisfied, weight 1.
    cell = Cell()
    cell.add(10, 8, 0, 40, weight=2.0)
    cell.add(10, 4, 0, 30, weight=1.0)
    assert cell.share == pytest.approx((2 * 8 + 4) / (2 * 10 + 10))
    assert cell.n_eff == pytest.approx((2 * 10 + 10) ** 2 / (4 * 10 + 10))  # Kish: (Σw)²/Σw² = 18
    index = indices.criterion_index(cell, 5)
    assert (index.low, index.high) == indices.wilson(cell.share, 18.0)


def test_suppression_under_the_minimum():
    cell = Cell()
    cell.add(4, 4, 1, 20)
    index = indices.criterion_index(cell, 5)
    assert index.suppressed and index.value is None and index.low is None
    assert indices.mean_index([index], 4, 5).suppressed


@pytest.mark.parametrize(("formula", "index", "score"), [
    ("share", 0.8624, 21.56), ("bands", 0.95, 25.0), ("bands", 0.8, 20.0), ("linear:0.5:1", 0.75, 12.5),
    ("linear:0.5:1", 0.4, 0.0)])
def test_score_formulas(formula, index, score):
    assert indices.score_of(index, formula) == score


def test_unknown_formula_is_an_error():
    with pytest.raises(ValueError):
        indices.score_of(0.5, "magic")
