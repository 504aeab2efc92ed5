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
    # Early = done on a day before the promised day (10/3; D's restarted 13/3): A (5/3), B (7/3), D (11/3).
    # Resolved in the period, by class (the report's columns): A B D early | H on time | C late; still being
    # resolved at its end: F within time, E past its promised date (10/3).
    assert (s["ended"], s["early"], s["on_time"], s["late"]) == (5, 3, 1, 1)
    assert (s["done"], s["stopped"], s["in_progress"], s["within_time"], s["overdue"]) == (4, 1, 2, 1, 1)
    assert s["on_time_rate"] == pytest.approx(5 / 7, abs=1e-4)
    assert s["early_rate"] == pytest.approx(3 / 7, abs=1e-4)
    # The internal target (3 WD: 6/3 09:00), a measure of its own: of A B C D, only A was done by it (D's
    # target moved as far as its promised date: 24 working hours, to 11/3 09:00; D was done at 10:00).
    assert (s["with_target"], s["within_target"]) == (4, 1)
    assert s["within_target_rate"] == pytest.approx(0.25)
    # Working hours from 3/3 09:00: A 17 h, B 33 h, C 49 h, D 49 h - 16 h waited = 33 h -> 132 h = 16.5 WD / 4.
    assert s["avg_working_days"] == pytest.approx(4.125, abs=0.01)


def test_the_period_end_judges_open_dossiers(march, org):
    scope = kpi.Scope(kpi.subtree_ids(org["sxd"]))
    # Up to Friday 7/3: A and B ended early (before the promised day, 10/3); C D E open and not yet due; H
    # stopped (at best on time); F not received.
    s = kpi.summary(scope, dt.date(2025, 3, 1), dt.date(2025, 3, 7))
    assert (s["early"], s["on_time"], s["late"], s["in_progress"], s["overdue"]) == (2, 1, 0, 3, 0)
    # D waits for its supplement on 5/3: in progress, judged at its request.
    s = kpi.summary(scope, dt.date(2025, 3, 5), dt.date(2025, 3, 5))
    assert s["in_progress"] == 4  # B C D E (A ended on the 5th, H on the 4th)
    # April: E and F carried over; F due 4/4 09:00 is late at the end of April; E too.
    s = kpi.summary(scope, dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    assert (s["received"], s["processed"], s["late"], s["overdue"]) == (0, 2, 0, 2)
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
    # The supplement (4/3 09:00 -> 6/3 09:00) restarted the clock (Decree 61/2018 Art. 19(4)): 5 WD from 6/3
    # 09:00 = 13/3 09:00, the date the officer was shown; done 11/3: early.
    assert c.outcome == Outcome.EARLY
    assert c.supplement_seconds == 16 * 3600
    assert facts.supplements[0].due_after == at(13)
    assert c.deadline_at == at(13)
    assert target == at(6)
    assert (c.target_at, c.within_target) == (at(11), False)
