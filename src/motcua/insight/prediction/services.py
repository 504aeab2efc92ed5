"""Writes of the lateness prediction: train a model from the history (``motcua insight train``) and score every
open dossier with the model in use (``motcua insight score``). Both write only the insight app's tables."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.calendars.clock import from_seconds, to_seconds
from motcua.dossiers.models import Dossier
from motcua.dossiers.timeliness import PROCESSING_STATUSES

from ..models import LatenessModel, Prediction
from . import artefact, features, model

log = logging.getLogger("motcua.insight")
KEEP_MODELS = 3  # the models kept (the one in use and the two before it), for comparison


def training_set(*, seed: int = 0) -> list[features.Snapshot]:
    """The labelled snapshots (``features.training_snapshots``) of the dossiers received in the
    ``MOTCUA_INSIGHT_TRAIN_MONTHS`` months (default 24) before the latest one: recent enough to say how the
    agency works now, and a bounded amount of memory whatever the length of the history."""
    months = int(getattr(settings, "MOTCUA_INSIGHT_TRAIN_MONTHS", 24))
    latest = Dossier.objects.filter(received_at__isnull=False).order_by("-received_at").values_list(
        "received_at", flat=True).first()
    if latest is None:
        return []
    hs = list(features.histories(q=Q(received_at__gte=latest - dt.timedelta(days=round(30.44 * months)))))
    loads = features.load_index(hs)
    return list(features.training_snapshots(hs, loads))


def train(*, seed: int = 0) -> LatenessModel:
    """Learn a model from the history, store it (the artefact with its HMAC) and put it in use. Raises
    ``model.NotEnoughHistory`` when the history is too short to learn and measure (nothing changes then)."""
    import sklearn

    snaps = training_set(seed=seed)
    trained = model.fit(snaps, seed=seed)
    data, mac = artefact.dump(trained)
    received = [s.received_at for s in snaps]
    with transaction.atomic():
        LatenessModel.objects.filter(active=True).update(active=False)
        m = LatenessModel.objects.create(
            library=f"scikit-learn {sklearn.__version__}", examples=len(snaps),
            dossiers=len({s.dossier_id for s in snaps}), history_from=min(received), history_to=max(received),
            metrics=trained.metrics, artefact=data, artefact_hmac=mac, active=True)
        old = LatenessModel.objects.filter(active=False).order_by("-pk").values_list("pk", flat=True)[KEEP_MODELS - 1:]
        LatenessModel.objects.filter(pk__in=list(old)).delete()
    log.info("lateness model v%s trained on %s snapshots: %s", m.pk, len(snaps), trained.metrics.get("model"))
    return m


def threshold() -> float:
    return float(getattr(settings, "MOTCUA_INSIGHT_RISK_THRESHOLD", 0.3))


def predict_open(trained: model.Trained, now: dt.datetime,
                 dossier_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The prediction of every dossier being processed (or of ``dossier_ids``) at ``now``, as plain values."""
    if dossier_ids is None:
        ids = list(Dossier.objects.filter(status__in=PROCESSING_STATUSES, received_at__isnull=False)
                   .order_by("pk").values_list("pk", flat=True))
    else:
        ids = dossier_ids
    hs = list(features.histories(ids))
    loads = features.load_index(hs)
    snaps, cals = [], []
    for h in hs:
        snap = features.snapshot(h, now, loads)
        if snap is not None:
            snaps.append(snap)
            cals.append(h.built.facts.calendar)
    rows = features.matrix(snaps, trained.categories)
    probs = trained.predict(rows)
    remaining = trained.remaining(rows)
    why = model.explain(trained, snaps, rows, probs)
    cut = threshold()
    t = to_seconds(now)
    out = []
    for i, s in enumerate(snaps):
        cal = cals[i]
        assert cal is not None
        finish = from_seconds(cal.add_working_seconds(t, int(remaining[i])))
        out.append({"dossier_id": s.dossier_id, "probability": float(probs[i]), "at_risk": bool(probs[i] >= cut),
                    "expected_finish": finish, "reasons": why[i]})
    return out


def score(*, now: dt.datetime | None = None) -> int:
    """Replace the predictions with those of the model in use for every dossier being processed; return how
    many. Without a model in use nothing is scored and the queues keep the fixed rule."""
    m = LatenessModel.objects.filter(active=True).first()
    if m is None:
        Prediction.objects.all().delete()
        return 0
    trained = artefact.load(m.artefact, m.artefact_hmac)
    now = now or timezone.now()
    values = predict_open(trained, now)
    with transaction.atomic():
        Prediction.objects.all().delete()
        Prediction.objects.bulk_create([Prediction(model=m, scored_at=now, **v) for v in values], batch_size=2000)
    return len(values)
