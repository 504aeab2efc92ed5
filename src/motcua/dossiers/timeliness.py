"""Early, on time or late: the one rule, and indicator 2.1 of Bộ chỉ số 766 built on it (domain notes
indices.md §1.2 "2.1 on-time rules" [secondary: the VPCP formula description as reproduced by third
parties] and lessons-from-peers.md §3; docs/stats.md "Early, on time, late").

**The rule** (``judge``), for a dossier, a step or a hand-over against its due instant:

- **early** (*trước hạn*): it ended, with a result, on a day before the day of its due instant (local
  dates in Asia/Ho_Chi_Minh: an office ends its work on a working day, so in practice a working day
  before the due day);
- **on time** (*đúng hạn*): otherwise it ended by the due instant (``NgayKetThucXuLy ≤ NgayHenTra``);
- **late** (*quá hạn*): it ended after the due instant.

This is how the control sheet (Phiếu kiểm soát, Circular 01/2018 form 05 / Circular 03/2025 form 06:
*trước hạn / đúng hạn / quá hạn*) and the register's return columns read, what Circular 01/2018 Art. 13
indicator 1 scores ("shorter than the legal time" 2, "equal" 1, "longer" 0) and what a department's
"≥ 90 % early" target measures. An internal target shorter than the legal time (the procedure version's
``target_time``) is a separate, optional measure: ``Classification.within_target``.

The public entry point of indicator 2.1, kept stable for the dossier pages and the control sheet::

    classify(facts: DossierFacts, at: datetime, target_due: datetime | None) -> Classification

It is a pure function: it reads only ``facts`` (plain values, plus an optional in-memory working
calendar, ``motcua.calendars.clock.Calendar``, which does arithmetic and no database access) and judges
the dossier **as it stood at the instant** ``at`` (events after ``at`` are ignored), so the same facts
judged at the end of different periods give the class of each period.

Rules, in the order they are applied:

1. A dossier counts only once accepted (``received_at`` set and ≤ ``at``); a withdrawn dossier counts
   only if it had been accepted (rule 3).
2. **End of processing** is the first that applies: processing done (status 9), result returned
   (status 10), stopped (status 8) (rule 2). A dossier still open at ``at`` is judged at ``at`` (rule 8:
   the end of the period is used as the end).
3. A dossier **waiting for a supplement** at its end instant is judged at the **request** instant
   (rule 4).
4. **More than one supplement request** (made after acceptance, up to the end instant) ⇒ **late**
   (rule 6).
5. **After a supplement** the dossier is judged by the date its own clock gave when the complete dossier
   arrived (``Supplement.due_after``: the full legal time again from then, Decree 61/2018 Art. 19(4), or
   the time left at the pause, as the dossier's rules say) — the date the officer is shown is the date
   the dossier is judged by ("one clock"). Where the facts carry no such date (imported or generated
   rows), the supplement time (completed − requested) is subtracted (rule 5): the promised date is moved
   later by it, in working time on the calendar when one is given, else in elapsed time. The internal
   target moves as far as the promised date moved.
6. **On time / late** against that date (rule 1); without a promised date, ``facts.legal_due_at`` (start
   + the legal maximum, from the calendar) stands in for it (rule 7); with neither (a result given at
   once) the dossier is on time.
7. **Early** by the rule above, for a dossier done or returned; a stopped dossier is at best on time (it
   produced no result), and so is an open one or one waiting for a supplement.

The promised date is the one printed on the receipt (``facts.promised_at``). Whether an apology letter's
new date replaces it for 766 is not stated by the sources; the builder in ``motcua.dossiers.facts`` keeps
the date of the receipt (see docs/stats.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q

from motcua.calendars.clock import Calendar, from_seconds, to_local, to_seconds

from .choices import Status


class Outcome(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class EndKind(StrEnum):
    DONE = "done"
    RETURNED = "returned"
    STOPPED = "stopped"
    SUPPLEMENT = "supplement"  # judged at a pending supplement request (rule 4)
    OPEN = "open"  # still in progress at ``at`` (rule 8)


@dataclass(frozen=True)
class Supplement:
    """A supplement request made after acceptance (DVCQG ``DanhSachHoSoBoSung``: ``NgayBoSung``,
    ``NgayTiepNhanBoSung``)."""

    requested_at: dt.datetime
    completed_at: dt.datetime | None = None
    # The promised date the dossier's own clock gave when the complete dossier arrived (restarted or
    # resumed, by the dossier's rules); None where the facts do not carry it (imported, generated rows).
    due_after: dt.datetime | None = None


@dataclass(frozen=True)
class DossierFacts:
    """What indicator 2.1 needs of one dossier. Build it with ``motcua.dossiers.facts.facts_for``."""

    received_at: dt.datetime | None
    start_at: dt.datetime | None = None
    promised_at: dt.datetime | None = None
    legal_due_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    supplements: tuple[Supplement, ...] = ()
    calendar: Calendar | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Classification:
    counted: bool
    outcome: Outcome | None = None
    finished: bool = False
    end_kind: EndKind | None = None
    end_at: dt.datetime | None = None
    deadline_at: dt.datetime | None = None  # the promised date, as a supplement moved it
    target_at: dt.datetime | None = None  # the internal target, moved as far as the promised date
    # Done or returned by the internal target (a separate, optional measure); None without a target or
    # without a result.
    within_target: bool | None = None
    supplement_seconds: int = 0  # subtracted waiting time (working seconds with a calendar)
    supplement_requests: int = 0
    reason: str = ""

    @property
    def on_time_or_early(self) -> bool:
        return self.outcome in (Outcome.EARLY, Outcome.ON_TIME)


NOT_COUNTED = Classification(counted=False)


def judge(end: dt.datetime, due: dt.datetime | None, *, result: bool = True) -> Outcome:
    """The one rule (module docstring): **early** when something that ended with a result (``result``)
    ended on a day before the day of ``due``; **on time** when it ended by ``due`` otherwise; **late** after
    it. Without a due instant nothing is late. Days are local (Asia/Ho_Chi_Minh)."""
    if due is None:
        return Outcome.ON_TIME
    if end > due:
        return Outcome.LATE
    if result and to_local(end).date() < to_local(due).date():
        return Outcome.EARLY
    return Outcome.ON_TIME


def _le(value: dt.datetime | None, at: dt.datetime) -> dt.datetime | None:
    return value if value is not None and value <= at else None


def _wait_seconds(facts: DossierFacts, requested: dt.datetime, completed: dt.datetime) -> int:
    if facts.calendar is None:
        return int((completed - requested).total_seconds())
    return max(0, facts.calendar.working_seconds_between(to_seconds(requested), to_seconds(completed)))


def shift(facts: DossierFacts, moment: dt.datetime | None, seconds: int) -> dt.datetime | None:
    """``moment`` moved later by ``seconds`` of supplement time (working time on the calendar)."""
    if moment is None or seconds <= 0:
        return moment
    if facts.calendar is None:
        return moment + dt.timedelta(seconds=seconds)
    cal = facts.calendar
    # Count the working time from the deadline itself; a deadline at the close of a working day moves
    # into the next working period, never by elapsed night hours.
    return from_seconds(cal.add_working_seconds(to_seconds(moment), seconds)).astimezone(moment.tzinfo)


def _moved(facts: DossierFacts, old: dt.datetime, new: dt.datetime) -> int:
    """How far a due instant moved from ``old`` to ``new``: working seconds on the calendar, else elapsed."""
    if facts.calendar is None:
        return int((new - old).total_seconds())
    return facts.calendar.working_seconds_between(to_seconds(old), to_seconds(new))


def classify(facts: DossierFacts, at: dt.datetime, target_due: dt.datetime | None) -> Classification:
    """The class of the dossier under indicator 2.1 as it stood at ``at``. See the module docstring."""
    received = _le(facts.received_at, at)
    if received is None:
        return NOT_COUNTED
    # Rule 2: end-time precedence (done, returned, stopped); rule 8: still open, judged at ``at``.
    end_kind, end = EndKind.OPEN, at
    for kind, moment in ((EndKind.DONE, facts.done_at), (EndKind.RETURNED, facts.returned_at),
                         (EndKind.STOPPED, facts.stopped_at)):
        if _le(moment, at) is not None:
            end_kind, end = kind, moment  # type: ignore[assignment]
            break
    finished = end_kind in (EndKind.DONE, EndKind.RETURNED, EndKind.STOPPED)
    requests = sorted((s for s in facts.supplements if received <= s.requested_at <= end),
                      key=lambda s: s.requested_at)
    deadline, target = facts.promised_at or facts.legal_due_at, target_due
    # Rule 4: waiting for a supplement at the end instant: judged at the request.
    waited = 0
    for s in requests:
        done = _le(s.completed_at, end)
        if done is None:
            end_kind, end, finished = EndKind.SUPPLEMENT, s.requested_at, False
            break
        wait = _wait_seconds(facts, s.requested_at, done)
        waited += wait
        if s.due_after is not None:
            # One clock: the date the dossier's own clock gave (restart or pause) is the one it is judged by.
            moved = _moved(facts, deadline, s.due_after) if deadline is not None else wait
            deadline = s.due_after
        else:  # Rule 5: the supplement time is subtracted.
            moved = wait
            deadline = shift(facts, deadline, wait)
        target = shift(facts, target, moved)
    count = sum(1 for s in requests if s.requested_at <= end)
    result = end_kind in (EndKind.DONE, EndKind.RETURNED)
    if count > 1:  # Rule 6
        outcome, reason = Outcome.LATE, "second_supplement"
    elif deadline is None:
        outcome, reason = Outcome.ON_TIME, "no_deadline"
    else:
        outcome = judge(end, deadline, result=result)
        reason = {Outcome.LATE: "after_deadline", Outcome.EARLY: "before_due_day"}.get(outcome, "by_deadline")
    # The internal target, a separate measure: a result by the target (and never a late one).
    within = None if target is None or not result else (outcome != Outcome.LATE and end <= target)
    return Classification(counted=True, outcome=outcome, finished=finished, end_kind=end_kind, end_at=end,
                          deadline_at=deadline, target_at=target, within_target=within,
                          supplement_seconds=waited, supplement_requests=count, reason=reason)


# --- overdue now: the one definition of every screen ----------------------------------------------------
#
# A dossier is **overdue** (*quá hạn*) when it is still being processed and the promised return date has
# passed: the date of the receipt (Decree 61/2018 Art. 19(9) and Decree 118/2025: the promised date is what
# the agency answers for), as a supplement restarted or resumed the clock, and never the new date of an
# apology letter (``original_due_at`` keeps the date it replaced; 766 2.1 counts an apologised dossier late).
# It is the dossier's date, not a step's: a step past its own budget is "a step overdue", said as such. The
# queue's count and badge, the dossier page and the statistics (``motcua.stats.kpi.late_at_q`` on the same
# instants) use it; the statistics judge a period that has not ended at the present instant.
#
# Still being processed: received and not yet ended (rule 2 above: processing done, result returned or
# stopped end it), whatever the status, reception included. A dossier waiting for a supplement has its clock
# paused (``due_at`` empty): not overdue.
PROCESSING_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED,
                       Status.WITHDRAWAL_REQUESTED)


def promised_for_overdue(due_at: dt.datetime | None, original_due_at: dt.datetime | None) -> dt.datetime | None:
    """The promised date a dossier is overdue against: the one before an apology's new date, else the current."""
    return original_due_at or due_at


def is_overdue(status: int, due_at: dt.datetime | None, original_due_at: dt.datetime | None,
               now: dt.datetime, supplements: int = 0) -> bool:
    """Whether a dossier with these fields is overdue at ``now`` (see above). ``supplements``: the supplement
    requests made during processing; a second one makes the dossier late whatever its dates (766 rule 6, rule 4
    of ``classify`` above), as the statistics count it. The services refuse a second request (Decree 118/2025:
    once), so only imported or generated dossiers carry one."""
    if status not in PROCESSING_STATUSES:
        return False
    promised = promised_for_overdue(due_at, original_due_at)
    return supplements > 1 or (promised is not None and promised < now)


def overdue_q(now: dt.datetime, prefix: str = "") -> Q:
    """``is_overdue`` as a filter on dossiers (``prefix``: the path to the dossier, e.g. ``"dossier__"``)."""
    return Q(**{f"{prefix}status__in": PROCESSING_STATUSES}) & (
        Q(**{f"{prefix}original_due_at__lt": now})
        | Q(**{f"{prefix}original_due_at__isnull": True, f"{prefix}due_at__lt": now})
        | Q(**{f"{prefix}processing_supplements__gt": 1}))
