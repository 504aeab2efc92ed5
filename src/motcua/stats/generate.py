"""A realistic, deterministic history of dossiers for dashboards, tests and the benchmark
(``motcua generate --dossiers N [--agencies K] [--from DATE --to DATE] [--seed S]``).

What it makes, per dossier, with ``random.Random(seed)``: an arrival on a working day (fewer around
Tết in January-February, more in the fourth quarter), within working hours; a channel (online 55 %,
desk 40 %, post 5 %); 3 % refused at intake; acceptance with the promised date from the working
calendar; transfer; 9 % a supplement during processing (1 % a second one, which only imported data
can carry: the dossier services refuse it), after which the legal time restarts as the services restart
it (Decree 61/2018 Art. 19(4)); 2 % withdrawn and stopped; processing taking a log-normal share of the
legal time, the spread of a well-run department: about 88 % done a working day or more before the
promised day (early), 4-5 % after it (late), half of those with an apology extending the date; the result
returned 0-3 working days later; dossiers whose next step falls after ``--to`` stay open there.

Rows are inserted in batches as plain values (``motcua.core.bulk``: the ids are reserved first so that
each event chain is hashed before anything is written; ``motcua audit verify`` passes), then
``rollups.rebuild`` computes the statistics. Run it on a database nobody else writes to meanwhile.

Left out (documented in docs/stats.md): the dossier documents and attachments, ratings, payments and
electronic results (the dossier model records none of them yet), and the procedure snapshot and
rule set are abridged (``{"generated": true}``), so generated dossiers print no legal forms.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction

from motcua.accounts import services as accounts
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.calendars.clock import DAY, HOUR, Calendar, from_seconds, to_seconds
from motcua.calendars.selectors import get_calendar
from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core import bulk
from motcua.dossiers import events as chain
from motcua.dossiers import partitions
from motcua.dossiers.choices import Channel, EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent

from . import rollups

LEGAL_DAYS = (1, 3, 5, 7, 10, 15, 20, 30)
MONTH_WEIGHT = {1: 0.8, 2: 0.6, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0, 7: 1.0, 8: 0.95, 9: 1.0, 10: 1.1, 11: 1.15,
                12: 1.2}
NAMES = ("Cấp giấy phép xây dựng", "Điều chỉnh giấy phép xây dựng", "Gia hạn giấy phép xây dựng",
         "Thẩm định báo cáo nghiên cứu khả thi", "Cấp chứng chỉ hành nghề", "Cấp giấy phép di dời công trình",
         "Thẩm định thiết kế xây dựng", "Cấp giấy phép quy hoạch", "Công nhận hạng nhà chung cư",
         "Cấp bản sao chứng chỉ hành nghề")


def _progress(stream: Any) -> Callable[[str, int, int], None]:
    def show(label: str, done: int, total: int) -> None:
        stream.write(f"\r{label}: {done}/{total}")
        if done >= total:
            stream.write("\n")
        stream.flush()
    return show


def _fixture_units(k: int) -> tuple[list[OrgUnit], User]:
    """``k`` agencies (the existing ones first, then generated ones under the province), each with a
    desk, and the officer who signs the generated events."""
    province = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk").first()
    if province is None:
        province = accounts.save_unit(OrgUnit(name="UBND tỉnh (dữ liệu sinh)", code="G.H00", kind=UnitKind.PROVINCE))
    agencies = list(OrgUnit.objects.filter(kind=UnitKind.AGENCY).order_by("pk")[:k])
    for i in range(len(agencies), k):
        agencies.append(accounts.save_unit(OrgUnit(parent=province, name=f"Sở thử nghiệm {i + 1:02d}",
                                                   code=f"G.S{i + 1:02d}", kind=UnitKind.AGENCY)))
    user = User.objects.filter(username="generator").first()
    if user is None:
        user = User.objects.create_user(username="generator", password=None, full_name="Dữ liệu sinh tự động",
                                        unit=agencies[0])
        accounts.assign_role(user, Role.DESK_OFFICER, agencies[0])
    return agencies, user


def _procedures(agency: OrgUnit, rng: random.Random, count: int = 8) -> list[tuple[Procedure, ProcedureVersion]]:
    out = []
    existing = list(Procedure.objects.filter(agency=agency).order_by("pk")[:count])
    for p in existing:
        v = p.versions.filter(status="published").order_by("-valid_from").first()
        if v is not None and v.legal_time_amount is not None and v.legal_time_unit:
            out.append((p, v))
    for i in range(len(out), count):
        code = f"G.{agency.code}.{i + 1:02d}"
        found = Procedure.objects.filter(code=code).first()
        if found is not None:
            p = found
        else:
            name = f"{NAMES[i % len(NAMES)]} ({agency.short_name or agency.name})"
            p = Procedure.objects.create(code=code, name=name, agency=agency, for_individuals=True,
                                         online_mode=rng.choice(["full", "full", "partial"]))
            days = rng.choice(LEGAL_DAYS)
            ProcedureVersion.objects.create(
                procedure=p, label="Dữ liệu sinh", valid_from=dt.date(2015, 1, 1), status="published",
                legal_time_amount=Decimal(days), legal_time_unit="working_days",
                target_time_amount=Decimal(max(1, round(days * 0.7))), target_time_unit="working_days")
        v = p.versions.order_by("-valid_from").first()
        assert v is not None
        out.append((p, v))
    return out


class _Chain:
    """Events of one dossier with the hash chain of ``motcua.dossiers.events``, as plain rows."""

    def __init__(self, dossier_id: int, actor_id: int, first_id: int) -> None:
        self.dossier_id, self.actor_id, self.next_id = dossier_id, actor_id, first_id
        self.rows: list[dict[str, Any]] = []
        self.prev = ""

    def add(self, kind: str, at: dt.datetime, before: int | None = None, after: int | None = None,
            reason: str = "", data: dict[str, Any] | None = None) -> None:
        payload = chain.plain(data or {})
        seq = len(self.rows) + 1
        kid, ring = chain.keyring()  # keyed like every new event (a plain SHA-256 event is only ever an old one)
        h = chain.digest(dossier_id=self.dossier_id, seq=seq, kind=kind, actor_id=self.actor_id, at=at,
                         status_before=before, status_after=after, reason=reason, data=payload, prev_hash=self.prev,
                         key=ring[kid])
        self.rows.append({"id": self.next_id, "dossier_id": self.dossier_id, "seq": seq, "kind": kind,
                          "actor_id": self.actor_id, "at": at, "status_before": before, "status_after": after,
                          "reason": reason, "data": payload, "prev_hash": self.prev, "hash": h, "key_id": kid})
        self.next_id += 1
        self.prev = h


def _working_day_list(cal: Calendar, first: dt.date, last: dt.date) -> list[dt.date]:
    out, day = [], first
    while day <= last:
        if cal.is_working_day(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def generate(n: int, agencies: int = 3, first: dt.date | None = None, last: dt.date | None = None, seed: int = 1,
             stream: Any = sys.stderr, batch: int = 2000, rebuild: bool = True) -> int:
    """Generate ``n`` dossiers received between ``first`` and ``last``; return how many were made."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    last = last or dt.date(2025, 12, 31)
    first = first or dt.date(last.year, 1, 1)
    show = _progress(stream)
    with transaction.atomic():
        units, user = _fixture_units(agencies)
        desks = {}
        for a in units:
            desk = OrgUnit.objects.filter(parent=a, kind=UnitKind.DESK).first() or accounts.save_unit(
                OrgUnit(parent=a, name=f"Bộ phận Một cửa {a.name}", code=f"{a.code}.MC", kind=UnitKind.DESK))
            desks[a.pk] = desk
        catalogue = [(a, p, v) for a in units for p, v in _procedures(a, rng)]
    # On PostgreSQL, the months of the history get their own event partitions rather than the default one.
    partitions.ensure(ahead=0, today=last, since=first)
    cal = get_calendar(None)
    days = _working_day_list(cal, first, last)
    weights = [MONTH_WEIGHT[d.month] for d in days]
    end_of_time = to_seconds(dt.datetime.combine(last, dt.time(23, 59), tzinfo=from_seconds(0).tzinfo))
    made = 0
    counters: dict[tuple[str, dt.date], int] = {}
    agency_cal = {a.pk: get_calendar(a.code) for a in units}
    while made < n:
        size = min(batch, n - made)
        arrivals = sorted(rng.choices(days, weights=weights, k=size))
        plans = [_plan(rng, day, catalogue, agency_cal, desks, counters, end_of_time) for day in arrivals]
        with transaction.atomic():
            dossier_id = bulk.reserve_ids(Dossier)
            event_id = bulk.reserve_ids(DossierEvent)
            evs: list[dict[str, Any]] = []
            for i, p in enumerate(plans):
                row = p["dossier"]
                c = _Chain(dossier_id + i, user.pk, event_id + len(evs))
                for e in p["events"]:
                    c.add(*e)
                evs.extend(c.rows)
                row.update(id=dossier_id + i, event_count=len(c.rows), last_event_hash=c.prev)
            bulk.insert_rows(Dossier, [p["dossier"] for p in plans])
            bulk.insert_rows(DossierEvent, evs)
            bulk.reset_sequences(Dossier, DossierEvent)
        made += size
        show("dossiers", made, n)
    if rebuild:
        facts = rollups.rebuild(progress=lambda c: show("statistics", c, made))
        # Dossiers refused at intake have no statistics fact: say where the count ended.
        stream.write(f"\rstatistics: {facts} facts for {made} dossiers\n")
        stream.flush()
    return made


class _Row(dict[str, Any]):
    """A dossier row as plain values, written with attribute syntax like the model it feeds."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


def _plan(rng: random.Random, day: dt.date, catalogue: list[tuple[OrgUnit, Procedure, ProcedureVersion]],
          agency_cal: dict[int, Calendar], desks: dict[int, OrgUnit], counters: dict[tuple[str, dt.date], int],
          horizon: int) -> dict[str, Any]:
    agency, procedure, version = rng.choice(catalogue)
    cal = agency_cal[agency.pk]
    periods = cal.periods_of(day) or ((8 * HOUR, 17 * HOUR),)
    lo, hi = periods[0][0], periods[-1][1]
    day_s = (day.toordinal() - dt.date(1970, 1, 1).toordinal()) * DAY
    submitted_s = day_s + rng.randrange(lo, hi)
    channel = rng.choices([Channel.ONLINE, Channel.DESK, Channel.POST], [55, 40, 5])[0]
    submitted = from_seconds(submitted_s)
    fees = rng.choice([0, 0, 100_000, 150_000, 500_000])
    d = _Row(reference=f"G{rng.getrandbits(60):015X}", procedure_id=procedure.pk, procedure_version_id=version.pk,
             snapshot={"generated": True, "procedure": {"code": procedure.code, "name": procedure.name},
                       "version": {"id": version.pk}},
             rules={"generated": True}, receiving_unit_id=desks[agency.pk].pk, processing_unit_id=agency.pk,
             channel=channel, status=Status.NEW, applicant_kind="individual", applicant_name="Người nộp thử nghiệm",
             subject=procedure.name[:1000], submitted_at=submitted, fees_due_vnd=fees, search_folded="",
             processing_supplements=0)
    ev: list[tuple[Any, ...]] = []
    if rng.random() < 0.03:  # refused at intake
        d.status, d.refused_at = Status.NOT_RECEIVED, submitted
        ev.append((EventKind.CREATED, submitted, None, Status.NOT_RECEIVED, "Hồ sơ không đủ điều kiện",
                   {"channel": channel, "procedure": procedure.code}))
        return {"dossier": d, "events": ev}
    amount = Decimal(version.legal_time_amount or 5)
    unit = version.legal_time_unit or "working_days"
    start_s, due_s = cal.due_seconds(submitted_s, amount, unit, version.deadline_policy or "working_hours")
    legal = cal.working_seconds_between(start_s, due_s)
    key = (agency.code, day)
    counters[key] = counters.get(key, 0) + 1
    d.code = f"{agency.code}-{day:%y%m%d}-G{counters[key]:05d}"
    d.received_at, d.clock_start_at, d.due_at = submitted, from_seconds(start_s), from_seconds(due_s)
    d.status = Status.RECEIVED
    ev.append((EventKind.CREATED, submitted, None, Status.RECEIVED, "",
               {"channel": channel, "procedure": procedure.code, "code": d.code, "received_at": submitted,
                "clock_start_at": d.clock_start_at, "due_at": d.due_at}))
    t = cal.add_working_seconds(start_s, rng.randrange(600, 4 * HOUR))

    def at(s: int) -> dt.datetime:
        return from_seconds(s)

    if t > horizon:
        return {"dossier": d, "events": ev}
    ev.append((EventKind.STATUS_CHANGED, at(t), Status.RECEIVED, Status.IN_PROGRESS, "", {}))
    d.status, d.transferred_at = Status.IN_PROGRESS, at(t)
    if rng.random() < 0.02:  # withdrawn and stopped
        t = cal.add_working_seconds(t, rng.randrange(HOUR, max(2 * HOUR, legal // 2)))
        if t > horizon:
            return {"dossier": d, "events": ev}
        ev.append((EventKind.STATUS_CHANGED, at(t), Status.IN_PROGRESS, Status.WITHDRAWAL_REQUESTED, "", {}))
        ev.append((EventKind.STATUS_CHANGED, at(t), Status.WITHDRAWAL_REQUESTED, Status.STOPPED, "", {}))
        d.status, d.stopped_at, d.processing_ended_at = Status.STOPPED, at(t), at(t)
        return {"dossier": d, "events": ev}
    share = math.exp(rng.gauss(math.log(0.55), 0.35))  # of the legal time; ~4 % over 1
    work = int(legal * share)
    base = start_s  # where the legal time runs from: the clock start, or its restart after a supplement
    supplements = 2 if rng.random() < 0.01 else 1 if rng.random() < 0.09 else 0
    for _ in range(supplements):
        t = cal.add_working_seconds(t, max(HOUR, int(work * rng.uniform(0.1, 0.3))))
        if t > horizon:
            return {"dossier": d, "events": ev}
        ev.append((EventKind.CLOCK, at(t), None, None, "paused", {"due_before": d.due_at}))
        ev.append((EventKind.STATUS_CHANGED, at(t), Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, "",
                   {"phase": "processing"}))
        d.status, d.due_at = Status.SUPPLEMENT_REQUESTED, None  # the clock waits, as the services leave it
        d.processing_supplements += 1
        t = cal.add_working_seconds(t, rng.randrange(4 * HOUR, 10 * 8 * HOUR))
        if t > horizon:
            return {"dossier": d, "events": ev}
        # The full legal time again from the complete dossier (Decree 61/2018 Art. 19(4); the rule set's
        # default), as ``services.submit_supplement`` records it: the officer's date, and the one judged by.
        due_s = cal.due_seconds(t, amount, unit, version.deadline_policy or "working_hours")[1]
        d.due_at, base = from_seconds(due_s), t
        ev.append((EventKind.CLOCK, at(t), None, None, "restarted",
                   {"due_before": None, "due_at": d.due_at, "rule": "restart"}))
        ev.append((EventKind.STATUS_CHANGED, at(t), Status.SUPPLEMENT_REQUESTED, Status.IN_PROGRESS, "", {}))
        d.status = Status.IN_PROGRESS
    # Done a share of the legal time after the clock's start (a quarter of an hour after the last step at least).
    done = max(cal.add_working_seconds(t, 15 * 60), cal.add_working_seconds(base, max(HOUR, work)))
    if share > 1 and rng.random() < 0.5 and done - DAY > t:  # apology and a new date, once
        new_due = cal.add_working_seconds(due_s, legal // 2 + HOUR)
        ev.append((EventKind.CLOCK, at(done - DAY), None, None, "extended",
                   {"due_before": d.due_at, "due_at": at(new_due)}))
        d.original_due_at, d.due_at = d.due_at, at(new_due)
    if done > horizon:
        return {"dossier": d, "events": ev}
    ev.append((EventKind.STATUS_CHANGED, at(done), d.status, Status.DONE, "", {}))
    d.status, d.processing_ended_at = Status.DONE, at(done)
    back = cal.add_working_seconds(done, rng.randrange(0, 3 * 8 * HOUR))
    if back <= horizon:
        ev.append((EventKind.STATUS_CHANGED, at(back), Status.DONE, Status.RETURNED, "", {}))
        d.status, d.returned_at = Status.RETURNED, at(back)
    return {"dossier": d, "events": ev}
