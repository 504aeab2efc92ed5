"""Every write of the calendar app: overrides (with their CSV import), deadlines and their recompute."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import DomainError
from motcua.core.text import nfc

from . import clock, selectors
from .choices import OverrideKind
from .clock import Calendar, ClockChange, ClockError, ClockState
from .models import CalendarOverride, CalendarRevision, Deadline, WorkingCalendar

# --- Calendar changes ------------------------------------------------------------------------------------

_pending = threading.local()


class _Batch:
    """The calendar changes of one transaction, recomputed together once it commits."""

    def __init__(self) -> None:
        self.everything = False
        self.dates: set[dt.date] = set()


def bump_revision() -> None:
    """Mark every cached calendar stale, in this process and the others (they compare the token)."""
    token = uuid.uuid4().hex
    if not CalendarRevision.objects.filter(pk=1).update(token=token):
        CalendarRevision.objects.update_or_create(pk=1, defaults={"token": token})


def _open_batch() -> _Batch | None:
    """The batch whose on-commit callback is still pending in this transaction, if any."""
    batch: _Batch | None = getattr(_pending, "batch", None)
    if batch is None:
        return None
    pending = transaction.get_connection().run_on_commit
    return batch if any(getattr(func, "calendar_batch", None) is batch for _ids, func, *_rest in pending) else None


def calendar_changed(dates: Sequence[dt.date] | None) -> None:
    """Called when overrides (``dates``) or office hours (None: everything) changed.

    The caches go stale at once; the open deadlines are recomputed by a task once the transaction
    commits, one task per transaction however many rows changed (a CSV import changes many).
    """
    bump_revision()
    batch = _open_batch()
    new = batch is None
    if batch is None:
        batch = _pending.batch = _Batch()
    if dates is None:
        batch.everything = True
    else:
        batch.dates.update(dates)
    if new:
        callback = partial(_enqueue_recompute, batch)
        callback.calendar_batch = batch  # type: ignore[attr-defined]
        transaction.on_commit(callback)


def _enqueue_recompute(batch: _Batch) -> None:
    from .tasks import recompute_deadlines_task

    if getattr(_pending, "batch", None) is batch:
        _pending.batch = None
    selectors.clear_cache()
    recompute_deadlines_task.enqueue(None if batch.everything else sorted(d.isoformat() for d in batch.dates))


# --- Overrides -------------------------------------------------------------------------------------------

def save_override(override: CalendarOverride, user: User | None = None) -> CalendarOverride:
    """Save a row of the override table, recording who changed it."""
    override.name = nfc(override.name).strip()
    override.name_en = nfc(override.name_en).strip()
    override.legal_reference = nfc(override.legal_reference).strip()
    override.note = nfc(override.note)
    if user is not None and user.is_authenticated:
        if override.pk is None:
            override.created_by = user
        override.updated_by = user
    override.save()
    return override


def delete_override(override: CalendarOverride) -> None:
    override.delete()


CSV_FIELDS = ["date", "kind", "name", "name_en", "legal_reference", "note", "calendar"]
_KINDS = {
    "day_off": OverrideKind.DAY_OFF, "nghi": OverrideKind.DAY_OFF, "nghỉ": OverrideKind.DAY_OFF,
    "working_day": OverrideKind.WORKING_DAY, "lam_viec": OverrideKind.WORKING_DAY,
    "làm việc": OverrideKind.WORKING_DAY,
}


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)s, field %(field)s: %(message)s") % {
            "line": self.line, "field": self.field, "message": self.message,
        }


class ImportFailed(DomainError):
    code = "invalid_csv"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("The file has errors; nothing was imported."),
                         details={"errors": [e.__dict__ for e in errors]})
        self.errors = errors


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int


def _parse_date(raw: str) -> dt.date:
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)


def _read_rows(stream: TextIO) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    reader = csv.DictReader(stream)
    errors: list[RowError] = []
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [f for f in ("date", "kind", "name") if f not in header]
    unknown = [f for f in header if f not in CSV_FIELDS]
    if missing or unknown:
        for name in missing:
            errors.append(RowError(1, name, _("This column is missing from the header.")))
        for name in unknown:
            errors.append(RowError(1, name, _("Unknown column.")))
        return [], errors
    units = {c.org_unit.code: c for c in WorkingCalendar.objects.filter(org_unit__isnull=False)
             .select_related("org_unit") if c.org_unit is not None}
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for raw in reader:
        line = reader.line_num
        row = {(k or "").strip(): nfc(v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            errors.append(RowError(line, "-", _("The row has more cells than the header.")))
            continue
        out: dict[str, Any] = {}
        try:
            out["date"] = _parse_date(row.get("date", ""))
            if not clock.FIRST_YEAR <= out["date"].year <= clock.LAST_YEAR:
                raise ValueError
        except ValueError:
            errors.append(RowError(line, "date", _("Write the date as YYYY-MM-DD or DD/MM/YYYY.")))
        kind = _KINDS.get(row.get("kind", "").lower())
        if kind is None:
            errors.append(RowError(line, "kind", _("Use day_off or working_day.")))
        out["kind"] = kind
        if not row.get("name"):
            errors.append(RowError(line, "name", _("Give the name of the day.")))
        for name, limit in (("name", 200), ("name_en", 200), ("legal_reference", 300)):
            if len(row.get(name, "")) > limit:
                errors.append(RowError(line, name, _("At most %(limit)s characters.") % {"limit": limit}))
            out[name] = row.get(name, "")
        out["note"] = row.get("note", "")
        code = row.get("calendar", "")
        out["calendar"] = None
        if code:
            if code not in units:
                errors.append(RowError(line, "calendar", _("No unit with this code has its own calendar.")))
            else:
                out["calendar"] = units[code]
        if "date" in out:
            key = (code, out["date"])
            if key in seen:
                errors.append(RowError(line, "date", _("This date is already on line %(line)s.")
                                       % {"line": seen[key]}))
            seen[key] = line
        parsed.append((line, out))
    return parsed, errors


def import_overrides(stream: TextIO, user: User | None = None) -> ImportReport:
    """Import override rows from CSV (columns ``CSV_FIELDS``); a row for an existing date updates it.

    Every row is checked first; if any is bad, ``ImportFailed`` lists each error (line, field,
    message) and nothing is written.
    """
    rows, errors = _read_rows(stream)
    if errors:
        raise ImportFailed(errors)
    created = updated = 0
    with transaction.atomic():
        for _line, data in rows:
            calendar: WorkingCalendar | None = data["calendar"]
            existing = CalendarOverride.objects.filter(calendar=calendar, date=data["date"]).first()
            row = existing or CalendarOverride(calendar=calendar, date=data["date"])
            for name in ("kind", "name", "name_en", "legal_reference", "note"):
                setattr(row, name, data[name])
            save_override(row, user)
            if existing:
                updated += 1
            else:
                created += 1
    return ImportReport(created, updated)


def export_overrides(stream: Any, year: int | None = None) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    rows = CalendarOverride.objects.select_related("calendar__org_unit").order_by("date", "calendar_id")
    if year:
        rows = rows.filter(date__year=year)
    count = 0
    for o in rows:
        code = o.calendar.org_unit.code if o.calendar and o.calendar.org_unit else ""
        writer.writerow([o.date.isoformat(), o.kind, o.name, o.name_en, o.legal_reference, o.note, code])
        count += 1
    return count


def import_overrides_text(text: str, user: User | None = None) -> ImportReport:
    return import_overrides(io.StringIO(text), user)


# --- Deadlines -------------------------------------------------------------------------------------------

def _state(deadline: Deadline) -> ClockState:
    return ClockState(
        start=deadline.start, amount=Decimal(deadline.amount), unit=deadline.unit, policy=deadline.policy,
        remaining_seconds=deadline.remaining_seconds, paused_at=deadline.paused_at, due_at=deadline.due_at,
        extended=deadline.extended,
    )


def _apply(deadline: Deadline, change: ClockChange) -> Deadline:
    state = change.state
    deadline.start = state.start
    deadline.amount = state.amount
    deadline.remaining_seconds = state.remaining_seconds
    deadline.paused_at = state.paused_at
    deadline.extended = state.extended
    deadline.due_at = change.due_at
    deadline.reason = change.reason
    deadline.save()
    return deadline


def _clock(fn: Any, *args: Any, **kwargs: Any) -> ClockChange:
    try:
        change: ClockChange = fn(*args, **kwargs)
    except ClockError as exc:
        raise DomainError(str(exc), code=exc.code) from exc
    return change


@transaction.atomic
def open_deadline(owner_label: str, owner_id: str | int, start: dt.datetime,
                  amount: Decimal | int | float | str, unit: str, policy: str = clock.POLICY_WORKING_HOURS,
                  agency_code: str = "") -> tuple[Deadline, ClockChange]:
    calendar = selectors.get_calendar(agency_code or None)
    change = _clock(clock.start_clock, calendar, start, amount, unit, policy)
    deadline = Deadline(owner_label=owner_label, owner_id=str(owner_id), unit=unit, policy=policy,
                        agency_code=agency_code or "")
    return _apply(deadline, change), change


def _operate(deadline: Deadline, fn: Any, *args: Any, **kwargs: Any) -> ClockChange:
    if not deadline.is_open:
        raise DomainError(_("This deadline is closed."), code="closed")
    calendar = selectors.get_calendar(deadline.agency_code or None)
    change = _clock(fn, calendar, _state(deadline), *args, **kwargs)
    _apply(deadline, change)
    return change


@transaction.atomic
def pause_deadline(deadline: Deadline, at: dt.datetime) -> ClockChange:
    return _operate(deadline, clock.pause, at)


@transaction.atomic
def resume_deadline(deadline: Deadline, at: dt.datetime) -> ClockChange:
    return _operate(deadline, clock.resume, at)


@transaction.atomic
def restart_deadline(deadline: Deadline, at: dt.datetime) -> ClockChange:
    return _operate(deadline, clock.restart, at)


@transaction.atomic
def extend_deadline(deadline: Deadline, at: dt.datetime, new_due: dt.datetime,
                    require_notice: bool = True) -> ClockChange:
    return _operate(deadline, clock.extend, at, new_due, require_notice=require_notice)


def close_deadline(deadline: Deadline) -> None:
    deadline.is_open = False
    deadline.save(update_fields=["is_open", "updated_at"])


# --- Recompute ---------------------------------------------------------------------------------------------

RECOMPUTE_CHUNK = 5_000


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=clock.VN_TZ)


def affected_deadlines(dates: Iterable[dt.date] | None) -> Any:
    """The running deadlines whose interval (start to due) contains one of ``dates``: only those can move
    (a day after the due instant or before the start plays no part in the computation)."""
    qs = Deadline.objects.running().filter(due_at__isnull=False)
    days = sorted(dates) if dates is not None else None
    if days:
        qs = qs.filter(start__lt=_local_midnight(days[-1] + dt.timedelta(days=1)),
                       due_at__gte=_local_midnight(days[0]))
    return qs


def new_due_seconds(calendar: Calendar, start: int, amount: Decimal, unit: str, policy: str,
                    remaining: int | None) -> int:
    if remaining is None:
        return calendar.due_seconds(start, amount, unit, policy)[1]
    return calendar.add_working_seconds(calendar.next_working_seconds(start), remaining)


def recompute_deadlines(dates: Iterable[dt.date] | None = None, reason: str = clock.REASON_RECOMPUTED) -> int:
    """Recompute the open deadlines a calendar change can affect; return how many moved.

    Rows are read in chunks, the new instants computed in memory, the changed rows written with one
    bulk update per chunk, and ``deadline_changed`` sent for each (with the old and new instant).
    """
    from .signals import deadline_changed

    dates = list(dates) if dates is not None else None
    calendars: dict[str, Calendar] = {}
    fields = ("pk", "start", "amount", "unit", "policy", "agency_code", "remaining_seconds", "due_at")
    rows = affected_deadlines(dates).order_by("pk").values_list(*fields)
    moved = 0
    last_pk = 0
    while True:
        chunk = list(rows.filter(pk__gt=last_pk)[:RECOMPUTE_CHUNK])
        if not chunk:
            return moved
        last_pk = chunk[-1][0]
        changed: dict[int, tuple[dt.datetime, dt.datetime]] = {}
        for pk, start, amount, unit, policy, agency, remaining, due in chunk:
            calendar = calendars.get(agency)
            if calendar is None:
                try:
                    calendar = calendars[agency] = selectors.get_calendar(agency or None)
                except DomainError:
                    calendar = calendars[agency] = selectors.get_calendar(None)
            try:
                new = new_due_seconds(calendar, clock.to_seconds(start), Decimal(amount), unit, policy, remaining)
            except ClockError:
                continue
            if new != clock.to_seconds(due):
                changed[pk] = (due, clock.from_seconds(new))
        if not changed:
            continue
        now = timezone.now()
        with transaction.atomic():
            objs = Deadline.objects.in_bulk(list(changed))
            for pk, (_old, new_due) in changed.items():
                objs[pk].due_at = new_due
                objs[pk].reason = reason
                objs[pk].updated_at = now
            Deadline.objects.bulk_update(list(objs.values()), ["due_at", "reason", "updated_at"], batch_size=1000)
            iso = [d.isoformat() for d in dates] if dates is not None else None
            for pk, (old_due, new_due) in changed.items():
                deadline_changed.send(sender=Deadline, deadline=objs[pk], old_due=old_due, new_due=new_due,
                                      reason=reason, dates=iso)
        moved += len(changed)
