"""The demo's step for the insight app: the integrity scan over the demo's history, so that the inspector's queue
shows what the nightly job would find, and a first lateness model when none exists, as the daily job would train
it (``motcua insight scan``, ``train`` and ``score``)."""

from __future__ import annotations

from typing import Any

from .integrity import scan
from .models import Flag, LatenessModel
from .prediction import services as prediction
from .prediction.model import NotEnoughHistory


def seed(stdout: Any) -> None:
    # ``make run`` calls the demo on every start: scan once, then leave it to the nightly job.
    if not Flag.objects.exists():
        report = scan.scan()
        stdout.write(f"Integrity scan: {report.created} new flags.\n")
    if LatenessModel.objects.exists():
        return
    try:
        model = prediction.train()
    except NotEnoughHistory as exc:  # too little history to learn from: the queues keep the fixed rule
        stdout.write(f"Lateness model: not trained ({exc}).\n")
        return
    scored = prediction.score()
    stdout.write(f"Lateness model v{model.pk}: {scored} open dossiers scored.\n")
