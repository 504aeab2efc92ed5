"""The partial index of open dossiers in due order (migration 0027, issue 20 Growth): the staff's listing and
its counts (``pages.queue_page``) can read it on PostgreSQL, its statuses stay those of the listing, and the
migration goes back and forth."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from motcua.dossiers import pages
from motcua.dossiers.models import Dossier


def _index() -> object:
    return next(i for i in Dossier._meta.indexes if i.name == "dossier_open_due")


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        return {name for name, c in connection.introspection.get_constraints(cursor, "dossiers_dossier").items()
                if c["index"]}


def test_the_index_covers_exactly_the_listing_of_open_dossiers() -> None:
    # The planner uses a partial index only when the query's condition is the index's own.
    condition = _index().condition  # type: ignore[attr-defined]
    assert condition.children == [("status__in", list(pages.OPEN))]


def test_the_open_listing_can_read_the_index(people, procedure) -> None:  # type: ignore[no-untyped-def]
    """The open dossiers in due order, as the listing asks them, can be read from the partial index. (The whole
    listing query is not asserted: with its scope conditions the planner's choice among indexes depends on the
    statistics of the moment, which other tests of the suite change.)"""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    open_in_due_order = Dossier.objects.filter(status__in=pages.OPEN).order_by("due_at").only("pk")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
        # On a few rows a sequential scan is cheaper: forbid it to see which index the query can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = open_in_due_order.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "dossier_open_due" in plan, plan


@pytest.mark.django_db(transaction=True)
def test_the_migration_is_reversible() -> None:
    assert "dossier_open_due" in _index_names()
    call_command("migrate", "dossiers", "0026", verbosity=0)
    try:
        assert "dossier_open_due" not in _index_names()
    finally:
        # Every app forward, not only dossiers: going back also unapplied the later migrations of the apps that
        # depend on it (insight, …), which the tests after this one need.
        call_command("migrate", verbosity=0)
    assert "dossier_open_due" in _index_names()
