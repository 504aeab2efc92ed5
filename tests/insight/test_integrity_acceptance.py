"""Acceptance of the integrity rules (issue 22): on a generated history with the patterns planted
(``motcua.stats.plant``), every rule finds its planted dossiers with precision and recall of at least 0.9 against
the ground truth; the history still verifies (``motcua audit verify``); a dismissed flag stays dismissed after a
re-scan, and a second scan changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest

from motcua.accounts.models import OrgUnit
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier
from motcua.insight.integrity import review, scan, selectors
from motcua.insight.models import Flag, FlagState, Rule
from motcua.stats import plant, rollups
from motcua.stats.generate import generate

FIRST, LAST = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture
def planted(db, people):  # type: ignore[no-untyped-def]
    generate(1500, agencies=2, first=FIRST, last=LAST, seed=7, stream=io.StringIO(), rebuild=False)
    return plant.plant(seed=7, first=FIRST, last=LAST, agencies=2)


def _found() -> dict[str, set[str]]:
    codes = dict(Dossier.objects.values_list("id", "code"))
    out: dict[str, set[str]] = defaultdict(set)
    for f in Flag.objects.all():
        ids = f.dossier_ids if f.rule == Rule.APOLOGY_ROUTINE else [f.dossier_id] if f.dossier_id else []
        if f.rule == Rule.BURST:
            ids = f.dossier_ids
        out[f.rule] |= {codes[i] for i in ids}
    return out


def test_every_rule_finds_its_planted_cases(planted):  # type: ignore[no-untyped-def]
    scan.scan()
    truth: dict[str, set[str]] = defaultdict(set)
    for t in planted:
        truth[t["rule"]].add(t["dossier"])
    found = _found()
    assert set(truth) == set(Rule.values)
    for rule in Rule.values:
        hit = len(found[rule] & truth[rule])
        precision = hit / len(found[rule]) if found[rule] else 0.0
        recall = hit / len(truth[rule])
        print(f"{rule}: precision {precision:.2f} recall {recall:.2f} ({len(found[rule])} found, "
              f"{len(truth[rule])} planted)")
        assert precision >= 0.9 and recall >= 0.9, (rule, precision, recall, len(found[rule]), len(truth[rule]))
    assert audit.verify(checkpoints="none").ok


def test_dismissed_stays_dismissed_and_a_rescan_changes_nothing(planted, people):  # type: ignore[no-untyped-def]
    first = scan.scan()
    assert first.created > 0
    flag = Flag.objects.filter(rule=Rule.BURST).first()
    assert flag is not None
    review.review(people["thanh"], flag.pk, FlagState.DISMISSED, "Trực đêm theo kế hoạch đã duyệt")
    again = scan.scan()
    assert again.created == 0 and again.kept == 1
    flag.refresh_from_db()
    assert flag.state == FlagState.DISMISSED
    assert Flag.objects.count() == first.created


def test_the_honest_rate_starts_from_the_statistics_own_counts(planted, people):  # type: ignore[no-untyped-def]
    """The reported side of the honest rate is read from the statistics (registered by ``motcua.stats``) and is
    the same population and judgement as a walk of every dossier with the one rule."""
    rollups.rebuild()
    assert selectors._reported is not None  # registered by StatsConfig.ready
    rates = selectors.honest_rates(people["thanh"], FIRST, LAST)
    assert len(rates) == 2 and all(r.counted > 500 for r in rates)
    for r in rates:
        units = frozenset(OrgUnit.objects.filter(path__startswith=r.agency.path).values_list("pk", flat=True))
        assert (r.counted, r.on_time) == selectors.walked_counts(units, FIRST, LAST)
        assert r.honest_on_time == r.on_time and r.corrected == 0  # nothing confirmed yet
    # A quarter, whose end leaves dossiers in progress: the same again.
    q_last = dt.date(2025, 3, 31)
    for r in selectors.honest_rates(people["thanh"], FIRST, q_last):
        units = frozenset(OrgUnit.objects.filter(path__startswith=r.agency.path).values_list("pk", flat=True))
        assert (r.counted, r.on_time) == selectors.walked_counts(units, FIRST, q_last)


def test_the_honest_rate_counts_confirmed_linked_dossiers_from_the_first_receipt(planted, people):  # type: ignore[no-untyped-def]
    rollups.rebuild()
    scan.scan()
    inspector = people["thanh"]
    before = {r.agency.pk: r for r in selectors.honest_rates(inspector, FIRST, LAST)}
    linked = list(Flag.objects.filter(rule=Rule.LINKED))
    assert len(linked) == 28
    for flag in linked:
        review.review(inspector, flag.pk, FlagState.ACCEPTED, "Rút rồi nộp lại để tính lại thời hạn")
    after = {r.agency.pk: r for r in selectors.honest_rates(inspector, FIRST, LAST)}
    agency = linked[0].agency_id
    # Each was early or on time by itself and is late counted from the first receipt (the one rule).
    assert after[agency].corrected == 28
    assert after[agency].on_time == before[agency].on_time == before[agency].honest_on_time
    assert after[agency].honest_on_time == before[agency].on_time - 28
    others = [pk for pk in after if pk != agency]
    assert all(after[pk].honest_on_time == after[pk].on_time for pk in others)
