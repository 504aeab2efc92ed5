"""Feedback and petitions (PAKN) counted for the indices and the dashboards: Bộ chỉ số 766 indicators 5.2 and
5.3 and the PAKN part of 5.4, Circular 01/2018 indicator 8, and the feedback section of the statistics pages
(domain notes feedback-pakn.md §8 and indices.md §1.2, §2). The rules chosen where the notes are silent are
in docs/stats.md, "Feedback and petitions".

Which items count:

- never a hidden one (the officer's "spam": not a PAKN) nor a merged one (the earlier item it was merged into
  carries the handling and is counted once);
- **handled in the period** (5.2, indicator 8, the on-time rate of the dashboards): received by the end of the
  period and not closed (published, forwarded or rejected) before its start, i.e. received in the period
  plus those received earlier that were still being handled in it, as 766 2.1 counts the dossiers "received
  or processed in the period" [unverified: the 5.2 note does not say];
- **first received in the period** (5.3): received in the period, neither a follow-up (``follow_up_of``: the
  follow-up is the "other complaint about the result" counted against the first item) nor a copy another
  agency of the system forwarded here (``forwarded_from``: it was first received there) [unverified].

Each item is judged as it stood at the end of the period (``judged_at``: its last instant once passed, else
now): what happened later is ignored (``as_of``), so that an item still in progress at the end of the period
is on time while (end − start) ≤ 15 WD (766 5.2), whatever happened to it afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace
from typing import Any

from django.db.models import Q, QuerySet

from motcua.calendars import selectors as calendars
from motcua.feedback import deadlines
from motcua.feedback.choices import Channel, Reaction, Status, Topic
from motcua.feedback.models import FeedbackItem

from . import kpi

# The fields ``deadlines.steps`` reads, and those the counts need.
FIELDS = ("id", "code", "agency_id", "agency__code", "division_id", "field_id", "dossier_id", "channel", "status",
          "topic", "received_at", "rejected_at", "forwarded_at", "info_requested_at", "approved_at",
          "published_at", "reject_due", "forward_due", "info_due", "answer_due", "original_answer_due",
          "publish_due", "extended_at", "reaction", "reacted_at", "follow_up_of_id", "forwarded_from_id")

CLOSING = {Status.PUBLISHED: "published_at", Status.FORWARDED: "forwarded_at", Status.REJECTED: "rejected_at"}


def scoped(unit_ids: frozenset[int] | None, procedure_ids: frozenset[int] | None = None) -> QuerySet[FeedbackItem]:
    """The items of a scope: received by an agency of ``unit_ids`` or routed to one of its divisions; never
    hidden (spam) nor merged."""
    qs = FeedbackItem.objects.filter(hidden=False).exclude(status=Status.MERGED)
    if unit_ids is not None:
        qs = qs.filter(Q(agency_id__in=unit_ids) | Q(division_id__in=unit_ids))
    if procedure_ids is not None:
        qs = qs.filter(procedure_id__in=procedure_ids)
    return qs


def closed_at(item: Any) -> dt.datetime | None:
    name = CLOSING.get(item.status)
    return getattr(item, name) if name else None


def as_of(item: Any, at: dt.datetime) -> SimpleNamespace:
    """The item as it stood at ``at``: every step done after ``at`` undone, and its status put back to the one
    it had then (approved, waiting for publication, if approved by then; else being handled)."""
    row = SimpleNamespace(**{name: getattr(item, name) for name in (
        "status", "received_at", "rejected_at", "forwarded_at", "info_requested_at", "approved_at",
        "published_at", "reject_due", "forward_due", "info_due", "answer_due", "original_answer_due",
        "publish_due", "extended_at")})
    for name in ("rejected_at", "forwarded_at", "info_requested_at", "approved_at", "published_at",
                 "extended_at"):
        value = getattr(row, name)
        if value is not None and value > at:
            setattr(row, name, None)
    closing = CLOSING.get(row.status)
    if (closing and getattr(item, closing) is not None and getattr(item, closing) > at) or (
            row.status == Status.APPROVED and row.approved_at is None):
        row.status = Status.APPROVED if row.approved_at is not None else Status.HANDLING
    if row.approved_at is None:
        row.publish_due = None
    return row


def on_time(item: Any, at: dt.datetime) -> bool:
    """766 5.2 at ``at``: every applicable limit met, an item in progress on time while no limit has passed."""
    return deadlines.on_time(as_of(item, at), at)


def _rows(unit_ids: frozenset[int] | None, procedure_ids: frozenset[int] | None, start: dt.datetime,
          end: dt.datetime) -> list[Any]:
    """Items received by ``end`` and not closed before ``start``, with the ids of those followed up by then."""
    qs = scoped(unit_ids, procedure_ids).filter(received_at__lte=end).exclude(
        Q(status=Status.PUBLISHED, published_at__lt=start) | Q(status=Status.FORWARDED, forwarded_at__lt=start)
        | Q(status=Status.REJECTED, rejected_at__lt=start))
    rows = list(qs.select_related("agency").only(*[f for f in FIELDS if "__" not in f], "agency__code"))
    followed = set(FeedbackItem.objects.filter(
        hidden=False, follow_up_of_id__in=[r.pk for r in rows], received_at__lte=end).values_list(
        "follow_up_of_id", flat=True))
    for r in rows:
        r.followed_up = r.pk in followed  # type: ignore[attr-defined]
    return rows


def handled_in(r: Any, start: dt.datetime, end: dt.datetime) -> bool:
    closed = closed_at(r)
    return r.received_at <= end and (closed is None or closed >= start)


def first_received_in(r: Any, start: dt.datetime, end: dt.datetime) -> bool:
    return start <= r.received_at <= end and r.follow_up_of_id is None and r.forwarded_from_id is None


def working_days(r: Any, end: dt.datetime) -> float:
    cal = calendars.get_calendar(r.agency.code if r.agency_id else None)
    minutes = cal.working_minutes_between(r.received_at, end)
    return float(minutes) / float(cal.hours_per_day * 60)


def counts(unit_ids: frozenset[int] | None, first: dt.date, last: dt.date,
           procedure_ids: frozenset[int] | None = None) -> dict[str, Any]:
    """The counts the indicators read, for the scope and the period [first, last] (local dates)."""
    start, at = kpi.start_instant(first), kpi.judged_at(last)
    rows = _rows(unit_ids, procedure_ids, start, at)
    return counts_from(rows, start, at)


def counts_many(unit_ids: dict[Any, frozenset[int]], first: dt.date, last: dt.date) -> dict[Any, dict[str, Any]]:
    """``counts`` of each subtree of ``unit_ids`` (key → unit ids) from one reading of the period's items (two
    queries whatever the number of agencies: the ranking)."""
    start, at = kpi.start_instant(first), kpi.judged_at(last)
    rows = _rows(None, None, start, at)
    return {key: counts_from([r for r in rows if r.agency_id in ids or r.division_id in ids], start, at)
            for key, ids in unit_ids.items()}


def counts_from(rows: list[Any], start: dt.datetime, at: dt.datetime) -> dict[str, Any]:
    handled = [r for r in rows if handled_in(r, start, at)]
    timely = {r.pk for r in handled if on_time(r, at)}
    prolonged = [r for r in handled if r.extended_at is not None and r.extended_at <= at]
    first = [r for r in rows if first_received_in(r, start, at)]
    dissatisfied = {r.pk for r in first if r.reaction == Reaction.DISSATISFIED
                    and (r.reacted_at is None or r.reacted_at <= at)}
    overdue = {r.pk for r in first if r.pk not in timely}
    followed = {r.pk for r in first if r.followed_up}
    unsatisfied = dissatisfied | overdue | followed
    dossiers = {r.dossier_id for r in rows if r.dossier_id is not None and start <= r.received_at <= at}
    return {
        "handled": len(handled), "on_time": len(timely), "late": len(handled) - len(timely),
        "prolonged": len(prolonged),
        "first_received": len(first), "dissatisfied": len(dissatisfied), "overdue": len(overdue),
        "followed_up": len(followed), "satisfied": len(first) - len(unsatisfied),
        "dossiers_with_pakn": len(dossiers),
    }


def score_8(c: dict[str, Any]) -> int:
    """Circular 01/2018 Art. 13, indicator 8: 2 when none, or 100 % on time and none prolonged; 1 at ≥ 90 % on
    time and none prolonged; 0 otherwise (< 90 %, or any prolonged)."""
    if not c["handled"]:
        return 2
    if c["prolonged"]:
        return 0
    if c["on_time"] == c["handled"]:
        return 2
    return 1 if c["on_time"] * 10 >= c["handled"] * 9 else 0


def substantiated(dossier_ids: list[int]) -> dict[int, set[int] | None]:
    """The dossiers of ``dossier_ids`` about which the leader found a complaint on an officer's conduct
    substantiated (Circular 01/2018 Art. 13 indicator 7: 0 points "when there is a complaint", unless it was
    found false): dossier → the officers the complaint names, or None when it names none (then it counts
    against every officer of the dossier)."""
    out: dict[int, set[int] | None] = {}
    items = (FeedbackItem.objects.filter(dossier_id__in=dossier_ids, topic=Topic.CONDUCT, finding="substantiated",
                                         hidden=False).prefetch_related("officers"))
    for item in items:
        named = {u.pk for u in item.officers.all()}
        key = item.dossier_id
        assert key is not None
        if not named or out.get(key, set()) is None:
            out[key] = None
        else:
            current = out.setdefault(key, set())
            assert current is not None
            current |= named
    return out


# --- The dashboards' feedback section -------------------------------------------------------------------

def _avg(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _group(rows: list[Any], start: dt.datetime, at: dt.datetime, key: str) -> list[dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for r in rows:
        k = getattr(r, key)
        g = out.setdefault(k, {"key": k, "received": 0, "handled": 0, "on_time": 0, "days": []})
        if start <= r.received_at <= at:
            g["received"] += 1
        if handled_in(r, start, at):
            g["handled"] += 1
            g["on_time"] += on_time(r, at)
        if r.approved_at is not None and start <= r.approved_at <= at:
            g["days"].append(working_days(r, r.approved_at))
    return [{**{k: v for k, v in g.items() if k != "days"}, "on_time_rate": kpi.rate(g["on_time"], g["handled"]),
             "avg_working_days": _avg(g["days"])} for g in out.values()]


def dashboard(unit_ids: frozenset[int] | None, first: dt.date, last: dt.date) -> dict[str, Any]:
    """The feedback section of a dashboard: items received in the period by channel and by status, the
    on-time rate (766 5.2), the average working days from receipt to the answer's approval ("waiting for
    publication", the 15-day step) over the items approved in the period, and the same by field and by
    division."""
    from motcua.accounts.models import OrgUnit
    from motcua.catalogue.models import Field

    start, at = kpi.start_instant(first), kpi.judged_at(last)
    rows = _rows(unit_ids, None, start, at)
    c = counts_from(rows, start, at)
    received = [r for r in rows if start <= r.received_at <= at]
    days = [working_days(r, r.approved_at) for r in rows if r.approved_at is not None and start <= r.approved_at <= at]
    fields = dict(Field.objects.filter(pk__in={r.field_id for r in rows if r.field_id}).values_list("pk", "name"))
    divisions = dict(OrgUnit.objects.filter(pk__in={r.division_id for r in rows if r.division_id})
                     .values_list("pk", "name"))
    by_field = sorted(_group(rows, start, at, "field_id"), key=lambda g: (g["key"] is None, fields.get(g["key"], "")))
    by_division = sorted(_group(rows, start, at, "division_id"),
                         key=lambda g: (g["key"] is None, divisions.get(g["key"], "")))
    for g in by_field:
        g["name"] = fields.get(g["key"], "")
    for g in by_division:
        g["name"] = divisions.get(g["key"], "")
    channels = Counter(r.channel for r in received)
    statuses = Counter(r.status for r in received)
    return {
        "received": len(received), **c, "on_time_rate": kpi.rate(c["on_time"], c["handled"]),
        "avg_working_days": _avg(days), "approved": len(days),
        "by_channel": [{"key": k, "label": str(label), "count": channels[k]} for k, label in Channel.choices
                       if channels[k]],
        "by_status": [{"key": k, "label": str(label), "count": statuses[k]} for k, label in Status.choices
                      if statuses[k]],
        "by_field": by_field, "by_division": by_division,
    }
