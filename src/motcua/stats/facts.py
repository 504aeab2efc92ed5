"""``DossierFact`` rows, from the facts of indicator 2.1 that ``motcua.dossiers.facts`` builds, in bulk.

**Which unit a dossier is credited to** (the fact's ``processing_unit``, behind every breakdown by unit, the
dashboards of a division and the report of one): the dossier's processing unit is the agency; its work is
done in a division. A dossier is credited to the division of the **last step of its internal process that
has started outside the one-stop desk** (highest order, the latest of equal order): the step's own unit
when the step is placed at a division, else the division of the officer who holds it or held it last (a
step placed at the agency, taken by an officer of a division). A dossier with no such step (still at the
desk, or processed by the leader alone) stays with its processing unit: the agency's "not through a
division" row. Since a division lies under its agency, every total of the agency is unchanged. Steps change
with dossier events, so the facts follow them (``rollups.refresh_rollups_for``). docs/stats.md says the
same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone

from motcua.accounts.choices import UnitKind
from motcua.calendars.clock import HOUR, from_seconds, to_seconds
from motcua.dossiers import events
from motcua.dossiers.choices import Channel, EventKind
from motcua.dossiers.facts import FAR_FUTURE, Built, Context, iter_built
from motcua.dossiers.models import Attachment, DossierDocument, HeldDocument
from motcua.dossiers.timeliness import Classification, EndKind, classify
from motcua.dossiers.workflow.models import ProcessingStep
from motcua.dossiers.workflow.services import DESK_ROLES

__all__ = ["Context", "fact_rows"]


CHUNK = 2000


def _credited(ids: list[int]) -> dict[int, int]:
    """Dossier id → the division it is credited to (module docstring), for the dossiers that have one (and maybe
    for a few others between them: ``events.of_page``)."""
    out: dict[int, int] = {}
    steps = (ProcessingStep.objects.filter(events.of_page(ids), started_at__isnull=False).exclude(role__in=DESK_ROLES)
             .order_by("dossier_id", "order", "id")
             .values_list("dossier_id", "unit_id", "unit__kind", "actor__unit_id", "actor__unit__kind"))
    for dossier_id, unit_id, unit_kind, actor_unit_id, actor_unit_kind in steps:
        if unit_kind == UnitKind.DIVISION:
            out[dossier_id] = unit_id  # in order: the last one wins
        elif actor_unit_kind == UnitKind.DIVISION and actor_unit_id is not None:
            out[dossier_id] = actor_unit_id
    return out


def _fact_row(b: Built, ctx: Context, reused: bool, filed: bool = False,
              credited: int | None = None, from_store: bool = False) -> dict[str, Any] | None:
    """The ``DossierFact`` row of a dossier as plain values (written with ``core.bulk.insert_rows``)."""
    d, facts = b.row, b.facts
    if facts.received_at is None:
        return None
    final: Classification = classify(facts, FAR_FUTURE, b.target_due)
    ended_at = next((m for m in (facts.done_at, facts.returned_at, facts.stopped_at) if m is not None), None)
    cal = facts.calendar
    assert cal is not None
    promised = facts.promised_at or facts.legal_due_at
    first = facts.supplements[0] if facts.supplements else None
    second = facts.supplements[1] if len(facts.supplements) > 1 else None
    deadline_shifted = promised
    if first is not None and first.completed_at is not None:
        deadline_shifted = classify(facts, first.completed_at, b.target_due).deadline_at
    risk_at = None
    # At risk from one working day before the date the dossier is judged by (after a supplement, the date
    # its clock gave then: the officer's date).
    if deadline_shifted is not None and facts.start_at is not None:
        total = cal.working_seconds_between(to_seconds(facts.start_at), to_seconds(deadline_shifted))
        lead = int(cal.hours_per_day * HOUR)
        risk_at = from_seconds(cal.add_working_seconds(to_seconds(facts.start_at), max(0, total - lead)))
    work_days = None
    kind = ""
    if ended_at is not None:
        kind = (EndKind.DONE if facts.done_at else EndKind.RETURNED if facts.returned_at else EndKind.STOPPED).value
        if kind != EndKind.STOPPED and facts.start_at is not None:
            seconds = cal.working_seconds_between(to_seconds(facts.start_at), to_seconds(ended_at))
            work_days = max(0, seconds - final.supplement_seconds) / float(cal.hours_per_day * HOUR)
    mode = ctx.online_mode(d["procedure_id"])
    online = d["channel"] == Channel.ONLINE
    apologised = any((e["kind"] == EventKind.CLOCK and e["reason"] == "extended") or (
        e["kind"] == EventKind.FORM_ISSUED and (e["data"] or {}).get("role") == "apology") for e in b.events)
    return {
        "dossier_id": d["id"], "receiving_unit_id": d["receiving_unit_id"],
        # The unit credited with the processing (module docstring): a division, else the processing unit.
        "processing_unit_id": credited or d["processing_unit_id"], "procedure_id": d["procedure_id"],
        "status": d["status"],
        "channel": d["channel"], "online": online, "fully_online": online and mode == "full",
        # A fee is due at receipt, or one was asked and paid later (``paid_online`` is set when a payment is
        # confirmed): the dossier carries a non-zero fee either way (766 3.5, 3.6: DanhSachLePhi).
        "eligible_full": mode == "full", "reused_data": reused, "from_store": from_store,
        "has_fee": (d["fees_due_vnd"] or 0) > 0 or d.get("paid_online") is not None,
        "paid_online": d.get("paid_online"), "e_result": d.get("digitised_result"), "apologised": apologised,
        # 766 4.2: files on the dossier's components and an electronic result.
        "digitised": filed and d.get("digitised_result") is True,
        "received_at": facts.received_at, "received_day": timezone.localdate(facts.received_at),
        "start_at": facts.start_at, "promised_at": promised, "target_at": b.target_due,
        "supplements": len(facts.supplements), "supp1_req_at": first.requested_at if first else None,
        "supp1_done_at": first.completed_at if first else None,
        "supp2_req_at": second.requested_at if second else None, "deadline_shifted": deadline_shifted,
        "risk_at": risk_at, "end_at": ended_at, "end_day": timezone.localdate(ended_at) if ended_at else None,
        "end_kind": kind, "end_class": final.outcome.value if ended_at is not None and final.outcome else "",
        "within_target": final.within_target if ended_at is not None else None,
        "work_days": work_days,
    }


def _rows(batch: list[tuple[Built, bool]], ctx: Context) -> Iterator[dict[str, Any]]:
    """The rows of ``batch``, with one query for which of its dossiers have files on their components and one
    for the divisions they are credited to. Each reads the page by ``events.of_page`` (its ids' range when it is
    dense): on a freshly loaded history not yet analysed, the list of 2,000 ids was planned as a parallel scan of
    every processing step (1.1 s a page at a million dossiers), which made the rebuild about three times slower;
    the lookups below are by the batch's own ids."""
    if not batch:
        return
    ids = [b.row["id"] for b, _reused in batch]
    page = events.of_page(ids)
    filed = set(Attachment.objects.filter(page, document__isnull=False)
                .values_list("dossier_id", flat=True).distinct())
    credited = _credited(ids)
    # 766 4.4: a component taken from the holder's documents, or the result kept in them.
    store = set(DossierDocument.objects.filter(page, reused_from__isnull=False)
                .values_list("dossier_id", flat=True)) | set(
        HeldDocument.objects.filter(page).values_list("dossier_id", flat=True))
    for built, reused in batch:
        row = _fact_row(built, ctx, reused, built.row["id"] in filed, credited.get(built.row["id"]),
                        built.row["id"] in store)
        if row is not None:
            yield row


def fact_rows(dossier_ids: Iterable[int] | None = None, ctx: Context | None = None,
              pk_range: tuple[int, int] | None = None) -> Iterator[dict[str, Any]]:
    ctx = ctx or Context()
    batch: list[tuple[Built, bool]] = []
    for item in iter_built(dossier_ids, ctx=ctx, pk_range=pk_range):
        batch.append(item)
        if len(batch) >= CHUNK:
            yield from _rows(batch, ctx)
            batch = []
    yield from _rows(batch, ctx)


