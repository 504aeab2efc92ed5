"""50 receipts at the same instant, from parallel threads with their own connections: codes 0001-0050 and
register numbers 1-50, each once."""

from __future__ import annotations

import pytest
from django.db import connection

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from tests.conftest import at_once

from .conftest import intake


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_receipts_get_codes_0001_to_0050(people, procedure):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("in-memory SQLite is one connection; the IMMEDIATE mode is exercised by the kill test")
    n = 50
    user = people["binh"]
    _, errors = at_once(n, lambda: services.receive_at_desk(user, intake()))
    assert errors == []
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    prefix = codes[0].rsplit("-", 1)[0]
    assert codes == [f"{prefix}-{i:04d}" for i in range(1, n + 1)]
    # The register of the year numbers them 1-50 too, with no gap and no number twice.
    assert sorted(Dossier.objects.values_list("register_number", flat=True)) == list(range(1, n + 1))
