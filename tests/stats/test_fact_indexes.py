"""The facts' (day, procedure) indexes (stats 0007, issue 20 Growth): the rollups' recount of a few days of a
few procedures reads one index range, and the migration goes back and forth."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from motcua.stats.models import DossierFact

NAMES = {"stats_fact_received_proc", "stats_fact_end_day_proc"}


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        return {name for name, c in connection.introspection.get_constraints(cursor, "stats_dossierfact").items()
                if c["index"]}


@pytest.mark.django_db
def test_the_recount_reads_the_day_and_procedure_index() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    days = [dt.date(2025, 12, 30), dt.date(2025, 12, 31)]
    for field, index in (("end_day", "stats_fact_end_day_proc"), ("received_day", "stats_fact_received_proc")):
        # As ``rollups._recount`` filters the facts.
        qs = DossierFact.objects.filter(procedure_id__in=[1, 2, 3], **{f"{field}__in": days})
        sql, params = qs.query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            # The planner's statistics of the table as it is in this test (empty), not as autovacuum last saw it
            # after an earlier test's rows: with those, a BitmapAnd of two single-column indexes could look cheaper.
            cursor.execute("ANALYZE stats_dossierfact")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan and "BitmapAnd" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_the_migration_is_reversible() -> None:
    assert _index_names() >= NAMES
    call_command("migrate", "stats", "0006", verbosity=0)
    try:
        names = _index_names()
        assert not NAMES & names and {"stats_fact_received", "stats_fact_end_day"} <= names
    finally:
        # Every app forward, not only stats: going back also unapplied the later migrations of the apps that
        # depend on it (insight, …), which the tests after this one need.
        call_command("migrate", verbosity=0)
    assert _index_names() >= NAMES
