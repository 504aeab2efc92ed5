"""Who may (re)assign an open step (``workflow.services.assign``): a division head, the steps they oversee in
their work queue (``workflow.selectors._division_q``, Decree 61/2018 Art. 19) — those of their division, and
a step placed at the agency that nobody holds yet or that an officer of their division holds — and then only
to an officer of their own division. The queue and the right to assign follow the one rule."""

from __future__ import annotations

import json

import pytest
from django.db.models import F
from django.test import Client

from motcua.accounts import services as accounts_services
from motcua.accounts.choices import Role
from motcua.core.errors import DomainError, PermissionDenied
from motcua.dossiers import services
from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.workflow import selectors as wf_selectors
from motcua.dossiers.workflow import services as wf
from motcua.dossiers.workflow.models import ProcessingStep

from .conftest import fresh, intake, officer, queue_codes

pytestmark = pytest.mark.django_db


def _in_progress(people) -> Dossier:  # type: ignore[no-untyped-def]
    """Default steps: the specialist's step sits at the agency (Sở Xây dựng), open to each of its divisions."""
    return services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))


def _current(d: Dossier) -> ProcessingStep:
    d.refresh_from_db()
    return ProcessingStep.objects.select_related("unit").get(pk=d.current_step_id)


@pytest.fixture
def khoa(org):  # type: ignore[no-untyped-def]
    """A specialist of the other division of Sở Xây dựng."""
    return officer("khoa", "Trịnh Văn Khoa", org["division2"])


@pytest.fixture
def held(procedure, people, org) -> Dossier:  # type: ignore[no-untyped-def]
    """A dossier whose appraisal step, placed at the agency, Cường (of Dung's division) took."""
    d = _in_progress(people)
    wf.claim(people["cuong"], Dossier.objects.get(pk=d.pk))
    step = _current(d)
    assert step.unit_id == org["sxd"].pk and step.actor_id == people["cuong"].pk
    return Dossier.objects.get(pk=d.pk)


# --- allowed ----------------------------------------------------------------------------------------------

def test_the_head_reassigns_an_agency_step_held_by_a_specialist_of_the_division(held, people, em):
    assert held.code in queue_codes(people["dung"])
    step = wf.assign(fresh(people["dung"]), held, em)
    assert step.actor_id == em.pk and step.assigned_by_id == people["dung"].pk
    held.refresh_from_db()
    assert held.assigned_to_id == em.pk
    event = DossierEvent.objects.filter(dossier=held).order_by("-seq").first()
    assert event is not None and event.kind == EventKind.ASSIGNED
    assert event.data["officer"] == "em" and event.data["previous"] == "cuong"
    assert held.code in queue_codes(em) and held.code not in queue_codes(people["cuong"])
    assert held.code in queue_codes(people["dung"])  # still overseen: held by an officer of the division


def test_the_head_assigns_an_agency_step_nobody_holds_to_a_specialist_of_the_division(procedure, people, head2):
    d = _in_progress(people)
    assert d.code in queue_codes(people["dung"]) and d.code in queue_codes(head2)
    wf.assign(fresh(people["dung"]), Dossier.objects.get(pk=d.pk), people["cuong"])
    assert _current(d).actor_id == people["cuong"].pk
    # From then on it is the division's: the other head neither sees it nor may reassign it.
    assert d.code not in queue_codes(head2)


def test_through_the_api(held, people, em, head2, khoa, token_for):
    def act(token: str, officer: str):  # type: ignore[no-untyped-def]
        return Client().post(f"/api/v1/dossiers/{held.code}/actions/assign", json.dumps({"officer": officer}),
                             content_type="application/json", HTTP_AUTHORIZATION=token)

    other_head = "Bearer " + accounts_services.create_token(head2, "test")[1]
    response = act(other_head, "khoa")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    response = act(token_for("dung"), "khoa")
    assert response.status_code == 400 and response.json()["error"]["details"]["fields"][0]["field"] == "officer"
    assert _current(held).actor_id == people["cuong"].pk
    assert act(token_for("dung"), "em").status_code == 200
    assert _current(held).actor_id == em.pk


# --- refused ----------------------------------------------------------------------------------------------

def _unchanged(held: Dossier, people) -> None:  # type: ignore[no-untyped-def]
    step = _current(held)
    assert step.actor_id == people["cuong"].pk and step.assigned_by_id is None
    assert not DossierEvent.objects.filter(dossier=held, kind=EventKind.ASSIGNED).exists()


def test_the_head_of_another_division_may_not_reassign_it(held, people, head2, khoa):
    assert held.code not in queue_codes(head2)
    with pytest.raises(PermissionDenied) as caught:
        wf.assign(fresh(head2), held, khoa)
    assert caught.value.code == "forbidden"
    _unchanged(held, people)


def test_not_to_an_officer_of_another_division(held, people, khoa):
    """Khoa may work on a step placed at the agency (his division is in it) but is not of Dung's division."""
    with pytest.raises(DomainError) as caught:
        wf.assign(fresh(people["dung"]), held, khoa)
    assert caught.value.code == "invalid_input"
    assert caught.value.details["fields"][0]["field"] == "officer"
    assert caught.value.message == "Cán bộ này không được xử lý bước này."
    _unchanged(held, people)


def test_not_to_an_officer_of_another_agency(held, people):
    with pytest.raises(DomainError):
        wf.assign(fresh(people["dung"]), held, people["khanh"])
    _unchanged(held, people)


def test_not_by_someone_without_the_right_to_assign(held, people, em):
    for who in ("cuong", "giang", "binh"):
        with pytest.raises(PermissionDenied):
            wf.assign(fresh(people[who]), held, em)
    _unchanged(held, people)


def test_a_step_held_by_another_divisions_specialist_is_not_the_heads(procedure, people, khoa, em):
    d = _in_progress(people)
    wf.claim(khoa, Dossier.objects.get(pk=d.pk))
    with pytest.raises(PermissionDenied):
        wf.assign(fresh(people["dung"]), Dossier.objects.get(pk=d.pk), em)
    assert _current(d).actor_id == khoa.pk


def test_a_division_heads_step_held_by_the_other_head_is_not_overseen(procedure, people, head2):
    """The review step ("Xem xét, trình ký") sits at the agency too: each head may take it while it is free;
    once Dung holds it, the other head neither sees it nor may hand it on."""
    d = _in_progress(people)
    wf.claim(people["cuong"], Dossier.objects.get(pk=d.pk))
    wf.transfer_step(people["cuong"], Dossier.objects.get(pk=d.pk))
    review = _current(d)
    assert review.role == Role.DIVISION_HEAD and review.actor_id is None
    assert d.code in queue_codes(people["dung"]) and d.code in queue_codes(head2)
    wf.claim(fresh(people["dung"]), Dossier.objects.get(pk=d.pk))
    assert d.code in queue_codes(people["dung"]) and d.code not in queue_codes(head2)
    with pytest.raises(PermissionDenied):
        wf.assign(fresh(head2), Dossier.objects.get(pk=d.pk), head2)
    assert _current(d).actor_id == people["dung"].pk


# --- one rule -----------------------------------------------------------------------------------------------

def test_the_head_may_assign_exactly_the_current_steps_of_the_queue(procedure, people, em, khoa, head2):
    free, by_cuong, by_em, by_khoa = (_in_progress(people) for _ in range(4))
    wf.claim(people["cuong"], Dossier.objects.get(pk=by_cuong.pk))
    wf.claim(em, Dossier.objects.get(pk=by_em.pk))
    wf.claim(khoa, Dossier.objects.get(pk=by_khoa.pk))
    current = list(ProcessingStep.objects.filter(open=True, pk=F("dossier__current_step_id")).order_by("id"))
    assert len(current) == 4
    for head in (people["dung"], head2):
        overseen = {s.dossier.code for s in wf_selectors.overseen_steps(fresh(head), current)}
        assert overseen == queue_codes(head)
    assert queue_codes(people["dung"]) == {free.code, by_cuong.code, by_em.code}
    assert queue_codes(head2) == {free.code, by_khoa.code}
