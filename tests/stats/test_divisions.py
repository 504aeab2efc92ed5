"""Issue 14 item 3: divisions are credited with their dossiers (stats/facts.py: the division of the last
started step outside the desk, the step's own or its officer's), so the agency's table by division is not
all zeros beside "not through a division", and a division's dashboard counts its dossiers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import services as wf
from motcua.stats import selectors
from motcua.stats.forms import Period
from motcua.stats.models import DossierFact

from .conftest import at

pytestmark = pytest.mark.django_db
MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31), "")


def _rows(org):  # type: ignore[no-untyped-def]
    rows = selectors.by_unit(org["sxd"], selectors.children_of(org["sxd"]), MARCH)
    return {("own" if r["own"] else r["unit"].code): r for r in rows}


def test_a_dossier_is_credited_to_the_division_of_the_officer_who_took_its_step(life, procedure, org, people,
                                                                                 django_capture_on_commit_callbacks):
    taken = life.transfer(at(3, 9, minute=30), life.receive(at(3)))
    waiting = life.transfer(at(3, 9, minute=40), life.receive(at(3, 9, minute=10)))
    at_desk = life.receive(at(3, 9, minute=20))  # not yet handed to the processing unit
    with time_machine.travel(at(3, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        wf.claim(people["cuong"], Dossier.objects.get(pk=taken.pk))
    division = org["division"]
    assert DossierFact.objects.get(pk=taken.pk).processing_unit_id == division.pk
    assert DossierFact.objects.get(pk=at_desk.pk).processing_unit_id == org["sxd"].pk
    rows = _rows(org)
    credited = rows[division.code]
    assert (credited["received"], credited["in_progress"], credited["processed"]) == (1, 1, 1)
    # The others stay with the agency itself ("not through a division"); every total is the agency's.
    # (The default process places "a specialist" at the agency: until someone takes it, no division holds it.)
    assert DossierFact.objects.get(pk=waiting.pk).processing_unit_id == org["sxd"].pk
    assert rows["own"]["in_progress"] == 2
    assert sum(r["in_progress"] for r in rows.values()) == 3
    # The division head's dashboard counts the division's dossier; the drill-down lists it.
    figures = selectors.kpis(selectors.scope_of(division), MARCH)["summary"]
    assert (figures["received"], figures["in_progress"]) == (1, 1)
    behind = selectors.dossiers_behind(selectors.scope_of(division, "processing"), "in_progress", MARCH.first,
                                       MARCH.last)
    assert [d.pk for d in behind] == [taken.pk]
