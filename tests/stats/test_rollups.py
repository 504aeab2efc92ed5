"""The rollups equal a full recount: generated history, then a random mix of transitions through the
dossier services (each refreshing the statistics on commit), compared with (a) a rebuild from scratch
and (b) ``rules.classify`` applied to every dossier directly."""

from __future__ import annotations

import datetime as dt
import io
import random

import time_machine
from django.core.management import call_command
from django.db.models import Count, Q

from motcua.accounts.choices import Role
from motcua.accounts.services import assign_role
from motcua.dossiers import services
from motcua.dossiers.choices import Status
from motcua.dossiers.events import verify
from motcua.dossiers.facts import iter_built
from motcua.dossiers.models import Dossier
from motcua.dossiers.timeliness import Outcome, classify
from motcua.stats import kpi
from motcua.stats.generate import generate
from motcua.stats.models import DailyRollup, DossierFact, MonthlyRollup, OpenSnapshot, SnapshotMonth

PERIODS = [(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), (dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
           (dt.date(2025, 6, 10), dt.date(2025, 6, 20)), (dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
           # ragged ends around whole months (daily + monthly rollups), and the month of the transitions
           (dt.date(2025, 2, 15), dt.date(2025, 4, 10)), (dt.date(2025, 12, 1), dt.date(2025, 12, 31))]


def _snapshot() -> tuple[list[tuple], ...]:
    keys = ("receiving_unit_id", "processing_unit_id", "procedure_id")
    facts = sorted(DossierFact.objects.values_list())
    cells = sorted(DailyRollup.objects.exclude(received=0, ended=0).values_list("day", *keys, *DailyRollup.COUNTERS))
    months = sorted(MonthlyRollup.objects.exclude(received=0, ended=0).values_list("month", *keys,
                                                                                  *DailyRollup.COUNTERS))
    opened = sorted(OpenSnapshot.objects.exclude(in_progress=0, overdue=0, at_risk=0).values_list(
        "day", *keys, "in_progress", "overdue", "at_risk"))
    return facts, cells, months, opened


def _open_counted(day: dt.date) -> dict[str, int]:
    """The dossiers open at the end of ``day`` counted from the facts, not from the snapshots."""
    at = kpi.end_instant(day)
    late = kpi.late_at_q(at)
    return kpi.open_at(kpi.Scope(), at).aggregate(in_progress=Count("pk"), overdue=Count("pk", filter=late),
                                                   at_risk=Count("pk", filter=~late & Q(risk_at__lte=at)))


def _recount(first: dt.date, last: dt.date) -> dict[str, int]:
    at = kpi.end_instant(last)
    start = kpi.start_instant(first)
    out = {"received": 0, "early": 0, "on_time": 0, "late": 0, "in_progress": 0, "overdue": 0}
    for built, _ in iter_built():
        f = built.facts
        if f.received_at is None or f.received_at > at:
            continue
        if start <= f.received_at:
            out["received"] += 1
        ended = next((m for m in (f.done_at, f.returned_at, f.stopped_at) if m is not None), None)
        if ended is not None and ended < start:
            continue
        c = classify(f, at, built.target_due)
        if ended is None or ended > at:  # still being resolved at the end: within time or overdue
            out["in_progress"] += 1
            out["overdue"] += c.outcome == Outcome.LATE
        else:  # resolved in the period, by class
            out[c.outcome.value] += 1  # type: ignore[union-attr]
    return out


def test_rollups_equal_a_full_recount_after_random_transitions(org, people, django_capture_on_commit_callbacks):
    generate(600, agencies=2, first=dt.date(2025, 1, 1), last=dt.date(2025, 12, 31), seed=7, stream=io.StringIO())
    assert verify()[1] is None  # the generated event chains are valid
    rng = random.Random(3)
    movable = list(Dossier.objects.filter(status__in=[Status.RECEIVED, Status.IN_PROGRESS,
                                                      Status.SUPPLEMENT_REQUESTED]))
    rng.shuffle(movable)
    when = dt.datetime(2025, 12, 31, 10, tzinfo=dt.UTC)
    for d in {d.receiving_unit for d in movable}:
        assign_role(people["binh"], Role.DESK_OFFICER, d)
    binh = people["binh"]
    moved = 0
    for d in movable[:40]:
        actions = {Status.RECEIVED: [services.transfer, services.request_withdrawal],
                   Status.IN_PROGRESS: [services.request_withdrawal],
                   Status.SUPPLEMENT_REQUESTED: [services.submit_supplement, services.request_withdrawal]}[d.status]
        action = rng.choice(actions)
        with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
            action(binh, d)
            if action is services.request_withdrawal and rng.random() < 0.7:
                services.stop(binh, Dossier.objects.get(pk=d.pk))
        moved += 1
    assert moved >= 10
    incremental = _snapshot()
    for first, last in PERIODS:
        s = kpi.summary(kpi.Scope(), first, last)
        expected = _recount(first, last)
        assert {k: s[k] for k in expected} == expected, (first, last)
    kept = list(SnapshotMonth.objects.filter(day__year=2025).values_list("day", flat=True))
    assert len(kept) == 12
    for day in kept:  # the snapshots, kept current by differences, equal a count from the facts
        assert kpi.open_counts(kpi.Scope(), day)[()] == _open_counted(day), day
    call_command("stats", "rebuild", stdout=io.StringIO(), stderr=io.StringIO())
    assert _snapshot() == incremental
    assert DossierFact.objects.exclude(end_class="").exists()


def test_many_agencies_at_once_equal_each_agency_alone(org, people):
    """The ranking reads the period's cells once for every agency (``index766.compute_many``): each agency's
    index and summary equal those computed for it alone, for a period of whole months (snapshots) and one with
    ragged ends (facts)."""
    from motcua.accounts.models import OrgUnit
    from motcua.stats import index766

    generate(300, agencies=3, first=dt.date(2025, 1, 1), last=dt.date(2025, 12, 31), seed=11, stream=io.StringIO())
    agencies = list(OrgUnit.objects.filter(kind="agency").order_by("pk")[:3])
    trees = {a.pk: kpi.subtree_ids(a) for a in agencies}
    for first, last in [(dt.date(2025, 1, 1), dt.date(2025, 6, 30)), (dt.date(2025, 3, 5), dt.date(2025, 12, 20))]:
        together = index766.compute_many(trees, first, last)
        for pk, ids in trees.items():
            scope = kpi.Scope(ids)
            alone = kpi.summary(scope, first, last)
            assert together[pk][1] == alone
            assert together[pk][0] == index766.compute(scope, first, last)
        assert sum(together[pk][1]["received"] for pk in trees) > 0
