"""``core.bulk``: plain rows written with the backend's adapters, defaults filled in, reserved ids, and
the key sequence moved past them (PostgreSQL) so that the ORM's next insert does not collide."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core import bulk
from motcua.dossiers.models import DossierCodeCounter


@pytest.mark.django_db(transaction=True)
def test_rows_with_reserved_ids_then_the_orm_inserts_after_them():
    DossierCodeCounter.objects.create(agency_code="A", day=dt.date(2025, 1, 2), last_value=1)
    first = bulk.reserve_ids(DossierCodeCounter)
    rows = [{"id": first + i, "agency_code": "B", "day": dt.date(2025, 1, 2) + dt.timedelta(days=i)}
            for i in range(3)]
    assert bulk.insert_rows(DossierCodeCounter, rows) == 3
    bulk.reset_sequences(DossierCodeCounter)
    later = DossierCodeCounter.objects.create(agency_code="C", day=dt.date(2025, 1, 2))
    assert later.pk > first + 2
    stored = list(DossierCodeCounter.objects.filter(agency_code="B").order_by("pk").values_list("pk", "day",
                                                                                                   "last_value"))
    assert stored == [(first + i, dt.date(2025, 1, 2) + dt.timedelta(days=i), 0) for i in range(3)]  # default 0


@pytest.mark.django_db
def test_rows_without_ids_take_the_table_s_keys():
    bulk.insert_rows(DossierCodeCounter, [{"agency_code": "D", "day": dt.date(2025, 2, 1), "last_value": 5}])
    row = DossierCodeCounter.objects.get(agency_code="D")
    assert (row.day, row.last_value) == (dt.date(2025, 2, 1), 5)


@pytest.mark.django_db
def test_a_required_column_left_out_is_refused_before_anything_is_written():
    with pytest.raises(ValueError, match="day"):
        bulk.insert_rows(DossierCodeCounter, [{"agency_code": "E"}])
    assert not DossierCodeCounter.objects.filter(agency_code="E").exists()
    assert bulk.insert_rows(DossierCodeCounter, []) == 0
