"""``motcua generate --workers N`` (issue 20, Growth): the dossiers written by several processes at once on
PostgreSQL are the same as those written by one — same rows, codes unique, every event chain intact, the
statistics computed once — and SQLite, which takes one writer, generates in one process and says so."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
from django.db import connection

from motcua.dossiers.events import verify
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.workflow.models import ProcessingStep
from motcua.stats.generate import generate
from motcua.stats.models import DailyRollup, DossierFact, MonthlyRollup, OpenSnapshot, SnapshotMonth

FIRST, LAST = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
pg_only = pytest.mark.skipif(connection.vendor != "postgresql",
                             reason="parallel writers need PostgreSQL (DATABASE_URL=postgres://...)")


def _fingerprint() -> dict[str, Any]:
    """What was generated, without the primary keys and hashes (they depend on which process took which)."""
    return {
        "dossiers": Counter(Dossier.objects.values_list(
            "code", "reference", "status", "applicant_name", "applicant_id_number", "search_folded",
            "submitted_at", "due_at", "event_count", "processing_unit__code")),
        "events": Counter(DossierEvent.objects.values_list("dossier__reference", "seq", "kind", "at", "status_after")),
        "steps": Counter(ProcessingStep.objects.values_list("dossier__reference", "order", "role", "open", "due_at")),
        "current": Counter(Dossier.objects.filter(current_step__isnull=False)
                          .values_list("reference", "current_step__order")),
        "facts": DossierFact.objects.count(),
    }


def _checked() -> None:
    assert verify()[1] is None  # every chain intact, as ``motcua audit verify`` checks it
    codes = list(Dossier.objects.exclude(code=None).values_list("code", flat=True))
    assert len(codes) == len(set(codes)) > 0
    # Every open step is its dossier's current step.
    current = Dossier.objects.filter(current_step__isnull=False).values("current_step")
    assert not ProcessingStep.objects.filter(open=True).exclude(pk__in=current).exists()


@pg_only
@pytest.mark.django_db(transaction=True)
def test_parallel_generation_writes_what_one_process_writes() -> None:
    made = generate(700, agencies=2, first=FIRST, last=LAST, seed=9, stream=io.StringIO(), batch=100, workers=1)
    assert made == 700
    _checked()
    serial = _fingerprint()
    assert serial["steps"] and serial["facts"] > 600
    _forget_dossiers()

    progress = io.StringIO()
    made = generate(700, agencies=2, first=FIRST, last=LAST, seed=9, stream=progress, batch=100, workers=3)
    assert made == 700
    _checked()
    assert _fingerprint() == serial
    assert "dossiers: 700/700" in progress.getvalue()
    # The sequences moved past every key taken: the services' next insert gets a fresh id.
    assert Dossier.objects.order_by("-pk").values_list("pk", flat=True)[0] < _next_id(Dossier)


def _forget_dossiers() -> None:
    """Empty the generated tables, keeping the units, procedures and calendars (TRUNCATE: the event table's
    triggers refuse a DELETE)."""
    tables = [m._meta.db_table for m in (Dossier, DossierFact, DailyRollup, MonthlyRollup, OpenSnapshot, SnapshotMonth)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    assert not DossierEvent.objects.exists() and not ProcessingStep.objects.exists()


def _next_id(model: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
        return int(cursor.fetchone()[0])


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_second_seed_adds_and_the_same_seed_is_refused() -> None:
    generate(150, agencies=1, first=FIRST, last=LAST, seed=1, stream=io.StringIO(), batch=50, workers=2)
    generate(150, agencies=1, first=FIRST, last=LAST, seed=2, stream=io.StringIO(), batch=50, workers=2)
    assert Dossier.objects.count() == 300
    _checked()
    with pytest.raises(RuntimeError, match="seed 2"):
        generate(50, agencies=1, first=FIRST, last=LAST, seed=2, stream=io.StringIO(), batch=50, workers=2,
                 rebuild=False)
    assert Dossier.objects.count() == 300


@pytest.mark.django_db(transaction=True)
def test_sqlite_generates_in_one_process_and_says_so() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    progress = io.StringIO()
    assert generate(120, agencies=1, first=FIRST, last=LAST, seed=3, stream=progress, batch=50, workers=4) == 120
    assert "one writer at a time" in progress.getvalue()
    _checked()
    with pytest.raises(RuntimeError, match="seed 3"):
        generate(10, agencies=1, first=FIRST, last=LAST, seed=3, stream=io.StringIO(), rebuild=False)
    assert Dossier.objects.count() == 120


def _statistics() -> dict[str, Any]:
    """Every statistics table's content, without the primary keys. Sums of floats (the rollups' working days) are
    compared to nine decimals: PostgreSQL adds a group's facts in the order it reads them, and facts written by
    several processes lie in another order, which moves the last bit (11.60190972222222 and …223)."""
    def value(v: Any) -> Any:
        return round(v, 9) if isinstance(v, float) else v

    def rows(model: Any) -> Counter[tuple[Any, ...]]:
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        return Counter(tuple(value(v) for v in row) for row in model.objects.values_list(*fields))
    return {m.__name__: rows(m) for m in (DossierFact, DailyRollup, MonthlyRollup, OpenSnapshot, SnapshotMonth)}


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_in_several_processes_writes_what_one_process_writes() -> None:
    from motcua.stats import rollups

    generate(600, agencies=2, first=FIRST, last=LAST, seed=4, stream=io.StringIO(), batch=100, workers=1)
    one = _statistics()
    assert len(one["DossierFact"]) > 500 and one["DailyRollup"] and one["OpenSnapshot"]
    seen: list[int] = []
    assert rollups.rebuild(progress=seen.append, batch=50, workers=3) == sum(one["DossierFact"].values())
    assert _statistics() == one
    assert seen == sorted(seen) and seen[-1] == sum(one["DossierFact"].values())


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_failing_worker_is_reported_with_its_traceback() -> None:
    from motcua.core import forked

    def fails(report: forked.Report) -> None:
        report("result", 1)
        raise ZeroDivisionError("no share")

    def works(report: forked.Report) -> None:
        report("result", 2)

    assert forked.run([works, works]) == [2, 2]
    with pytest.raises(forked.ForkedJobError, match="ZeroDivisionError: no share"):
        forked.run([works, fails])


@pytest.mark.django_db
def test_stats_rebuild_refuses_no_workers() -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--workers must be >= 1"):
        call_command("stats", "rebuild", "--workers", "0", stdout=io.StringIO(), stderr=io.StringIO())


@pg_only
@pytest.mark.django_db(transaction=True)
def test_parallel_generation_refuses_to_start_inside_a_transaction() -> None:
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a transaction"):
        generate(20, agencies=1, first=FIRST, last=LAST, seed=5, stream=io.StringIO(), batch=10, workers=2)
    assert not Dossier.objects.exists()
