"""Fixtures of the statistics tests: a procedure of Sở Xây dựng (legal time 5 working days, internal
target 3), and helpers that move dossiers through their life at chosen instants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from motcua.dossiers import events, services
from motcua.dossiers.choices import EventKind, Outcome, Status
from motcua.dossiers.models import Dossier
from tests.dossiers.conftest import intake, make_procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 9, month: int = 3, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=VN)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"


@pytest.fixture
def procedure(org):  # type: ignore[no-untyped-def]
    p = make_procedure(org, amount="5")
    p.versions.update(target_time_amount=Decimal(3), target_time_unit="working_days")
    return p


class Life:
    """Moves dossiers at given instants, running the commit hooks as a real request would."""

    def __init__(self, people, capture) -> None:  # type: ignore[no-untyped-def]
        self.people = people
        self.capture = capture

    def _run(self, when: dt.datetime, fn, *args, **kw):  # type: ignore[no-untyped-def]
        # The commit hooks run: the dossier dispatcher's handlers, among them the statistics refresh.
        with time_machine.travel(when, tick=False), self.capture(execute=True):
            result = fn(*args, **kw)
        return result

    def receive(self, when: dt.datetime, outcome: str = Outcome.RECEIVE) -> Dossier:
        return self._run(when, services.receive_at_desk, self.people["binh"], intake(outcome=outcome,
                                                                                    reason="Thiếu hồ sơ"))

    def transfer(self, when: dt.datetime, d: Dossier) -> Dossier:
        return self._run(when, services.transfer, self.people["binh"], d)

    def supplement(self, when: dt.datetime, d: Dossier) -> Dossier:
        return self._run(when, services.request_supplement, self.people["cuong"], d,
                         [services.MissingItem("Bản vẽ", "Thiếu chữ ký")])

    def supplied(self, when: dt.datetime, d: Dossier) -> Dossier:
        return self._run(when, services.submit_supplement, self.people["binh"], d)

    def withdraw_and_stop(self, when: dt.datetime, d: Dossier) -> Dossier:
        self._run(when, services.request_withdrawal, self.people["binh"], d)
        return self._run(when, services.stop, self.people["binh"], d)

    def _status(self, d: Dossier, after: int, field: str) -> Dossier:
        # Processing done and result returned come with issue 6; written here as its services will.
        with transaction.atomic():
            d = Dossier.objects.select_for_update().get(pk=d.pk)
            before = d.status
            d.status = after
            setattr(d, field, dt.datetime.now(dt.UTC))
            d.save(update_fields=["status", field])
            events.append(d, EventKind.STATUS_CHANGED, self.people["giang"], status_before=before, status_after=after)
        return d

    def done(self, when: dt.datetime, d: Dossier) -> Dossier:
        return self._run(when, self._status, d, Status.DONE, "processing_ended_at")

    def returned(self, when: dt.datetime, d: Dossier) -> Dossier:
        return self._run(when, self._status, d, Status.RETURNED, "returned_at")


@pytest.fixture
def life(people, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return Life(people, django_capture_on_commit_callbacks)


@pytest.fixture
def march(life, procedure):  # type: ignore[no-untyped-def]
    """The March 2025 dataset of test_kpi (Monday 3/3 is a working day; no holiday in March).
    Legal time 5 WD from Monday 3/3 09:00 -> promised Monday 10/3 09:00; target 3 WD -> Thursday 6/3 09:00.
    Early = done on a day before the promised day (``timeliness.judge``)."""
    d = {}
    for name in "ABCDEH":
        d[name] = life.transfer(at(3, 9, minute=30), life.receive(at(3)))
    life.done(at(5, 10), d["A"])  # early, and within the target
    life.returned(at(6, 10), life.done(at(7, 10), d["B"]))  # early (7/3 < 10/3), after the target
    life.done(at(11, 10), d["C"])  # late
    life.supplement(at(4), d["D"])  # waits 4/3 09:00 -> 6/3 09:00: 16 working hours
    life.supplied(at(6), d["D"])  # the clock restarts (Decree 61/2018 Art. 19(4)): due 13/3 09:00
    life.done(at(11, 10), d["D"])  # before the day of its restarted date: early
    life.withdraw_and_stop(at(4), d["H"])  # stopped: on time
    d["F"] = life.receive(at(28))  # due 4/4: open and on time at the end of March
    d["G"] = life.receive(at(5), Outcome.REFUSE)  # never accepted: not counted
    return d
