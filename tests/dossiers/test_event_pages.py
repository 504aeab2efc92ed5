"""The walks of the whole history read the events of a page of dossiers by the range of their ids when the page is
dense (``events.of_page``): each walk still yields exactly its own dossiers' events, in order, whether the page is
dense or sparse."""

from __future__ import annotations

import pytest

from motcua.dossiers import audit, events, facts, services
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import intake

pytestmark = pytest.mark.django_db


def test_a_dense_page_is_a_range_and_a_sparse_one_a_list():
    dense = str(events.of_page([10, 11, 12, 14]))
    assert "dossier_id__gte" in dense and "dossier_id__lte" in dense and "__in" not in dense
    sparse = str(events.of_page([10, 500, 9000]))
    assert "dossier_id__in" in sparse


@pytest.fixture
def five(people, procedure):  # type: ignore[no-untyped-def]
    made = []
    for i in range(5):
        d = services.receive_at_desk(people["binh"], intake())
        if i % 2:
            services.request_withdrawal(people["binh"], d, "Rút hồ sơ")
        made.append(Dossier.objects.get(pk=d.pk))
    return made


def _own(dossier: Dossier) -> list[int]:
    return list(DossierEvent.objects.filter(dossier=dossier).order_by("seq").values_list("pk", flat=True))


def test_each_walk_yields_its_own_dossiers_events_only(five):  # type: ignore[no-untyped-def]
    # Every other dossier: a dense page whose range also holds the skipped dossiers' events.
    chosen = Dossier.objects.filter(pk__in=[d.pk for d in five[::2]]).order_by("pk")
    walked = {d.pk: [e.pk for e in evs] for d, evs in audit.with_chains(chosen, page=10)}
    assert walked == {d.pk: _own(d) for d in five[::2]}
    built = {b.row["id"]: [e["kind"] for e in b.events] for b, _ in facts.iter_built([d.pk for d in five[::2]])}
    assert set(built) == {d.pk for d in five[::2]}
    for d in five[::2]:
        relevant = set(facts.RELEVANT_KINDS)
        assert built[d.pk] == [k for k in DossierEvent.objects.filter(dossier=d).order_by("seq")
                               .values_list("kind", flat=True) if k in relevant]
