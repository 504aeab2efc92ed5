"""Indicator 2.1 of Bộ chỉ số 766: is a dossier early, on time or late? (domain note indices.md §1.2, "2.1
on-time rules"; the VPCP formula description as reproduced by third parties [secondary]).

The one public entry point, kept stable for the dossier pages and the control sheet::

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
5. **Supplement time** (completed − requested) is subtracted (rule 5): measured in working time on the
   calendar when one is given (the DESIGN's "one clock"), else in elapsed time; the promised date and
   the internal target are moved later by that much, which is the same test as
   "end − start − supplement time ≤ promised − start".
6. **On time** when the end ≤ the promised date (``NgayKetThucXuLy ≤ NgayHenTra``, rule 1); without a
   promised date, ``facts.legal_due_at`` (start + the legal maximum, from the calendar) stands in for it
   (rule 7); with neither (a result given at once) the dossier is on time.
7. **Early** when a finished dossier (done or returned; a stopped one is at best on time) ended by the
   internal target ``target_due`` (the procedure version's target time from the clock start, computed
   by ``motcua.calendars``); without a target nothing is early.

The promised date is the one printed on the receipt (``facts.promised_at``). Whether an apology letter's
new date replaces it for 766 is not stated by the sources; the builder in ``motcua.dossiers.facts`` keeps the date of
the receipt (see docs/stats.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from motcua.calendars.clock import Calendar, from_seconds, to_seconds


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
    deadline_at: dt.datetime | None = None  # the promised date moved by the supplement time
    target_at: dt.datetime | None = None  # the internal target moved by the supplement time
    supplement_seconds: int = 0  # subtracted waiting time (working seconds with a calendar)
    supplement_requests: int = 0
    reason: str = ""

    @property
    def on_time_or_early(self) -> bool:
        return self.outcome in (Outcome.EARLY, Outcome.ON_TIME)


NOT_COUNTED = Classification(counted=False)


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
    # Rule 4: waiting for a supplement at the end instant: judged at the request.
    waited = 0
    for s in requests:
        done = _le(s.completed_at, end)
        if done is None:
            end_kind, end, finished = EndKind.SUPPLEMENT, s.requested_at, False
            break
        waited += _wait_seconds(facts, s.requested_at, done)
    count = sum(1 for s in requests if s.requested_at <= end)
    deadline = shift(facts, facts.promised_at or facts.legal_due_at, waited)
    target = shift(facts, target_due, waited)
    base = {"counted": True, "finished": finished, "end_kind": end_kind, "end_at": end, "deadline_at": deadline,
            "target_at": target, "supplement_seconds": waited, "supplement_requests": count}
    if count > 1:  # Rule 6
        return Classification(outcome=Outcome.LATE, reason="second_supplement", **base)  # type: ignore[arg-type]
    if deadline is None:
        return Classification(outcome=Outcome.ON_TIME, reason="no_deadline", **base)  # type: ignore[arg-type]
    if end > deadline:
        return Classification(outcome=Outcome.LATE, reason="after_deadline", **base)  # type: ignore[arg-type]
    if end_kind in (EndKind.DONE, EndKind.RETURNED) and target is not None and end <= target:
        return Classification(outcome=Outcome.EARLY, reason="by_target", **base)  # type: ignore[arg-type]
    return Classification(outcome=Outcome.ON_TIME, reason="by_deadline", **base)  # type: ignore[arg-type]
