"""KPIs of a period on the hand-made March 2025 dataset (``conftest.march``); expected values worked
out here. E is open and overdue at the end of March, F open and on time."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers.facts import facts_for
from motcua.dossiers.timeliness import Outcome, classify
from motcua.stats import kpi

from .conftest import at

MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def test_march_summary(march, org):
    s = kpi.summary(kpi.Scope(kpi.subtree_ids(org["sxd"])), *MARCH)
    # Received: A B C D E H F (G refused) = 7; processed = the same 7.
    assert s["received"] == 7
    assert s["processed"] == 7
    assert (s["early"], s["on_time"], s["late"]) == (1, 4, 2)  # A | B D F H | C E
    assert (s["done"], s["stopped"], s["in_progress"], s["overdue"]) == (4, 1, 2, 1)
    assert s["on_time_rate"] == pytest.approx(5 / 7, abs=1e-4)
    assert s["early_rate"] == pytest.approx(1 / 7, abs=1e-4)
    # Working hours from 3/3 09:00: A 17 h, B 33 h, C 49 h, D 49 h - 16 h waited = 33 h -> 132 h = 16.5 WD / 4.
    assert s["avg_working_days"] == pytest.approx(4.125, abs=0.01)


def test_the_period_end_judges_open_dossiers(march, org):
    scope = kpi.Scope(kpi.subtree_ids(org["sxd"]))
    # Up to Friday 7/3: A ended early, B ended on time; C D E open and not yet due; H stopped; F not received.
    s = kpi.summary(scope, dt.date(2025, 3, 1), dt.date(2025, 3, 7))
    assert (s["early"], s["on_time"], s["late"], s["in_progress"], s["overdue"]) == (1, 5, 0, 3, 0)
    # D waits for its supplement on 5/3: in progress, judged at its request.
    s = kpi.summary(scope, dt.date(2025, 3, 5), dt.date(2025, 3, 5))
    assert s["in_progress"] == 4  # B C D E (A ended on the 5th, H on the 4th)
    # April: E and F carried over; F due 4/4 09:00 is late at the end of April; E too.
    s = kpi.summary(scope, dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    assert (s["received"], s["processed"], s["late"], s["overdue"]) == (0, 2, 2, 2)
    assert kpi.carried_over(scope, dt.date(2025, 4, 1)) == 2


def test_zero_denominator_gives_no_rate(march, org):
    s = kpi.summary(kpi.Scope(kpi.subtree_ids(org["other"])), *MARCH)
    assert s["processed"] == 0
    assert s["on_time_rate"] is None and s["early_rate"] is None and s["avg_working_days"] is None


def test_procedure_filter(march, org, procedure):
    assert kpi.summary(kpi.Scope(None, frozenset({procedure.pk})), *MARCH)["received"] == 7
    assert kpi.summary(kpi.Scope(None, frozenset({-1})), *MARCH)["received"] == 0


def test_facts_for_feeds_classify(march):
    facts, target = facts_for(march["D"])
    c = classify(facts, dt.datetime(2025, 12, 31, tzinfo=dt.UTC), target)
    assert c.outcome == Outcome.ON_TIME
    assert c.supplement_seconds == 16 * 3600
    assert c.deadline_at == at(12)
    assert target == at(6)
