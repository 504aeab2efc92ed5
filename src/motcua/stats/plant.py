"""Integrity patterns planted in a generated history (``motcua generate --plant [--ground-truth PATH]``), so that
the integrity rules (``motcua.insight.integrity``, docs/insight-integrity.md) can be measured: a seeded set of
dossiers, each written as the dossier services would write it (the event chain of ``generate._Chain``: ``motcua
audit verify`` passes), and the ground truth, a list of ``{"rule", "dossier"}`` (the dossier's code) naming every
rule each planted dossier is made to trip.

What is planted (``COUNTS`` per run, on the first generated agency's two planted procedures of 20 working days):

- ``resubmit`` (and ``linked``): a desk dossier withdrawn at 70 % of its time, the same applicant's dossier for the
  same procedure submitted 1-8 days later and done in 60 % of the time: a new clock, late counted as one;
- ``linked``: the same with 15-25 days between (outside the resubmission window), the first withdrawn at 30 %, the
  second done in 80 %;
- ``supplement`` (and ``linked``): a supplement in each of two linked dossiers (15-25 days apart);
- ``supplement``: a supplement requested at 90 % of the time; one requested 5 working days after receipt by a
  dossier whose rules set a 3-day window;
- ``backdating``: a desk receipt declared 3 days after the dossier's record was created; a desk receipt at 19:30;
- ``burst``: an officer closing 8 dossiers from 23:00 on a month's last working day; another closing 8 within 40
  minutes on a month's last working day after a month of one a day;
- ``date_change``: the promised date moved by an extension without its apology; a dossier whose procedure is not
  the one of its intake;
- ``apology_routine``: an officer apologising on 14 of the 24 dossiers of a procedure.

Also ``complete``, applied to every generated dossier: the record's creation instant is its submission (the
dossier services create the row when it is submitted), and an extension of the promised date is followed by its
apology event, as ``workflow.services`` writes them (Decree 61/2018 Art. 19(9)).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from motcua.accounts import services as accounts
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.calendars.clock import DAY, HOUR, Calendar, from_seconds, to_local, to_seconds
from motcua.calendars.selectors import get_calendar
from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core import bulk
from motcua.dossiers.choices import Channel, EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import search_text

COUNTS = {"resubmit": 10, "linked": 10, "repeated": 8, "last_share": 10, "after_window": 10, "backdated": 10,
          "off_hours": 10, "night_burst": 8, "month_end_burst": 8, "due_changed": 10, "reclassified": 5,
          "routine": 24}
LEGAL_DAYS = 20
ROUTINE_APOLOGIES = 14


def complete(plan: dict[str, Any]) -> None:
    """What a generated dossier lacks to look like one the services wrote (module docstring): called by
    ``generate._plan`` on each plan before its chain is hashed."""
    d = plan["dossier"]
    d.setdefault("created_at", d["submitted_at"])
    events: list[tuple[Any, ...]] = []
    for e in plan["events"]:
        events.append(e)
        if e[0] == EventKind.CLOCK and e[4] == "extended":
            data = e[5]
            events.append((EventKind.APOLOGY, e[1], None, None, "Dữ liệu sinh: xin lỗi, hẹn lại ngày trả",
                           {"original_due_at": data["due_before"], "new_due_at": data["due_at"]}))
    plan["events"] = events


class _Case:
    """One planted dossier: its row and its events (kind, at, before, after, reason, data, actor), kept as the
    services keep them, so that the row agrees with its history."""

    def __init__(self, p: Planter, proc: tuple[Procedure, ProcedureVersion], channel: str = Channel.DESK) -> None:
        self.p = p
        p.n += 1
        procedure, version = proc
        self.version = version
        self.ev: list[tuple[Any, ...]] = []
        self.d: dict[str, Any] = {
            "reference": f"P{p.seed % 65536:04X}{p.n:06X}{p.rng.getrandbits(40):010X}",
            "procedure_id": procedure.pk, "procedure_version_id": version.pk,
            "snapshot": {"generated": True, "planted": True,
                         "procedure": {"code": procedure.code, "name": procedure.name}, "version": {"id": version.pk}},
            "rules": {"generated": True}, "receiving_unit_id": p.desk.pk, "processing_unit_id": p.agency.pk,
            "channel": channel, "status": Status.NEW, "subject": procedure.name[:1000], "fees_due_vnd": 0,
            "processing_supplements": 0}
        self.procedure_code = procedure.code

    @property
    def code(self) -> str:
        return str(self.d["code"])

    def add(self, kind: str, at: dt.datetime, before: int | None = None, after: int | None = None, reason: str = "",
            data: dict[str, Any] | None = None, actor: int | None = None) -> None:
        self.ev.append((kind, at, before, after, reason, data or {}, actor or self.p.user.pk))

    def receive(self, at: dt.datetime, applicant: dict[str, Any] | None = None, created: dt.datetime | None = None,
                procedure_code: str | None = None) -> None:
        from . import generate as gen

        cal = self.p.cal
        start_s, due_s = cal.due_seconds(to_seconds(at), Decimal(LEGAL_DAYS), "working_days", "working_hours")
        self.d.update(submitted_at=created or at, created_at=created or at, received_at=at,
                      clock_start_at=from_seconds(start_s), due_at=from_seconds(due_s), status=Status.RECEIVED,
                      code=f"{self.p.agency.code}-{to_local(at):%y%m%d}-P{self.p.seed}-{self.p.n:05d}")
        self.base, self.legal = self.d["clock_start_at"], cal.working_seconds_between(start_s, due_s)
        if applicant:
            self.d.update(applicant)
        else:
            gen._applicant(self.p.rng, self.d)
        self.d["search_folded"] = search_text(self.d["code"], self.d["reference"], self.d["applicant_name"],
                                              self.d.get("applicant_id_number"), self.d.get("applicant_tax_code"))
        self.add(EventKind.CREATED, at, None, Status.RECEIVED, "", {
            "channel": self.d["channel"], "procedure": procedure_code or self.procedure_code, "code": self.d["code"],
            "received_at": at, "clock_start_at": self.d["clock_start_at"], "due_at": self.d["due_at"]})

    def applicant(self) -> dict[str, Any]:
        keys = ("applicant_kind", "applicant_name", "applicant_id_number", "applicant_tax_code")
        return {k: self.d[k] for k in keys if k in self.d}

    def after_start(self, share: float) -> dt.datetime:
        """The instant when ``share`` of the legal time has run from the clock's start (or its restart)."""
        return from_seconds(self.p.cal.add_working_seconds(to_seconds(self.base), int(self.legal * share)))

    def later(self, at: dt.datetime, seconds: int) -> dt.datetime:
        return from_seconds(self.p.cal.add_working_seconds(to_seconds(at), seconds))

    def start(self, at: dt.datetime, actor: int | None = None) -> None:
        self.add(EventKind.STATUS_CHANGED, at, Status.RECEIVED, Status.IN_PROGRESS, "", {}, actor)
        self.d.update(status=Status.IN_PROGRESS, transferred_at=at)

    def supplement(self, at: dt.datetime, back: dt.datetime) -> None:
        self.add(EventKind.CLOCK, at, None, None, "paused", {"due_before": self.d["due_at"]})
        self.add(EventKind.STATUS_CHANGED, at, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, "",
                 {"phase": "processing"})
        due_s = self.p.cal.due_seconds(to_seconds(back), Decimal(LEGAL_DAYS), "working_days", "working_hours")[1]
        self.d["processing_supplements"] += 1
        self.d["due_at"], self.base = from_seconds(due_s), back
        self.add(EventKind.CLOCK, back, None, None, "restarted",
                 {"due_before": None, "due_at": self.d["due_at"], "rule": "restart"})
        self.add(EventKind.STATUS_CHANGED, back, Status.SUPPLEMENT_REQUESTED, Status.IN_PROGRESS, "", {})

    def done(self, at: dt.datetime, actor: int | None = None, returned: bool = True) -> None:
        self.add(EventKind.STATUS_CHANGED, at, self.d["status"], Status.DONE, "", {}, actor)
        self.d.update(status=Status.DONE, processing_ended_at=at)
        if returned:
            back = self.later(at, 2 * HOUR)
            self.add(EventKind.STATUS_CHANGED, back, Status.DONE, Status.RETURNED, "", {})
            self.d.update(status=Status.RETURNED, returned_at=back)

    def withdraw(self, at: dt.datetime) -> None:
        self.add(EventKind.STATUS_CHANGED, at, Status.IN_PROGRESS, Status.WITHDRAWAL_REQUESTED, "", {})
        self.add(EventKind.STATUS_CHANGED, at, Status.WITHDRAWAL_REQUESTED, Status.STOPPED, "", {})
        self.d.update(status=Status.STOPPED, stopped_at=at, processing_ended_at=at)

    def extend(self, at: dt.datetime, apology: bool, actor: int | None = None) -> None:
        new_due = self.later(self.d["due_at"], 5 * 8 * HOUR)
        self.add(EventKind.CLOCK, at, None, None, "extended", {"due_before": self.d["due_at"], "due_at": new_due},
                 actor)
        if apology:
            self.add(EventKind.APOLOGY, at, None, None, "Chưa đủ thời gian thẩm định",
                     {"original_due_at": self.d["due_at"], "new_due_at": new_due}, actor)
        self.d.update(original_due_at=self.d.get("original_due_at") or self.d["due_at"], due_at=new_due)


class Planter:
    def __init__(self, seed: int, first: dt.date, last: dt.date, agencies: int) -> None:
        from . import generate as gen

        self.rng = random.Random(f"plant/{seed}")  # noqa: S311 - reproducible test data, not secrets
        self.seed, self.n = seed, 0
        units, self.user = gen._fixture_units(agencies)
        self.agency = units[0]
        self.desk = OrgUnit.objects.filter(parent=self.agency, kind=UnitKind.DESK).first() or accounts.save_unit(
            OrgUnit(parent=self.agency, name=f"Bộ phận Một cửa {self.agency.name}", code=f"{self.agency.code}.MC",
                    kind=UnitKind.DESK))
        self.cal: Calendar = get_calendar(self.agency.code)
        self.proc = self._procedure("A", "Cấp giấy phép xây dựng (dữ liệu cài đặt)")
        self.routine_proc = self._procedure("R", "Gia hạn giấy phép xây dựng (dữ liệu cài đặt)")
        self.other_proc = self._procedure("B", "Cấp chứng chỉ hành nghề (dữ liệu cài đặt)")
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        # Histories start after the first month and end well before the last day: nothing planted stays open.
        self.days = [d for d in days if self.cal.is_working_day(d) and first + dt.timedelta(days=30) <= d
                     <= last - dt.timedelta(days=120)]
        if len(self.days) < 20:
            raise ValueError("planting needs a history of at least six months (--from/--to)")
        self.cases: list[tuple[_Case, list[str]]] = []

    def _procedure(self, suffix: str, name: str) -> tuple[Procedure, ProcedureVersion]:
        code = f"P.{self.agency.code}.{suffix}"
        p = Procedure.objects.filter(code=code).first() or Procedure.objects.create(
            code=code, name=name, agency=self.agency, for_individuals=True, online_mode="partial")
        v = p.versions.order_by("-valid_from").first() or ProcedureVersion.objects.create(
            procedure=p, label="Dữ liệu cài đặt", valid_from=dt.date(2015, 1, 1), status="published",
            legal_time_amount=Decimal(LEGAL_DAYS), legal_time_unit="working_days",
            target_time_amount=Decimal(14), target_time_unit="working_days")
        return p, v

    def officer(self, name: str, full_name: str) -> User:
        username = f"plant-{name}-{self.seed}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=None, full_name=full_name, unit=self.agency)
            accounts.assign_role(user, Role.SPECIALIST, self.agency)
        return user

    def before(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day before ``day``."""
        while n > 0:
            day -= dt.timedelta(days=1)
            n -= self.cal.is_working_day(day)
        return day

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        return from_seconds((day.toordinal() - dt.date(1970, 1, 1).toordinal()) * DAY + int(hour * HOUR))

    def day(self) -> dt.date:
        return self.rng.choice(self.days)

    def case(self, truth: list[str], proc: tuple[Procedure, ProcedureVersion] | None = None,
             channel: str = Channel.DESK) -> _Case:
        c = _Case(self, proc or self.proc, channel)
        self.cases.append((c, truth))
        return c

    # --- the patterns -----------------------------------------------------------------------------------------

    def linked_pair(self, used: float, gap: tuple[int, int], second_share: float, truth_first: list[str],
                    truth_second: list[str], supplements: bool = False) -> None:
        first = self.case(truth_first)
        first.receive(self.at(self.day(), 9))
        first.start(first.later(first.d["received_at"], HOUR))
        if supplements:
            at = first.after_start(0.2)
            first.supplement(at, first.later(at, 8 * HOUR))
        out = first.after_start(used)
        first.withdraw(out)
        second = self.case(truth_second)
        day = to_local(out).date() + dt.timedelta(days=self.rng.randint(*gap))
        while not self.cal.is_working_day(day):
            day += dt.timedelta(days=1)
        second.receive(self.at(day, 9.5), applicant=first.applicant())
        second.start(second.later(second.d["received_at"], HOUR))
        if supplements:
            at = second.after_start(0.1)
            second.supplement(at, second.later(at, 8 * HOUR))
        second.done(second.after_start(second_share))

    def plain(self, truth: list[str], proc: tuple[Procedure, ProcedureVersion] | None = None, share: float = 0.5,
              day: dt.date | None = None, **receive: Any) -> _Case:
        c = self.case(truth, proc)
        c.receive(self.at(day or self.day(), 9 + self.rng.random() * 6), **receive)
        c.start(c.later(c.d["received_at"], HOUR))
        return c

    def month_ends(self) -> list[dt.date]:
        out = []
        for d in self.days:
            nxt = self.cal.nth_working_day_after(d, 1)
            if nxt.month != d.month:
                out.append(d)
        return out

    def plant(self, counts: dict[str, int]) -> None:
        for _ in range(counts["resubmit"]):
            self.linked_pair(0.7, (1, 8), 0.6, [], ["resubmit", "linked"])
        for _ in range(counts["linked"]):
            self.linked_pair(0.3, (15, 25), 0.8, [], ["linked"])
        for _ in range(counts["repeated"]):
            self.linked_pair(0.3, (15, 25), 0.4, [], ["supplement", "linked"], supplements=True)
        for _ in range(counts["last_share"]):
            c = self.plain(["supplement"])
            at = c.after_start(0.9)
            c.supplement(at, c.later(at, 16 * HOUR))
            c.done(c.after_start(0.5))
        for _ in range(counts["after_window"]):
            c = self.plain(["supplement"])
            c.d["rules"] = {"generated": True, "supplement_working_days": 3}
            at = c.later(c.d["received_at"], 5 * 8 * HOUR)
            c.supplement(at, c.later(at, 8 * HOUR))
            c.done(c.after_start(0.5))
        for _ in range(counts["backdated"]):
            day = self.day()
            c = self.plain(["backdating"], day=day, created=self.at(day, 9) - dt.timedelta(days=3))
            c.done(c.after_start(0.5))
        for _ in range(counts["off_hours"]):
            c = self.case(["backdating"])
            c.receive(self.at(self.day(), 19.5))
            c.start(c.later(c.d["received_at"], HOUR))
            c.done(c.after_start(0.5))
        ends = self.month_ends()
        night = self.officer("night", "Cán bộ cài đặt Đêm")
        day_end = ends[len(ends) // 3]
        for i in range(counts["night_burst"]):
            c = self.plain(["burst"], day=self.before(day_end, 12))
            c.done(self.at(day_end, 23 + i * 5 / 60), actor=night.pk)
        rush = self.officer("rush", "Cán bộ cài đặt Cuối tháng")
        rush_end = ends[2 * len(ends) // 3]
        for k in range(10):  # one a day before: the officer's usual pace
            c = self.plain([], day=self.before(rush_end, 30))
            c.done(self.at(self.before(rush_end, 10 - k), 10), actor=rush.pk)
        for i in range(counts["month_end_burst"]):
            c = self.plain(["burst"], day=self.before(rush_end, 12))
            c.done(self.at(rush_end, 15 + i * 5 / 60), actor=rush.pk)
        for _ in range(counts["due_changed"]):
            c = self.plain(["date_change"])
            c.extend(c.after_start(0.7), apology=False)
            c.done(c.after_start(1.1))
        for _ in range(counts["reclassified"]):
            c = self.plain(["date_change"], procedure_code=self.other_proc[0].code)
            c.done(c.after_start(0.5))
        routine = self.officer("routine", "Cán bộ cài đặt Xin lỗi")
        for i in range(counts["routine"]):
            apologises = i < ROUTINE_APOLOGIES * counts["routine"] // COUNTS["routine"]
            c = self.case(["apology_routine"] if apologises else [], self.routine_proc)
            c.receive(self.at(self.day(), 9 + self.rng.random() * 6))
            c.start(c.later(c.d["received_at"], HOUR), actor=routine.pk)
            if apologises:
                c.extend(c.after_start(0.8), apology=True, actor=routine.pk)
                c.done(c.after_start(1.1))
            else:
                c.done(c.after_start(0.6))

    def insert(self) -> None:
        from . import generate as gen

        with transaction.atomic():
            ids = bulk.take_ids(Dossier, len(self.cases))
            event_ids = iter(bulk.take_ids(DossierEvent, sum(len(c.ev) for c, _ in self.cases)))
            rows, evs = [], []
            for dossier_id, (c, _truth) in zip(ids, self.cases, strict=True):
                ch = gen._Chain(dossier_id, self.user.pk, event_ids)
                for kind, at, before, after, reason, data, actor in c.ev:
                    ch.actor_id = actor
                    ch.add(kind, at, before, after, reason, data)
                evs.extend(ch.rows)
                c.d.update(id=dossier_id, event_count=len(ch.rows), last_event_hash=ch.prev)
                rows.append(c.d)
            bulk.insert_rows(Dossier, rows)
            bulk.insert_rows(DossierEvent, evs)
            if connection.vendor != "postgresql":
                bulk.reset_sequences(Dossier, DossierEvent)

    def truth(self) -> list[dict[str, str]]:
        return [{"rule": rule, "dossier": c.code} for c, rules in self.cases for rule in rules]


def plant(seed: int = 1, first: dt.date | None = None, last: dt.date | None = None, agencies: int = 3,
          counts: dict[str, int] | None = None) -> list[dict[str, str]]:
    """Plant the patterns (module docstring) in the generated history of ``first``..``last``; return the ground
    truth. Run after ``generate.generate`` on the same agencies."""
    last = last or dt.date(2025, 12, 31)
    first = first or dt.date(last.year, 1, 1)
    p = Planter(seed, first, last, agencies)
    p.plant({**COUNTS, **(counts or {})})
    p.insert()
    return p.truth()


def write_truth(truth: list[dict[str, str]], path: str | Path) -> None:
    Path(path).write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
