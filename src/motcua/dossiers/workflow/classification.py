"""The one adapter to indicator 2.1 (early / on time / late) of ``motcua.dossiers.timeliness.classify``.

The rule lives below the statistics (``..timeliness``, read by ``motcua.stats`` too); this module only
gathers its inputs for one dossier (through ``..facts``) or for one step, and shapes the answer for the
dossier page, the API and the control sheet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from .. import facts as timeliness_facts
from ..models import Dossier, DossierEvent
from ..timeliness import Classification, DossierFacts, Outcome, classify, judge
from .models import ProcessingStep

LABELS_VI = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def _shape(c: Classification | None) -> dict[str, Any] | None:
    if c is None or not c.counted or c.outcome is None:
        return None
    return {"outcome": c.outcome.value, "finished": c.finished, "end_kind": c.end_kind.value if c.end_kind else None,
            "end_at": c.end_at, "deadline_at": c.deadline_at, "target_at": c.target_at,
            "within_target": c.within_target,
            "supplement_seconds": c.supplement_seconds, "supplement_requests": c.supplement_requests,
            "reason": c.reason}


def classify_dossier(dossier: Dossier, events: list[DossierEvent] | None = None,
                     at: dt.datetime | None = None) -> dict[str, Any] | None:
    """The dossier's class under indicator 2.1 as it stands at ``at`` (default: now)."""
    at = at or timezone.now()
    if events is not None:
        row = {name: getattr(dossier, name) for name in timeliness_facts.DOSSIER_FIELDS}
        relevant = {str(k) for k in timeliness_facts.RELEVANT_KINDS}
        rows = [{"dossier_id": e.dossier_id, "kind": e.kind, "at": e.at, "status_before": e.status_before,
                 "status_after": e.status_after, "reason": e.reason, "data": e.data}
                for e in events if e.kind in relevant]
        built = timeliness_facts.build(row, rows, timeliness_facts.Context())
        facts, target = built.facts, built.target_due
    else:
        facts, target = timeliness_facts.facts_for(dossier)
    return _shape(classify(facts, at, target))


def classify_step(step: ProcessingStep, at: dt.datetime | None = None) -> dict[str, Any] | None:
    """A step's class against its own budget (its due instant), by the same rule (``timeliness.judge``): early
    when it ended on a day before the day its budget runs out, on time by the instant, late after it (the
    *trước hạn / đúng hạn / quá hạn* of the control sheet, form 05/06)."""
    if step.started_at is None or step.outcome == "skipped":
        return None
    facts = DossierFacts(received_at=step.started_at, start_at=step.started_at, promised_at=step.due_at,
                         done_at=step.ended_at)
    return _shape(classify(facts, at or timezone.now(), None))


def hand_over(at: dt.datetime, due: dt.datetime | None) -> Outcome | None:
    """A hand-over at ``at`` against the deadline it answers to, by the one rule (``timeliness.judge``); None
    without a deadline (the control sheet's rows when the dossier has no internal steps)."""
    return None if due is None else judge(at, due)


def label(result: dict[str, Any] | None) -> str:
    return LABELS_VI.get(result["outcome"], "") if result else ""
