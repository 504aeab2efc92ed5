"""Every write of the calendar app: overrides (with their CSV import), and the announce of calendar changes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core import revisions
from motcua.core.errors import DomainError
from motcua.core.text import nfc

from . import clock, selectors
from .choices import OverrideKind
from .models import CalendarOverride, CalendarRevision, ScheduleYear, WorkingCalendar

logger = logging.getLogger(__name__)

# --- Calendar changes ------------------------------------------------------------------------------------

_pending = threading.local()

# The key of a change to the national schedule (an override row without a calendar): every calendar.
EVERY_CALENDAR = None


class _Batch:
    """The calendar changes of one transaction, announced together once it commits.

    ``days`` maps a calendar id (``EVERY_CALENDAR`` for the national schedule) to the changed dates, or to
    None when its office hours changed (every date may count differently).
    """

    def __init__(self) -> None:
        self.days: dict[int | None, set[dt.date] | None] = {}
        self.user: User | None = None


def bump_revision() -> None:
    """Mark every cached calendar stale, in this process and the others (they compare the token)."""
    revisions.bump(CalendarRevision)


def _open_batch() -> _Batch | None:
    """The batch whose on-commit callback is still pending in this transaction, if any."""
    batch: _Batch | None = getattr(_pending, "batch", None)
    if batch is None:
        return None
    pending = transaction.get_connection().run_on_commit
    return batch if any(getattr(func, "calendar_batch", None) is batch for _ids, func, *_rest in pending) else None


def _batch() -> _Batch:
    batch = _open_batch()
    if batch is None:
        batch = _pending.batch = _Batch()
        callback = partial(_announce, batch)
        callback.calendar_batch = batch  # type: ignore[attr-defined]
        transaction.on_commit(callback)
    return batch


def calendar_changed(calendar_id: int | None, dates: Sequence[dt.date] | None, user: User | None = None) -> None:
    """The one door of every calendar change: overrides of ``calendar_id`` (None: the national schedule) on
    ``dates``, or its office hours (``dates`` None). Every path ends here (the admin, ``motcua calendar
    import``, the services below), through the model signals in ``signals.py``.

    The caches go stale at once; ``signals.working_days_changed`` is sent once the transaction commits,
    once per calendar however many rows changed (a CSV import changes many), so that the apps above
    (the dossiers) move their open deadlines (DESIGN.md "One clock").
    """
    bump_revision()
    batch = _batch()
    if user is not None and getattr(user, "is_authenticated", False):
        batch.user = user
    if dates is None:
        batch.days[calendar_id] = None
        return
    known = batch.days.setdefault(calendar_id, set())
    if known is not None:
        known.update(dates)


def _announce(batch: _Batch) -> None:
    from .signals import working_days_changed

    if getattr(_pending, "batch", None) is batch:
        _pending.batch = None
    selectors.clear_cache()
    for calendar_id, days in batch.days.items():
        # The change has committed: a failing listener is logged, it cannot undo the change nor the others.
        answers = working_days_changed.send_robust(sender=CalendarOverride, calendar_id=calendar_id,
                                                   days=sorted(days) if days is not None else None, user=batch.user)
        for listener, answer in answers:
            if isinstance(answer, Exception):
                logger.error("Calendar change: %s failed", listener, exc_info=answer)


@contextmanager
def changed_by(user: User | None) -> Iterator[None]:
    """Record ``user`` as the author of the calendar changes made inside (the admin's delete goes through
    the model, not through ``save_override``)."""
    with transaction.atomic():
        if user is not None and getattr(user, "is_authenticated", False):
            _batch().user = user
        yield


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
    with changed_by(user):
        override.save()
    return override


def delete_override(override: CalendarOverride, user: User | None = None) -> None:
    with changed_by(user):
        override.delete()


# --- Confirmed yearly schedules ------------------------------------------------------------------------------

def save_schedule_year(row: ScheduleYear, user: User | None = None) -> ScheduleYear:
    """Mark a year's official public-sector schedule as entered (it changes no working day: the days are in the
    override table or the package), recording who confirmed it."""
    row.legal_reference = nfc(row.legal_reference).strip()
    row.note = nfc(row.note)
    if user is not None and user.is_authenticated:
        row.updated_by = user
    row.full_clean()
    row.save()
    return row


def delete_schedule_year(row: ScheduleYear) -> None:
    row.delete()


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
