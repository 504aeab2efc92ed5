"""The replica router's rules without a replica server (the real primary and replica: tests/core/test_replica.py).

Only a marked view's reads outside a transaction and before any write may go to the replica; migrations never do.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from motcua.accounts.models import OrgUnit
from motcua.core import dbrouter


def test_migrations_run_on_the_primary_only():
    router = dbrouter.ReplicaRouter()
    assert router.allow_migrate("default", "dossiers")
    assert not router.allow_migrate("replica", "dossiers")


@pytest.mark.django_db(transaction=True)  # a test wrapped in a transaction would read from the primary
def test_a_marked_read_goes_to_the_replica_until_a_transaction_or_a_write():
    router = dbrouter.ReplicaRouter()
    assert router.db_for_read(OrgUnit) == "default"  # an unmarked view
    use, wrote = dbrouter._use_replica.set(True), dbrouter._wrote.set(False)
    try:
        assert router.db_for_read(OrgUnit) == "replica"
        with transaction.atomic():  # a read inside a transaction must see the transaction's own writes
            assert router.db_for_read(OrgUnit) == "default"
        assert router.db_for_write(OrgUnit) == "default"
        assert router.db_for_read(OrgUnit) == "default"  # read your writes within the request
    finally:
        dbrouter._use_replica.reset(use)
        dbrouter._wrote.reset(wrote)


def test_without_a_replica_a_marked_view_reads_from_the_primary_and_nobody_is_pinned():
    seen: list[bool] = []

    @dbrouter.replica_reads
    def view(request):  # type: ignore[no-untyped-def]
        seen.append(dbrouter._use_replica.get())
        return HttpResponse("ok")

    middleware = dbrouter.ReadYourWritesMiddleware(view)
    response = middleware(RequestFactory().get("/thong-ke/"))
    assert seen == [False]
    assert dbrouter.PIN_COOKIE not in response.cookies
