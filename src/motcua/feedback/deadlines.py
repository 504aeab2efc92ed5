"""The time limits of a feedback item, from the one clock (``calendars``), and the on-time judgement that
the queue, the item's page and the indicators (766 5.2, 5.3; Circular 01/2018 indicator 8) share.

Limits (domain note ``feedback-pakn.md`` §7), in working days of the receiving agency's calendar:

- forward an item outside the agency's remit: 5 WD from receipt (Decree 20/2008 Art. 9) [law];
- reject an item not accepted: 2 WD after submission or forwarding (the national PAKN system, 766 5.2);
- first request for more information: 5 WD (same);
- handle it, i.e. reach "waiting for publication" (the answer approved) or published: 15 WD (same);
- publish: 2 WD after reaching "waiting for publication" (same).

Each counts whole working days after the day of receipt and ends at the close of the last one
(``POLICY_END_OF_DAY``): an item that arrives on Friday evening has all of its N days, and an item
received on Tết or on a Sunday starts on the next working day. The limits are settings
(``MOTCUA_FEEDBACK_LIMITS``) because they are the national system's, not a decree's, and may change.

A request for more information does not stop the 15-day clock: no source says it does, and the one
extension (with its reason) is how an agency that waits for the sender gets time; it makes the item
"prolonged", which Circular 01/2018 indicator 8 counts against the agency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.calendars import clock
from motcua.calendars import selectors as calendars

from .choices import HANDLED_STATUSES, Status

DEFAULT_LIMITS = {"reject": 2, "forward": 5, "info": 5, "answer": 15, "publish": 2, "extension": 15}

STEP_LABELS = {
    "reject": _("Reject an item not accepted"),
    "forward": _("Forward to the competent agency"),
    "info": _("First request for more information"),
    "answer": _("Answer approved (waiting for publication)"),
    "publish": _("Publish the answer"),
}


def limits() -> dict[str, int]:
    configured = getattr(settings, "MOTCUA_FEEDBACK_LIMITS", None) or {}
    return {**DEFAULT_LIMITS, **{k: int(v) for k, v in configured.items()}}


def due(start: dt.datetime, days: int, agency_code: str | None) -> clock.DueResult:
    """``days`` working days after the day of ``start``, to the close of the last one."""
    return calendars.compute_due(start, days, clock.WORKING_DAYS, clock.POLICY_END_OF_DAY, agency_code)


@dataclass(frozen=True)
class Dues:
    reject: dt.datetime
    forward: dt.datetime
    info: dt.datetime
    answer: dt.datetime


def dues_from(received_at: dt.datetime, agency_code: str | None) -> Dues:
    lim = limits()
    return Dues(*(due(received_at, lim[name], agency_code).due_at for name in ("reject", "forward", "info",
                                                                                "answer")))


def publish_due(approved_at: dt.datetime, agency_code: str | None) -> dt.datetime:
    return due(approved_at, limits()["publish"], agency_code).due_at


@dataclass(frozen=True)
class StepCheck:
    step: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    met: bool | None  # None: not done and not yet due

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self.step])


def steps(item: Any, at: dt.datetime) -> list[StepCheck]:
    """Each limit that applies to the item, judged at ``at``: done in time, done late, not done and past due
    (late), or not done and still in time (None). The 15-day limit is the national one, from the receipt:
    an extension moves the agency's own date but never this one (``original_answer_due``)."""
    i = item  # a FeedbackItem, or any object with its fields (the statistics' rows)
    checks: list[StepCheck] = []

    def judge(step: str, due_at: dt.datetime, done_at: dt.datetime | None) -> None:
        if done_at is not None:
            checks.append(StepCheck(step, due_at, done_at, done_at <= due_at))
        else:
            checks.append(StepCheck(step, due_at, None, False if at > due_at else None))

    status = i.status
    if status == Status.REJECTED:
        judge("reject", i.reject_due, i.rejected_at)
        return checks
    if status == Status.FORWARDED:
        judge("forward", i.forward_due, i.forwarded_at)
        return checks
    if status == Status.MERGED:
        return checks  # the earlier item carries the handling
    if i.info_requested_at is not None:
        judge("info", i.info_due, i.info_requested_at)
    national = i.original_answer_due or i.answer_due
    judge("answer", national, i.approved_at)
    if status in HANDLED_STATUSES and i.publish_due is not None:
        judge("publish", i.publish_due, i.published_at)
    if status == Status.RECEIVED:
        # Not classified yet: the 2-day rejection limit passes silently (an item may still be accepted), but
        # the agency must classify before the 5-day forwarding limit ends for an item outside its remit.
        pass
    return checks


def on_time(item: Any, at: dt.datetime) -> bool:
    """766 indicator 5.2: every applicable step met its limit; an item still in progress is on time while
    (``at`` − receipt) is within the 15 WD, i.e. while no limit has passed undone."""
    return all(check.met is not False for check in steps(item, at))


def late_steps(item: Any, at: dt.datetime) -> list[StepCheck]:
    return [check for check in steps(item, at) if check.met is False]


def work_steps(item: Any, at: dt.datetime) -> list[StepCheck]:
    """The limits the agency works to now: ``steps`` and, while the item is not classified yet, the date to
    reject it by (2 WD; never late by itself: the item may still be accepted) and the date to forward it by
    (5 WD, Decree 20/2008 Art. 9; late once passed, as the agency must know by then whether it is its own).
    The item page shows these and the periodic check flags on them; the indicators judge ``steps``."""
    checks = steps(item, at)
    if item.status == Status.RECEIVED:
        checks = [StepCheck("reject", item.reject_due, None, None),
                  StepCheck("forward", item.forward_due, None, False if at > item.forward_due else None), *checks]
    return checks


def skipped_days(item: Any, step: str) -> list[clock.SkippedDay]:
    """The named days off the clock skipped for ``step``'s limit, to explain the stored date (the stored date
    is the one that counts); empty when the step has not started (publication before approval)."""
    start = item.approved_at if step == "publish" else item.received_at
    if start is None:
        return []
    return list(due(start, limits()[step], item.agency.code).skipped)


def agency_due(item: Any) -> dt.datetime | None:
    """The next date the agency must act by, for the queue: publication once approved, else the answer."""
    status = item.status
    if status == Status.APPROVED:
        return item.publish_due
    if status in (Status.RECEIVED, Status.HANDLING, Status.INFO_REQUESTED, Status.ANSWER_DRAFTED,
                  Status.ANSWER_REVIEWED):
        return item.answer_due
    return None
