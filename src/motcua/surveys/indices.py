"""The arithmetic of the satisfaction indices, with no database: shares, Wilson intervals, weights for
non-response, the sample size with finite-population correction, proportional allocation to strata.

The method (``indices.md`` §3; Decision 1001/QĐ-BNV as reported, not read): a criterion's index is the share
of its answers that score "satisfied" (4 or 5 of 5); a factor's index is the mean of its criteria's; the
overall index is the mean of the factors'. "Not applicable" answers are left out of the share. Results are
also given on ten points (index × 10: Hà Tĩnh 2021 "9.12 points, i.e. 91.17%").

Intervals are at 95% (z = 1.96). For a criterion, Wilson's score interval for a binomial share; with weights,
the same interval on Kish's effective sample size n_eff = (Σw)² / Σw². A factor's and the overall index are
means of correlated shares (the same people answer all the criteria), so their interval is Wilson's at the
mean with n the number of responses — the people, not the answers — which does not pretend to the precision
that 19 answers per person would give.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Z95 = 1.959963984540054


def wilson(share: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a share observed on n trials (n may be an effective, fractional size)."""
    if n <= 0:
        return (0.0, 1.0)
    p = min(1.0, max(0.0, share))
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = (z / (1 + z2 / n)) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def sample_size(population: int, margin: float, p: float = 0.5, z: float = Z95) -> int:
    """Respondents needed to estimate a share within ±margin at the confidence of z: n0 = z²·p(1-p)/e², then
    the finite-population correction n = n0 / (1 + (n0 - 1)/N), rounded up; never more than N."""
    if population <= 0:
        return 0
    if not 0 < margin < 1:
        raise ValueError("margin must be between 0 and 1")
    n0 = z * z * p * (1 - p) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population)
    return min(population, math.ceil(n - 1e-9))


def allocate(populations: Mapping[str, int], total: int) -> dict[str, int]:
    """Share ``total`` among strata in proportion to their populations (largest remainder), at least one in a
    non-empty stratum when the total allows it, never more than the stratum holds."""
    keys = [k for k, n in populations.items() if n > 0]
    size = sum(populations[k] for k in keys)
    if not keys or total <= 0:
        return {k: 0 for k in populations}
    total = min(total, size)
    exact = {k: total * populations[k] / size for k in keys}
    out = {k: min(populations[k], math.floor(exact[k])) for k in keys}
    if total >= len(keys):
        for k in keys:
            out[k] = max(out[k], 1)
    left = total - sum(out.values())
    order = sorted(keys, key=lambda k: (-(exact[k] - math.floor(exact[k])), -populations[k], k))
    while left > 0:
        moved = False
        for k in order:
            if left and out[k] < populations[k]:
                out[k] += 1
                left -= 1
                moved = True
        if not moved:
            break
    while left < 0:  # the minimum of one overshot: take back where the most was given beyond the share
        k = max((k for k in keys if out[k] > 1), key=lambda k: (out[k] - exact[k], out[k]))
        out[k] -= 1
        left += 1
    return {k: out.get(k, 0) for k in populations}


@dataclass
class Cell:
    """Counts of one criterion in one group, with their weights: ``answered`` excludes "not applicable"."""

    answered: float = 0
    satisfied: float = 0
    na: float = 0
    score_sum: float = 0
    # Weighted sums (Σw, Σw·satisfied, Σw²) over the answered; equal to the counts when unweighted.
    w: float = 0
    w_satisfied: float = 0
    w2: float = 0
    w_score: float = 0

    def add(self, answered: float, satisfied: float, na: float, score_sum: float, weight: float = 1.0) -> None:
        self.answered += answered
        self.satisfied += satisfied
        self.na += na
        self.score_sum += score_sum
        self.w += weight * answered
        self.w_satisfied += weight * satisfied
        self.w2 += weight * weight * answered
        self.w_score += weight * score_sum

    @property
    def share(self) -> float | None:
        return self.w_satisfied / self.w if self.w else None

    @property
    def n_eff(self) -> float:
        return (self.w * self.w / self.w2) if self.w2 else 0.0

    @property
    def mean(self) -> float | None:
        return self.w_score / self.w if self.w else None


@dataclass
class Index:
    """An index with its interval and its base; ``suppressed`` when the base is under the minimum size, in
    which case value and interval are None and must not be shown."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    suppressed: bool
    mean_score: float | None = None
    na: int = 0
    parts: list[str] = field(default_factory=list)

    @property
    def ten_point(self) -> float | None:
        return None if self.value is None else self.value * 10

    def as_dict(self) -> dict[str, object]:
        return {"index": _round(self.value), "low": _round(self.low), "high": _round(self.high),
                "ten_point": _round(self.ten_point, 2), "n": self.n, "na": self.na, "suppressed": self.suppressed,
                "mean_score": _round(self.mean_score, 3)}


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def criterion_index(cell: Cell, minimum: int) -> Index:
    n = round(cell.answered)
    if n < minimum or cell.share is None:
        return Index(None, None, None, n, True, na=int(cell.na))
    low, high = wilson(cell.share, cell.n_eff)
    return Index(cell.share, low, high, n, False, mean_score=cell.mean, na=int(cell.na))


def mean_index(parts: Iterable[Index], responses: float, minimum: int) -> Index:
    """The mean of the shown parts' indices (a factor of its criteria, the whole of its factors), with Wilson's
    interval at the mean on the number of responses; suppressed when the responses are fewer than the
    minimum or no part can be shown."""
    shown = [p for p in parts if not p.suppressed and p.value is not None]
    n = round(responses)
    if n < minimum or not shown:
        return Index(None, None, None, n, True)
    value = sum(p.value for p in shown if p.value is not None) / len(shown)
    means = [p.mean_score for p in shown if p.mean_score is not None]
    low, high = wilson(value, responses)
    return Index(value, low, high, n, False, mean_score=(sum(means) / len(means)) if means else None)


def score_of(index: float | None, formula: str, points: float = 25.0) -> float | None:
    """The department's satisfaction score on ``points`` from the overall index by the configured formula:
    ``share`` (default: index × points; 86.24% → 21.56 of 25, the seed's figure, an inference), ``bands``
    (full points at ≥ 90%, then in proportion to the index), or ``linear:a:b`` (0 points at a, full at b)."""
    if index is None:
        return None
    if formula == "share":
        return round(index * points, 2)
    if formula == "bands":
        return round(points if index >= 0.9 else index * points, 2)
    if formula.startswith("linear:"):
        _tag, a, b = formula.split(":")
        lo, hi = float(a), float(b)
        if hi <= lo:
            raise ValueError("linear formula needs a < b")
        return round(points * min(1.0, max(0.0, (index - lo) / (hi - lo))), 2)
    raise ValueError(f"unknown score formula {formula!r}")
