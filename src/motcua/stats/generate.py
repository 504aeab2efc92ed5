"""A realistic, deterministic history of dossiers for dashboards, tests and the benchmark
(``motcua generate --dossiers N [--agencies K] [--from DATE --to DATE] [--seed S] [--workers W]``).

What it makes, per dossier, with ``random.Random(seed)``: an arrival on a working day (fewer around
Tết in January-February, more in the fourth quarter), within working hours; a channel (online 55 %,
desk 40 %, post 5 %); 3 % refused at intake; acceptance with the promised date from the working
calendar; transfer; 9 % a supplement during processing (1 % a second one, which only imported data
can carry: the dossier services refuse it), after which the legal time restarts as the services restart
it (Decree 61/2018 Art. 19(4)); 2 % withdrawn and stopped; processing taking a log-normal share of the
legal time, the spread of a well-run department: about 84 % done a working day or more before the
promised day (early), 4-5 % after it (late), half of those with an apology extending the date; the result
returned 0-3 working days later; dossiers whose next step falls after ``--to`` stay open there.

Each dossier also gets an applicant (a person with an identity card number, or a company with a tax code)
and the folded search text. Every dossier transferred for processing gets the default process's steps, each
held by one of its agency's generated officers (a desk officer, four specialists, a division head, a
leader); one still being processed at the end has the one it waits on open and current (``_steps``).

Lateness has learnable drivers (what the lateness prediction of ``motcua.insight`` is measured on, issue
22): the share of the legal time a dossier takes is log-normal around a centre moved by its procedure
(some are slow, fixed by the procedure's code), its specialist (one in four is slow), the season (the
year-end rush of November-December, Tết in January) and a supplement request (the file comes back
reworked); procedures of a slow kind also wait longer for the leader's signature (``DRIVERS``). The
centre is set so that the totals stay those of a well-run department (above).

Rows are inserted in chunks as plain values (``motcua.core.bulk``: the ids are taken first so that each
event chain is hashed before anything is written; ``motcua audit verify`` passes), chunk ``c`` from its own
``Random(f"{seed}/{c}")`` and, with ``workers`` > 1 on PostgreSQL, in forked processes; then
``rollups.rebuild`` computes the statistics once (with the same number of processes). Run it on a database
nobody else writes to or reads the statistics of meanwhile.

Left out (documented in docs/stats.md): the dossier documents and attachments, ratings, payments and
electronic results (the dossier model records none of them yet), and the procedure snapshot and
rule set are abridged (``{"generated": true}``), so generated dossiers print no legal forms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction

from motcua.accounts import services as accounts
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.calendars.clock import DAY, HOUR, Calendar, from_seconds, to_seconds
from motcua.calendars.selectors import get_calendar
from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core import bulk, forked
from motcua.dossiers import events as chain
from motcua.dossiers import partitions
from motcua.dossiers.choices import Channel, EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import search_text
from motcua.dossiers.workflow.models import ProcessingStep
from motcua.dossiers.workflow.services import DEFAULT_STEPS

from . import plant, rollups

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
    desk, and the officer who signs the generated events (the steps' officers: ``_officers``)."""
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


# The officers who hold the generated steps, per agency: the step roles of ``DEFAULT_STEPS`` (four specialists).
OFFICER_ROLES = ((Role.DESK_OFFICER, 1), (Role.SPECIALIST, 4), (Role.DIVISION_HEAD, 1), (Role.AGENCY_LEADER, 1))


def _officers(agency: OrgUnit, desk: OrgUnit) -> dict[str, list[int]]:
    """The generated officers of ``agency`` by role (created once, found again on a later run)."""
    out: dict[str, list[int]] = {}
    for role, count in OFFICER_ROLES:
        for i in range(count):
            username = f"gen.{agency.code}.{role}.{i + 1}".lower()
            user = User.objects.filter(username=username).first()
            if user is None:
                unit = desk if role == Role.DESK_OFFICER else agency
                user = User.objects.create_user(username=username, password=None, unit=unit,
                                                full_name=f"Cán bộ sinh {role} {i + 1} ({agency.code})")
                accounts.assign_role(user, role, unit)
            out.setdefault(role, []).append(user.pk)
    return out


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

    def __init__(self, dossier_id: int, actor_id: int, ids: Iterator[int]) -> None:
        self.dossier_id, self.actor_id, self.ids = dossier_id, actor_id, ids
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
        self.rows.append({"id": next(self.ids), "dossier_id": self.dossier_id, "seq": seq, "kind": kind,
                          "actor_id": self.actor_id, "at": at, "status_before": before, "status_after": after,
                          "reason": reason, "data": payload, "prev_hash": self.prev, "hash": h, "key_id": kid})
        self.prev = h


def _working_day_list(cal: Calendar, first: dt.date, last: dt.date) -> list[dt.date]:
    out, day = [], first
    while day <= last:
        if cal.is_working_day(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def generate(n: int, agencies: int = 3, first: dt.date | None = None, last: dt.date | None = None, seed: int = 1,
             stream: Any = sys.stderr, batch: int = 2000, rebuild: bool = True, workers: int = 1) -> int:
    """Generate ``n`` dossiers received between ``first`` and ``last``; return how many were made.

    The dossiers are made in chunks of ``batch``, chunk ``c`` from its own ``random.Random(f"{seed}/{c}")``,
    so what is generated (codes, references, applicants, dates, statuses, histories) depends on the seed
    and the batch size, not on ``workers``. With ``workers`` > 1 (PostgreSQL only) chunk ``c`` goes to
    process ``c % workers``, each with its own database connection; the primary keys come from the
    tables' sequences (``bulk.take_ids``), so they (and the event hashes, which cover the dossier id)
    differ from run to run. The statistics are computed once, at the end, by ``rollups.rebuild`` with the
    same number of processes."""
    if not 1 <= batch <= MAX_BATCH:
        raise ValueError(f"batch must be between 1 and {MAX_BATCH}")
    if workers < 1:
        raise ValueError("workers must be >= 1")
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
        officers = {a.pk: _officers(a, desks[a.pk]) for a in units}
    # On PostgreSQL, the months of the history get their own event partitions rather than the default one.
    partitions.ensure(ahead=0, today=last, since=first)
    cal = get_calendar(None)
    days = _working_day_list(cal, first, last)
    ctx = _Context(
        seed=seed, batch=batch, n=n, user_id=user.pk, catalogue=catalogue, desks=desks, officers=officers, days=days,
        weights=[MONTH_WEIGHT[d.month] for d in days], agency_cal={a.pk: get_calendar(a.code) for a in units},
        horizon=to_seconds(dt.datetime.combine(last, dt.time(23, 59), tzinfo=from_seconds(0).tzinfo)))
    chunks = list(range(-(-n // batch)))
    if len(chunks) > MAX_CHUNKS:
        raise ValueError(f"at most {MAX_CHUNKS * batch} dossiers with batch={batch}")
    if workers > 1 and connection.vendor != "postgresql":
        # SQLite takes one writer at a time: processes would only wait for each other's lock.
        stream.write(f"{connection.vendor} takes one writer at a time: generating in this process only.\n")
        workers = 1
    workers = max(1, min(workers, len(chunks)))
    if workers == 1:
        made = 0
        for c in chunks:
            made += _chunk(ctx, c)
            show("dossiers", made, n)
    else:
        made = _in_processes(ctx, chunks, workers, show)
    if n == 0:
        show("dossiers", 0, 0)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The planner knows nothing of the rows just loaded until autovacuum gets to them; the rebuild below and
        # the first queues and searches would be planned for the tables as they were (docs/operations.md, Growth).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in (Dossier, DossierEvent, ProcessingStep))}")
    if rebuild:
        facts = rollups.rebuild(progress=lambda c: show("statistics", c, made), workers=workers)
        # Dossiers refused at intake have no statistics fact: say where the count ended.
        stream.write(f"\rstatistics: {facts} facts for {made} dossiers\n")
        stream.flush()
    return made


# A dossier code carries the seed, the chunk's number and a 4-digit counter per agency and day: unique across
# chunks and runs with different seeds (the same seed twice on one database is refused: the same dossiers).
MAX_BATCH = 9999
MAX_CHUNKS = 100_000


@dataclass
class _Context:
    """What every chunk needs, made once before the chunks (and inherited by the worker processes)."""

    seed: int
    batch: int
    n: int
    user_id: int
    catalogue: list[tuple[OrgUnit, Procedure, ProcedureVersion]]
    desks: dict[int, OrgUnit]
    officers: dict[int, dict[str, list[int]]]
    days: list[dt.date]
    weights: list[float]
    agency_cal: dict[int, Calendar]
    horizon: int


def _chunk(ctx: _Context, c: int) -> int:
    """Make and insert chunk ``c`` (``batch`` dossiers, fewer for the last) in one transaction."""
    size = min(ctx.batch, ctx.n - c * ctx.batch)
    rng = random.Random(f"{ctx.seed}/{c}")  # noqa: S311 - reproducible test data, not secrets
    arrivals = sorted(rng.choices(ctx.days, weights=ctx.weights, k=size))
    counters: dict[tuple[str, dt.date], int] = {}
    plans = [_plan(rng, day, ctx.catalogue, ctx.agency_cal, ctx.desks, counters, ctx.horizon, c, i, ctx.seed,
                   ctx.officers)
             for i, day in enumerate(arrivals)]
    try:
        _insert(ctx, plans)
    except IntegrityError as exc:
        raise RuntimeError(f"these dossiers exist already (generated with seed {ctx.seed} on this database? "
                           f"use another --seed): {exc}") from exc
    return size


def _insert(ctx: _Context, plans: list[dict[str, Any]]) -> None:
    with transaction.atomic():
        dossier_ids = bulk.take_ids(Dossier, len(plans))
        event_ids = iter(bulk.take_ids(DossierEvent, sum(len(p["events"]) for p in plans)))
        step_ids = iter(bulk.take_ids(ProcessingStep, sum(len(p["steps"]) for p in plans)))
        evs: list[dict[str, Any]] = []
        steps: list[dict[str, Any]] = []
        for dossier_id, p in zip(dossier_ids, plans, strict=True):
            row = p["dossier"]
            ch = _Chain(dossier_id, ctx.user_id, event_ids)
            for e in p["events"]:
                ch.add(*e)
            evs.extend(ch.rows)
            row.update(id=dossier_id, event_count=len(ch.rows), last_event_hash=ch.prev)
            for s in p["steps"]:
                s.update(id=next(step_ids), dossier_id=dossier_id)
                if s.pop("current", False):
                    row["current_step_id"] = s["id"]
                steps.append(s)
        bulk.insert_rows(Dossier, [p["dossier"] for p in plans])
        bulk.insert_rows(DossierEvent, evs)
        bulk.insert_rows(ProcessingStep, steps)
        if connection.vendor != "postgresql":  # keys taken above the maximum: move the sequences past them
            bulk.reset_sequences(Dossier, DossierEvent, ProcessingStep)


def _in_processes(ctx: _Context, chunks: list[int], workers: int, show: Callable[[str, int, int], None]) -> int:
    """Run the chunks in ``workers`` forked processes (chunk ``c`` in process ``c % workers``); ``forked.run``
    refuses to start inside a transaction, whose units and procedures the workers would not see."""
    made = 0

    def job(mine: list[int]) -> forked.Job:
        def work(report: forked.Report) -> None:
            for c in mine:
                report("done", _chunk(ctx, c))
        return work

    def progress(kind: str, value: Any) -> None:
        nonlocal made
        made += value
        show("dossiers", made, ctx.n)

    try:
        forked.run([job(chunks[i::workers]) for i in range(workers)], progress)
    except forked.ForkedJobError as e:
        raise RuntimeError(f"generation failed in a worker (the chunks already committed stay):\n{e}") from e
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


FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý")
FAMILY_WEIGHT = (38, 11, 9.5, 7, 5, 4, 4, 4, 4, 2, 2, 1.5, 1.5, 1.3, 1, 0.5)
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Kim", "Xuân", "Hoàng")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan",
         "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Trung",
         "Tuấn", "Vân", "Việt", "Yến", "Thắng", "Cường", "Đạt", "Duy", "Huy", "Kiên", "Lộc", "My", "Nhung")
COMPANY = ("Xây dựng", "Thương mại", "Đầu tư", "Tư vấn thiết kế", "Bất động sản", "Kỹ thuật", "Vận tải")
# The provinces' codes that open a citizen identity card number (Circular 59/2021/TT-BCA, Annex I), a few.
PROVINCE_CODES = ("001", "031", "048", "079", "092", "036", "038", "040", "046", "056")
# An open dossier waits on one step of the default process (``workflow.services.DEFAULT_STEPS``): of ten
# dossiers in a row, seven on the specialist, two on the head of division, one on the leader. Chosen by the
# place in the chunk, not drawn: the rest of the history is the same as without steps.
WAITING = (2, 2, 2, 3, 2, 2, 3, 2, 2, 4)


def _applicant(rng: random.Random, d: dict[str, Any]) -> None:
    """A person (nine in ten, with a 12-digit identity card number) or a company (with its tax code)."""
    if rng.random() < 0.9:
        family = rng.choices(FAMILY, FAMILY_WEIGHT)[0]
        year = rng.randrange(1950, 2006)
        female = rng.random() < 0.5
        middle = "Thị" if female and rng.random() < 0.6 else rng.choice(MIDDLE)
        d.update(applicant_kind="individual", applicant_name=f"{family} {middle} {rng.choice(GIVEN)}",
                 applicant_id_number=f"{rng.choice(PROVINCE_CODES)}{int(female) + (2 if year >= 2000 else 0)}"
                                     f"{year % 100:02d}{rng.randrange(10**6):06d}")
    else:
        d.update(applicant_kind="organisation", applicant_tax_code=f"{rng.randrange(10**9, 10**10)}",
                 applicant_name=f"Công ty TNHH {rng.choice(COMPANY)} {rng.choice(GIVEN)} {rng.choice(FAMILY)}")


def _steps(index: int, d: dict[str, Any], agency: OrgUnit, desk: OrgUnit, work: dict[str, Any],
           officers: dict[str, list[int]]) -> list[dict[str, Any]]:
    """The default process's five steps of a dossier transferred for processing, each held by an officer of
    its agency (``work["specialist"]`` for the appraisal). Still being processed at the end of the history:
    those before the one it waits on ended, that one open and current, the later ones not started. Ended:
    each step ended when the plan says (``work["ends"]``, the last one at the return)."""
    actors = {1: officers[Role.DESK_OFFICER][0], 2: work["specialist"], 3: officers[Role.DIVISION_HEAD][0],
              4: officers[Role.AGENCY_LEADER][0], 5: officers[Role.DESK_OFFICER][0]}
    open_ = d["status"] in (Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED)
    waiting = WAITING[index % len(WAITING)] if open_ else 0
    start = d["transferred_at"]
    ends = work.get("ends") or {}
    rows = []
    for step in DEFAULT_STEPS:
        order = step["order"]
        unit = desk if step["unit"] == "receiving" else agency
        row = {"order": order, "name": step["name"], "role": step["role"], "unit_id": unit.pk,
               "open": order == waiting, "produces": [], "actor_id": actors[order]}
        if open_:
            if order < waiting:
                row.update(started_at=d["received_at"] if order == 1 else start, ended_at=start, outcome="done")
            elif order == waiting:
                row.update(started_at=start, due_at=d["due_at"], due_from=start, current=True)
                d["current_unit_id"] = unit.pk
            else:
                row["actor_id"] = None
        else:
            began = d["received_at"] if order == 1 else ends.get(order - 1)
            ended = ends.get(order)
            if began is None or ended is None:
                row["actor_id"] = None  # not reached (stopped, or done and not yet returned)
            else:
                row.update(started_at=began, ended_at=ended, outcome="done")
        rows.append(row)
    return rows


def _plan(rng: random.Random, day: dt.date, catalogue: list[tuple[OrgUnit, Procedure, ProcedureVersion]],
          agency_cal: dict[int, Calendar], desks: dict[int, OrgUnit], counters: dict[tuple[str, dt.date], int],
          horizon: int, chunk: int = 0, index: int = 0, seed: int = 1,
          officers: dict[int, dict[str, list[int]]] | None = None) -> dict[str, Any]:
    """One dossier: its row, its events and, once transferred for processing, its steps."""
    entry = rng.choice(catalogue)
    agency = entry[0]
    staff = (officers or {}).get(agency.pk)
    # The specialist by the place in the chunk, not drawn (like ``WAITING``): the random draws, and so the rest
    # of the history, are those of a run without officers.
    specialists = staff[Role.SPECIALIST] if staff else []
    work: dict[str, Any] = {"specialist": specialists[(index * 3 + chunk) % len(specialists)] if staff else None}
    work["slow"] = bool(staff) and work["specialist"] == specialists[0]
    plan = _history(rng, day, entry, agency_cal, desks, counters, horizon, chunk, index, seed, work)
    d = plan["dossier"]
    _applicant(rng, d)
    d["search_folded"] = search_text(d.get("code"), d["reference"], d["applicant_name"],
                                     d.get("applicant_id_number"), d.get("applicant_tax_code"))
    plan["steps"] = (_steps(index, d, agency, desks[agency.pk], work, staff)
                     if staff and d.get("transferred_at") else [])
    plant.complete(plan)  # the record's creation instant, each extension's apology (stats.plant)
    return plan


# What lateness depends on (added to the log of the share of the legal time taken, whose centre is
# ``CENTRE``): the procedure (``_procedure_effect``), the specialist (the first of each agency is slow), the
# month, a supplement request. Drawn around these, the totals stay ≈ 84 % early and 4-5 % late.
CENTRE = math.log(0.44)
SPREAD = 0.32
DRIVERS: dict[str, Any] = {"slow_officer": 0.33, "supplement": 0.22, "month": {11: 0.10, 12: 0.20, 1: 0.08}}


def _procedure_effect(code: str) -> float:
    """A procedure's own pace, fixed by its code (between -0.12 and +0.24: a few are slow)."""
    h = int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return -0.12 + 0.36 * h * h


def _history(rng: random.Random, day: dt.date, entry: tuple[OrgUnit, Procedure, ProcedureVersion],
             agency_cal: dict[int, Calendar], desks: dict[int, OrgUnit], counters: dict[tuple[str, dt.date], int],
             horizon: int, chunk: int, index: int, seed: int, work: dict[str, Any] | None = None) -> dict[str, Any]:
    work = work if work is not None else {}
    agency, procedure, version = entry
    cal = agency_cal[agency.pk]
    periods = cal.periods_of(day) or ((8 * HOUR, 17 * HOUR),)
    lo, hi = periods[0][0], periods[-1][1]
    day_s = (day.toordinal() - dt.date(1970, 1, 1).toordinal()) * DAY
    submitted_s = day_s + rng.randrange(lo, hi)
    channel = rng.choices([Channel.ONLINE, Channel.DESK, Channel.POST], [55, 40, 5])[0]
    submitted = from_seconds(submitted_s)
    fees = rng.choice([0, 0, 100_000, 150_000, 500_000])
    # Unique by construction (the chunk and the place in it), unguessable by the rest like a real one.
    d = _Row(reference=f"G{chunk:05X}{index:04X}{rng.getrandbits(40):010X}", procedure_id=procedure.pk,
             procedure_version_id=version.pk,
             snapshot={"generated": True, "procedure": {"code": procedure.code, "name": procedure.name},
                       "version": {"id": version.pk}},
             rules={"generated": True}, receiving_unit_id=desks[agency.pk].pk, processing_unit_id=agency.pk,
             channel=channel, status=Status.NEW, subject=procedure.name[:1000], submitted_at=submitted,
             fees_due_vnd=fees, processing_supplements=0)
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
    d.code = f"{agency.code}-{day:%y%m%d}-G{seed}-{chunk:05d}{counters[key]:04d}"
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
    z = rng.gauss(0.0, 1.0)  # drawn before the supplements, as ever: the same draws as without the drivers
    supplements = 2 if rng.random() < 0.01 else 1 if rng.random() < 0.09 else 0
    proc_effect = _procedure_effect(procedure.code)
    centre = (CENTRE + proc_effect + (DRIVERS["slow_officer"] if work.get("slow") else 0.0)
              + DRIVERS["month"].get(day.month, 0.0) + (DRIVERS["supplement"] if supplements else 0.0))
    share = math.exp(centre + SPREAD * z)  # of the legal time; ~4-5 % over 1
    spent = int(legal * share)
    base = start_s  # where the legal time runs from: the clock start, or its restart after a supplement
    for _ in range(supplements):
        t = cal.add_working_seconds(t, max(HOUR, int(spent * rng.uniform(0.1, 0.3))))
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
    done = max(cal.add_working_seconds(t, 15 * 60), cal.add_working_seconds(base, max(HOUR, spent)))
    # The steps' ends: the appraisal takes most of the time from the transfer (or the complete file), the
    # review and the signature the rest; a slow kind of procedure waits longer for the signature.
    rest = cal.working_seconds_between(t, done)
    cut = (0.55, 0.65) if proc_effect > 0.1 else (0.75, 0.88)
    work["ends"] = {1: d.transferred_at, 2: at(cal.add_working_seconds(t, int(rest * cut[0]))),
                    3: at(cal.add_working_seconds(t, int(rest * cut[1]))), 4: at(done)}
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
        work["ends"][5] = at(back)
    return {"dossier": d, "events": ev}
