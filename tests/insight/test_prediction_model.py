"""The lateness model on generated history (seeded): it beats the fixed rule on the dossiers received last,
it learns the same from the same history, its artefact is refused once tampered with, and scoring writes
predictions and nothing to the dossiers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.insight.models import LatenessModel, Prediction
from motcua.insight.prediction import artefact, features, model, services
from motcua.stats.generate import generate

pytestmark = pytest.mark.django_db
END = dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def history(org):  # type: ignore[no-untyped-def]
    generate(2500, agencies=2, first=dt.date(2024, 1, 1), last=dt.date(2025, 12, 31), seed=3, stream=io.StringIO(),
             rebuild=False)


def test_the_model_beats_the_fixed_rule_on_later_dossiers_and_learns_the_same_twice(history):
    snaps = services.training_set()
    assert sum(1 for s in snaps if s.late) > 100
    first = model.fit(snaps, seed=0)
    m = first.metrics
    # Measured on the last 15 % of the dossiers by reception, after the ones learned from and calibrated on.
    assert m["test"] > 500 and 0 < m["test_late_rate"] < 0.2
    assert m["model"]["auc"] > m["rule"]["auc"] + 0.1 and m["model"]["auc"] > 0.75
    assert m["model"]["brier"] < m["rule"]["brier"]
    assert m["model"]["brier"] < m["rule_rates"]["brier"] and m["model"]["auc"] > m["rule_rates"]["auc"]
    # Calibrated: the decile of the highest scores is where the late dossiers are.
    deciles = m["model"]["deciles"]
    assert len(deciles) == 10 and deciles[-1]["observed"] > 3 * m["test_late_rate"]
    again = model.fit(snaps, seed=0)
    assert again.metrics == first.metrics


def test_training_needs_late_and_timely_dossiers(org):
    with pytest.raises(model.NotEnoughHistory):
        model.fit([])


def test_a_test_slice_of_one_kind_trains_nothing_and_changes_nothing(history, monkeypatch):
    # The latest dossiers all timely (a quiet month at the end of the history): the model cannot be measured.
    snaps = services.training_set()
    _train, _calib, test = model.split(snaps)
    last = {id(s) for s in test}
    timely = [dataclasses.replace(s, late=False) if id(s) in last else s for s in snaps]
    with pytest.raises(model.NotEnoughHistory):
        model.fit(timely)
    monkeypatch.setattr(services, "training_set", lambda seed=0: timely)
    with pytest.raises(model.NotEnoughHistory):
        services.train()
    assert not LatenessModel.objects.exists()


def test_train_and_score_write_predictions_and_nothing_to_the_dossiers(history):
    def dossiers() -> list[tuple[object, ...]]:
        return list(Dossier.objects.order_by("pk").values_list("pk", "status", "due_at", "risk_at", "event_count",
                                                               "last_event_hash", "current_step_id"))

    before, events = dossiers(), DossierEvent.objects.count()
    assert services.score(now=END) == 0  # no model: nothing scored, the queues keep the fixed rule
    m = services.train()
    assert m.active and m.metrics["model"]["auc"] > m.metrics["rule"]["auc"]
    scored = services.score(now=END)
    open_ = Dossier.objects.filter(status__in=(3, 4)).count()
    assert 0 < scored <= open_
    assert Prediction.objects.filter(model=m).count() == scored
    p = Prediction.objects.order_by("-probability").first()
    assert p is not None and 0 <= p.probability <= 1 and p.expected_finish is not None and p.expected_finish > END
    assert p.reasons and all({"code", "weight"} <= set(r) for r in p.reasons)
    assert dossiers() == before and DossierEvent.objects.count() == events
    # A second model takes over; scoring again replaces the predictions.
    m2 = services.train(seed=1)
    assert list(LatenessModel.objects.filter(active=True)) == [m2]
    assert services.score(now=END) == scored and not Prediction.objects.filter(model=m).exists()


def test_a_tampered_artefact_is_refused_before_it_is_unpickled(history):
    m = services.train()
    data = bytes(m.artefact)
    assert isinstance(artefact.load(data, m.artefact_hmac), model.Trained)
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0x01
    with pytest.raises(artefact.TamperedArtefact):
        artefact.load(bytes(flipped), m.artefact_hmac)
    # Bytes of someone else's making, with a digest that is not ours, are never loaded either.
    import hashlib
    import pickle

    evil = pickle.dumps({"not": "ours"})
    with pytest.raises(artefact.TamperedArtefact):
        artefact.load(evil, hashlib.sha256(evil).hexdigest())
    LatenessModel.objects.filter(pk=m.pk).update(artefact=bytes(flipped))
    with pytest.raises(artefact.TamperedArtefact):
        services.score(now=END)
    assert not Prediction.objects.exists()


def test_a_snapshot_knows_only_its_instant(history):
    """The features of a snapshot are those known then: a dossier's step and load at an instant before its end
    do not see what happened after."""
    hs = list(features.histories())
    loads = features.load_index(hs)
    from motcua.calendars.clock import from_seconds

    found = None
    for h in hs:
        if h.built.facts.done_at and len(h.steps) == 5 and h.steps[1].started and h.steps[1].ended:
            step2 = h.steps[1]
            at = from_seconds((step2.started + step2.ended) // 2)
            snap = features.snapshot(h, at, loads)
            if snap is not None:  # not waiting for a supplement then
                found = (h, step2, snap)
                break
    assert found is not None
    h, step2, snap = found
    assert snap.values["step_order"] == 2 and snap.values["officer"] == step2.actor_id
    assert snap.values["officer_load"] >= 1 and snap.values["agency_load"] >= 1
    assert 0 < snap.values["share_used"] < 2 and snap.step_name == step2.name
    assert features.snapshot(h, h.built.facts.done_at + dt.timedelta(hours=1), loads) is None


def test_the_commands_train_and_score(history):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("insight", "score", stdout=out)
    assert "Scored 0 open dossier(s)." in out.getvalue()
    call_command("insight", "train", stdout=out)
    assert "Lateness model v" in out.getvalue() and "AUC" in out.getvalue()
    assert LatenessModel.objects.filter(active=True).count() == 1


def test_train_on_a_new_installation_says_there_is_not_enough_history(org):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("insight", "train", stdout=out)
    assert "No model trained: not enough history" in out.getvalue()
    assert not LatenessModel.objects.exists()
