"""The lateness model: gradient-boosted trees, calibrated on a later slice of history, and what it reports.

Why this model (docs/insight-model-card.md): the features are a few numbers and categories with thresholds
and interactions (a slow officer matters more when the step has waited long), which boosted trees learn
without scaling or hand-made crosses; scikit-learn's ``HistGradientBoostingClassifier`` takes categories and
missing values natively, trains on a hundred thousand snapshots in seconds on one core, and is a well-kept
BSD library. Its scores are then calibrated (isotonic regression, ``CalibratedClassifierCV`` on the frozen
model) on dossiers received *after* those it learned from, so that "0.3" means three in ten; the last slice,
later still, is kept for the figures. The expected finish is the median of the working time left
(``HistGradientBoostingRegressor`` with the quantile loss at 0.5, on its logarithm).

Splits are by the instant the dossier was received (train on the past, test on the future): the snapshots
of one dossier are never on both sides.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .features import CATEGORICAL, FEATURES, Snapshot, matrix

# The shares of the history (by reception) learned from, used to calibrate, and kept to measure.
SPLIT = (0.7, 0.85)
MAX_CATEGORIES = 250  # HistGradientBoosting's categories must be below its 255 bins; the rest are "other"
# What-if references for the reasons: each group of features is put back to a typical value and the change of
# the probability is that group's weight (``explain``).
GROUPS: dict[str, tuple[str, ...]] = {
    "step_wait": ("step_wait_days",), "officer_load": ("officer_load",), "unit_load": ("unit_load",),
    "agency_load": ("agency_load",), "time_used": ("share_used", "left_days"), "supplements": ("supplements",),
    "consultations": ("consultations",), "procedure": ("procedure",), "officer": ("officer",), "month": ("month",),
}


@dataclass
class Trained:
    """What ``motcua insight score`` needs, pickled into the artefact (``artefact.dump``)."""

    classifier: Any
    regressor: Any
    categories: dict[str, dict[Any, int]]
    medians: dict[str, float]  # of every numeric feature, over the training snapshots
    step_waits: dict[str, list[float]]  # "procedure/step" -> percentiles 0..100 of the wait (working days)
    loads: dict[str, list[float]]  # feature -> percentiles 0..100
    late_rate: dict[str, dict[str, float]]  # "procedure"/"month" -> value -> late rate in training
    base_rate: float
    metrics: dict[str, Any] = field(default_factory=dict)

    def predict(self, rows: list[list[float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        return np.asarray(self.classifier.predict_proba(np.asarray(rows, dtype=float))[:, 1])

    def remaining(self, rows: list[list[float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        return np.expm1(np.clip(self.regressor.predict(np.asarray(rows, dtype=float)), 0, 20))


def _categories(snaps: list[Snapshot]) -> dict[str, dict[Any, int]]:
    out: dict[str, dict[Any, int]] = {}
    for name in CATEGORICAL:
        common = Counter(s.values[name] for s in snaps if s.values[name] is not None).most_common(MAX_CATEGORIES)
        out[name] = {value: i for i, (value, _n) in enumerate(sorted(common, key=lambda x: str(x[0])))}
    return out


def _percentiles(values: list[float]) -> list[float]:
    return [float(x) for x in np.percentile(np.asarray(values, dtype=float), list(range(101)))] if values else []


def split(snaps: list[Snapshot]) -> tuple[list[Snapshot], list[Snapshot], list[Snapshot]]:
    """Train, calibrate, test: by the instant each dossier was received (the first 70 %, the next 15 %, the
    last 15 % of the dossiers)."""
    received = sorted({(s.received_at, s.dossier_id) for s in snaps})
    if not received:
        return [], [], []
    a = received[min(len(received) - 1, int(len(received) * SPLIT[0]))]
    b = received[min(len(received) - 1, int(len(received) * SPLIT[1]))]
    train = [s for s in snaps if (s.received_at, s.dossier_id) < a]
    calib = [s for s in snaps if a <= (s.received_at, s.dossier_id) < b]
    test = [s for s in snaps if (s.received_at, s.dossier_id) >= b]
    return train, calib, test


class NotEnoughHistory(ValueError):
    pass


def fit(snaps: list[Snapshot], *, seed: int = 0) -> Trained:
    """Learn from ``snaps`` (labelled): the classifier on the first slice, calibrated on the second, measured
    on the third (``metrics``, beside the fixed rule on the same snapshots)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.frozen import FrozenEstimator

    train, calib, test = split(snaps)
    # The test slice too: with one kind of dossier in it the AUC is undefined (NaN), which no JSON column stores,
    # and a model that cannot be measured against the fixed rule is not put in use.
    for part in (train, calib, test):
        labels = {bool(s.late) for s in part}
        if len(part) < 50 or labels != {True, False}:
            raise NotEnoughHistory("not enough history: each slice needs late and timely dossiers")
    categories = _categories(train)
    mask = [name in CATEGORICAL for name in FEATURES]
    x_train = np.asarray(matrix(train, categories), dtype=float)
    y_train = np.asarray([bool(s.late) for s in train])
    base = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.06, max_leaf_nodes=15, min_samples_leaf=40,
                                          l2_regularization=1.0, categorical_features=mask, random_state=seed)
    base.fit(x_train, y_train)
    x_calib = np.asarray(matrix(calib, categories), dtype=float)
    y_calib = np.asarray([bool(s.late) for s in calib])
    classifier = CalibratedClassifierCV(FrozenEstimator(base), method="isotonic")
    classifier.fit(x_calib, y_calib)
    regressor = HistGradientBoostingRegressor(loss="quantile", quantile=0.5, max_iter=150, learning_rate=0.08,
                                              categorical_features=mask, random_state=seed)
    hours = np.log1p(np.asarray([(s.remaining_seconds or 0) for s in train], dtype=float))
    regressor.fit(x_train, hours)
    numeric = [n for n in FEATURES if n not in CATEGORICAL]
    medians = {n: float(np.median(x_train[:, FEATURES.index(n)])) for n in numeric}
    waits: dict[str, list[float]] = {}
    for s in train:
        waits.setdefault(f"{s.values['procedure']}/{s.values['step_order']}", []).append(s.values["step_wait_days"])
    rates: dict[str, dict[str, float]] = {"procedure": {}, "month": {}}
    for name in rates:
        seen: dict[str, list[bool]] = {}
        for s in train:
            seen.setdefault(str(s.values[name]), []).append(bool(s.late))
        rates[name] = {k: sum(v) / len(v) for k, v in seen.items() if len(v) >= 20}
    trained = Trained(
        classifier=classifier, regressor=regressor, categories=categories, medians=medians,
        step_waits={k: _percentiles(v) for k, v in waits.items() if len(v) >= 10},
        loads={n: _percentiles([s.values[n] for s in train]) for n in ("officer_load", "unit_load", "agency_load")},
        late_rate=rates, base_rate=float(y_train.mean()))
    trained.metrics = evaluate(trained, test, rule_rates=_rule_rates(train))
    trained.metrics.update(train=len(train), calibrate=len(calib))
    return trained


def _rule_rates(snaps: list[Snapshot]) -> tuple[float, float]:
    """The late rate of the snapshots the fixed rule flags and of those it does not (the rule made into a
    probability, for a fair Brier score)."""
    flagged = [bool(s.late) for s in snaps if s.rule]
    other = [bool(s.late) for s in snaps if not s.rule]
    return (sum(flagged) / len(flagged) if flagged else 1.0, sum(other) / len(other) if other else 0.0)


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """The area under the ROC curve (ties counted half): the chance a late dossier scores above a timely one."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else math.nan


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y.astype(float)) ** 2)) if len(y) else math.nan


def deciles(y: np.ndarray, p: np.ndarray) -> list[dict[str, float]]:
    """The calibration table: the snapshots in ten groups of rising score, each with its mean score and
    its observed late rate."""
    order = np.argsort(p, kind="stable")
    out = []
    for chunk in np.array_split(order, 10):
        if len(chunk):
            out.append({"n": len(chunk), "predicted": float(p[chunk].mean()), "observed": float(y[chunk].mean())})
    return out


def evaluate(trained: Trained, test: list[Snapshot], rule_rates: tuple[float, float]) -> dict[str, Any]:
    """AUC, Brier score and calibration deciles of the model and of the fixed rule (as a 0/1 flag, and made
    into the late rates of its two groups in training) on the same snapshots."""
    y = np.asarray([bool(s.late) for s in test])
    p = trained.predict(matrix(test, trained.categories))
    flag = np.asarray([1.0 if s.rule else 0.0 for s in test])
    rule_p = np.where(flag > 0, rule_rates[0], rule_rates[1])
    return {
        "test": len(test), "test_late_rate": float(y.mean()) if len(y) else math.nan,
        "model": {"auc": auc(y, p), "brier": brier(y, p), "deciles": deciles(y, p)},
        "rule": {"auc": auc(y, flag), "brier": brier(y, flag), "deciles": deciles(y, flag)},
        "rule_rates": {"auc": auc(y, rule_p), "brier": brier(y, rule_p)},
    }


def percentile_of(points: list[float], value: float) -> int:
    """Of how many hundredths of the peers ``value`` is above (from their percentiles 0..100)."""
    if not points:
        return 0
    return int(max(0, min(100, int(np.searchsorted(np.asarray(points), value, side="left")) - 1)))


def explain(trained: Trained, snaps: list[Snapshot], rows: list[list[float]], probs: np.ndarray,
            top: int = 3) -> list[list[dict[str, Any]]]:
    """The reasons of each prediction: for each group of features (``GROUPS``), how much the probability drops
    when that group is put back to a typical value (the median; a category to "unknown"; no supplement, no
    open request); the groups that push up most, with the values a reader needs (``reasons.render``)."""
    if not rows:
        return []
    base = np.asarray(rows, dtype=float)
    weights: dict[str, np.ndarray] = {}
    for group, names in GROUPS.items():
        changed = base.copy()
        for name in names:
            col = FEATURES.index(name)
            if name in CATEGORICAL:
                changed[:, col] = math.nan
            elif name in ("supplements", "consultations"):
                changed[:, col] = 0.0
            elif name == "step_wait_days":
                changed[:, col] = [_median_wait(trained, s) for s in snaps]
            else:
                changed[:, col] = trained.medians[name]
        weights[group] = probs - trained.predict(changed.tolist())
    out = []
    for i, s in enumerate(snaps):
        ranked = sorted(((float(w[i]), g) for g, w in weights.items()), reverse=True)
        reasons = [_reason(trained, s, g, w) for w, g in ranked[:top] if w >= 0.01]
        out.append([r for r in reasons if r is not None])
    return out


def _median_wait(trained: Trained, s: Snapshot) -> float:
    points = trained.step_waits.get(f"{s.values['procedure']}/{s.values['step_order']}")
    return points[50] if points else trained.medians["step_wait_days"]


def _reason(trained: Trained, s: Snapshot, group: str, weight: float) -> dict[str, Any] | None:
    v = s.values
    r: dict[str, Any] = {"code": group, "weight": round(weight, 3)}
    if group == "step_wait":
        points = trained.step_waits.get(f"{v['procedure']}/{v['step_order']}", [])
        r.update(step=s.step_name, days=round(v["step_wait_days"], 1), percentile=percentile_of(points,
                                                                                               v["step_wait_days"]))
    elif group in ("officer_load", "unit_load", "agency_load"):
        r.update(count=int(v[group]), percentile=percentile_of(trained.loads.get(group, []), v[group]))
    elif group == "time_used":
        r.update(share=round(100 * max(0.0, v["share_used"])), days=round(v["left_days"], 1))
    elif group in ("supplements", "consultations"):
        if not v[group]:
            return None
        r.update(count=int(v[group]))
    elif group in ("procedure", "month"):
        rate = trained.late_rate.get(group, {}).get(str(v[group]))
        if rate is None:
            return None
        r.update(rate=round(100 * rate, 1), usual=round(100 * trained.base_rate, 1))
        if group == "month":
            r["month"] = int(v["month"])
    elif group == "officer" and v["officer"] is None:
        return None
    return r
