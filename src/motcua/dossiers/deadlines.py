"""The dossier's legal clock, entirely from ``motcua.calendars`` (DESIGN.md "One clock"): nothing here
adds days to dates. The clock state is stored on the dossier as JSON (``Dossier.clock``)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from motcua.calendars import clock as cal
from motcua.calendars import selectors as calendars
from motcua.catalogue.choices import ClockStart
from motcua.core.errors import DomainError

_memo = threading.local()


def get_calendar(agency_code: str | None = None) -> cal.Calendar:
    """The agency's working calendar (``motcua.calendars``); inside ``calendars_fixed()`` looked up once."""
    memo: dict[str | None, cal.Calendar] | None = getattr(_memo, "calendars", None)
    if memo is None:
        return calendars.get_calendar(agency_code)
    if agency_code not in memo:
        memo[agency_code] = calendars.get_calendar(agency_code)
    return memo[agency_code]


@contextmanager
def calendars_fixed() -> Iterator[None]:
    """Within a batch (the demo, the tick) the calendars do not change: look each one up once."""
    _memo.calendars = {}
    try:
        yield
    finally:
        _memo.calendars = None


def compute_due(start: dt.datetime, amount: Decimal, unit: str, policy: str,
                agency_code: str | None) -> cal.DueResult:
    try:
        return get_calendar(agency_code).compute_due(start, amount, unit, policy)
    except cal.ClockError as exc:
        raise DomainError(str(exc), code=exc.code) from exc


def legal_time(snapshot: dict[str, Any], variant: str = "") -> tuple[Decimal, str, str] | None:
    """The time limit of the version snapshot: its amount, or the case ``variant`` for a limit that depends
    on the case; None for a procedure without one (a result given at once)."""
    version = snapshot.get("version", {})
    policy = version.get("deadline_policy") or cal.POLICY_WORKING_HOURS
    variants = version.get("time_variants") or []
    if variant:
        for item in variants:
            if item["label"] == variant:
                return Decimal(str(item["amount"])), item["unit"], policy
        raise DomainError(_("The procedure has no time limit for this case."), code="unknown_time_variant",
                          details={"cases": [v["label"] for v in variants]})
    limit = version.get("legal_time")
    if limit and limit.get("amount") is not None:
        return Decimal(str(limit["amount"])), limit["unit"], policy
    if variants:
        raise DomainError(_("The time limit of this procedure depends on the case: choose one."),
                          code="time_variant_required", details={"cases": [v["label"] for v in variants]})
    return None


RECEIPT = "receipt"
# A dossier of a procedure received regardless of administrative boundary at a centre that is not the competent
# agency's: its time counts from the competent agency's receipt, the transfer's arrival (Decree 118/2025 Art.
# 17(3) as amended by Decree 309/2026; dossier-lifecycle.md §9), recorded by ``services.transfer``.
ARRIVAL = "competent_receipt"


def event_label(event: str) -> str:
    """The name of the event a time limit counts from, in the reader's language."""
    if event == ARRIVAL:
        return str(_("Receipt by the competent agency"))
    return str(ClockStart(event).label) if event in ClockStart.values else event


def clock_event(snapshot: dict[str, Any]) -> str:
    """The event the version's time limit counts from: "receipt" (the receipt of the complete dossier,
    Decree 118/2025 Art. 17(3) as amended by Decree 309/2026), or a later event that sector law names and an
    officer records (``catalogue.choices.ClockStart``: the notice of a CCHN's evaluation result, Decree
    212/2026 Arts. 30-31). A snapshot taken before versions named one counts from the receipt."""
    return str((snapshot.get("version") or {}).get("clock_start") or RECEIPT)


def waits_for(dossier: Any) -> str:
    """The later event a received dossier's time limit waits for ("" when its clock runs or has run)."""
    state = dossier.clock or {}
    return "" if state.get("start") else str(state.get("waits_for") or "")


def state_to_json(state: cal.ClockState) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {"start": iso(state.start), "amount": str(state.amount), "unit": state.unit, "policy": state.policy,
            "remaining_seconds": state.remaining_seconds, "paused_at": iso(state.paused_at),
            "due_at": iso(state.due_at), "extended": state.extended}


def state_from_json(data: dict[str, Any]) -> cal.ClockState:
    def parse(value: str | None) -> dt.datetime | None:
        return dt.datetime.fromisoformat(value) if value else None

    start = parse(data["start"])
    assert start is not None
    return cal.ClockState(start, Decimal(data["amount"]), data["unit"], data["policy"], data.get("remaining_seconds"),
                          parse(data.get("paused_at")), parse(data.get("due_at")), bool(data.get("extended")))


def start(at: dt.datetime, limit: tuple[Decimal, str, str],
          agency_code: str | None) -> tuple[dict[str, Any], dt.datetime]:
    """Start the clock at ``at``; a start outside working hours counts from the next working period
    (the calendar's effective start)."""
    calendar = get_calendar(agency_code)
    try:
        change = cal.start_clock(calendar, at, limit[0], limit[1], limit[2])
    except cal.ClockError as exc:
        raise DomainError(str(exc), code=exc.code) from exc
    assert change.due_at is not None
    return state_to_json(change.state), change.due_at


def effective_start(at: dt.datetime, agency_code: str | None) -> dt.datetime:
    return get_calendar(agency_code).next_working_instant(at)


def transfer_due(received_at: dt.datetime, agency_code: str | None, cutoff: str = "15:00") -> dt.datetime:
    """When a dossier received at the desk must reach the processing unit: the same working day, or the
    start of the next one when received after 15:00 (Decree 61/2018 Art. 18; Decree 118/2025 Art. 18(2) as
    amended by Decree 309/2026 Art. 9)."""
    hour, minute = (int(part) for part in cutoff.split(":"))
    return cal.transfer_deadline(get_calendar(agency_code), received_at, dt.time(hour, minute)).deadline


def pause(state: dict[str, Any], at: dt.datetime, agency_code: str | None) -> dict[str, Any]:
    change = cal.pause(get_calendar(agency_code), state_from_json(state), at)
    return state_to_json(change.state)


def restart(state: dict[str, Any], at: dt.datetime, agency_code: str | None) -> tuple[dict[str, Any], dt.datetime]:
    """The full legal time counts again when the complete dossier arrives (Decree 61/2018 Art. 19(4))."""
    change = cal.restart(get_calendar(agency_code), state_from_json(state), at)
    assert change.due_at is not None
    return state_to_json(change.state), change.due_at


def resume(state: dict[str, Any], at: dt.datetime, agency_code: str | None) -> tuple[dict[str, Any], dt.datetime]:
    """The working time left at the pause continues from ``at`` (a version whose supplement rule is
    "pause")."""
    change = cal.resume(get_calendar(agency_code), state_from_json(state), at)
    assert change.due_at is not None
    return state_to_json(change.state), change.due_at


def extend(state: dict[str, Any], at: dt.datetime, new_due: dt.datetime,
           agency_code: str | None) -> dict[str, Any]:
    """A new promised date, once (Decree 61/2018 Art. 19(9)). The notice rule (one working day before the
    due date) is checked by the caller on the working calendar (``apology_deadline``)."""
    try:
        change = cal.extend(get_calendar(agency_code), state_from_json(state), at, new_due, require_notice=False)
    except cal.ClockError as exc:
        raise DomainError(str(exc), code=exc.code, status=409) from exc
    return state_to_json(change.state)


def working_days_after(start: dt.datetime, days: Decimal | int, agency_code: str | None) -> dt.datetime:
    """The instant ``days`` working days after ``start`` (to the working hour), from the legal clock."""
    return compute_due(start, Decimal(days), cal.WORKING_DAYS, cal.POLICY_WORKING_HOURS, agency_code).due_at


def whole_working_days_end(event_at: dt.datetime, days: int, agency_code: str | None) -> dt.datetime:
    """The end of a period of ``days`` whole working days after an event: the day of the event is not counted
    (Civil Code 2015 Art. 147(1)) and the period ends at 24:00 of its last day (Art. 148), here the ``days``-th
    working day after the day of the event on the agency's calendar. A window the agency must act within
    (the supplement request during appraisal, Decree 61/2018 Art. 19(4)) is counted so, not as ``days`` × 8
    working hours from the instant of the event."""
    calendar = get_calendar(agency_code)
    try:
        last = calendar.nth_working_day_after(cal.to_local(event_at).date(), days)
    except cal.ClockError as exc:
        raise DomainError(str(exc), code=exc.code) from exc
    return cal.from_seconds((cal.day_index(last) + 1) * cal.DAY)


def apology_deadline(due_at: dt.datetime, agency_code: str | None) -> dt.datetime:
    """The latest instant for the apology letter: the close of the last working day before the due date
    ("chậm nhất 01 ngày trước ngày hết hạn", Decree 61/2018 Art. 19(9), read as one working day)."""
    calendar = get_calendar(agency_code)
    midnight = cal.day_index(cal.to_local(due_at).date()) * cal.DAY
    return cal.from_seconds(calendar.add_working_seconds(midnight, -1) + 1)


def planned_seconds(amount: Decimal | None, unit: str, agency_code: str | None) -> int:
    """A step budget as working seconds (a budget in calendar days counts as that many working days)."""
    if amount is None or not unit:
        return 0
    calendar = get_calendar(agency_code)
    return calendar.working_seconds_for(Decimal(amount), cal.WORKING_DAYS if unit == cal.DAYS else unit)


def add_working(start: dt.datetime, seconds: int, agency_code: str | None) -> dt.datetime:
    """``start`` moved by ``seconds`` of working time (negative: back), on the legal clock."""
    calendar = get_calendar(agency_code)
    return cal.from_seconds(calendar.add_working_seconds(cal.to_seconds(start), seconds))


def working_seconds_between(a: dt.datetime, b: dt.datetime, agency_code: str | None) -> int:
    calendar = get_calendar(agency_code)
    return calendar.working_seconds_between(cal.to_seconds(a), cal.to_seconds(b))


def explain(dossier: Any) -> cal.DueResult | None:
    """The legal clock's answer for the dossier's running clock (its start, amount and unit): the promised
    instant with the days off skipped, shown on the dossier page; None when the clock is not running."""
    state = dossier.clock or {}
    if not state.get("start") or state.get("amount") is None:
        return None
    unit = dossier.processing_unit
    try:
        return compute_due(dt.datetime.fromisoformat(state["start"]), Decimal(str(state["amount"])),
                           state.get("unit", ""), state.get("policy") or cal.POLICY_WORKING_HOURS,
                           (unit.agency() or unit).code)
    except DomainError:
        return None
