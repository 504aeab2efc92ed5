"""The integrity rules on dossiers written by the dossier services (not the generator), and the operator's
commands: ``motcua generate --plant --ground-truth`` and ``motcua insight scan``."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

from motcua.dossiers import events, services
from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import Dossier
from motcua.insight.integrity import rules, scan
from motcua.insight.models import Flag, Rule
from tests.dossiers.conftest import intake, make_procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_desk_receipt_in_opening_hours_raises_nothing(org, people, run):  # type: ignore[no-untyped-def]
    make_procedure(org)
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=VN), tick=False):  # a Monday morning
        run(services.receive_at_desk, people["binh"], intake())
    scan.scan()
    assert not Flag.objects.exists()


def test_a_desk_receipt_on_a_sunday_evening_is_flagged_with_its_event(org, people, run):  # type: ignore[no-untyped-def]
    make_procedure(org)
    at = dt.datetime(2025, 3, 9, 19, 30, tzinfo=VN)  # a Sunday
    dossier = run(services.receive_at_desk, people["binh"], intake(), at=at)
    scan.scan()
    kinds = set(Flag.objects.filter(dossier=dossier).values_list("kind", flat=True))
    # Declared long before the record was created, and on a day off.
    assert kinds == {"receipt_vs_record", "off_hours_receipt"}
    flag = Flag.objects.get(dossier=dossier, kind="off_hours_receipt")
    created = dossier.events.get(kind="created")
    assert flag.rule == Rule.BACKDATING and flag.evidence["events"][0]["id"] == created.pk
    assert flag.evidence["facts"]["working_day"] is False and flag.agency == org["sxd"]
    assert flag.officer == people["binh"]


def test_an_event_dated_before_the_previous_is_flagged_unless_the_tick_wrote_it(org, people, run):  # type: ignore[no-untyped-def]
    make_procedure(org)
    at = dt.datetime(2025, 3, 10, 9, 0, tzinfo=VN)  # a Monday morning
    with time_machine.travel(at, tick=False):
        dossier = run(services.receive_at_desk, people["binh"], intake())
    with transaction.atomic():
        d = Dossier.objects.select_for_update().get(pk=dossier.pk)
        # The tick states the instant it judged, here hours before the receipt it follows: not an officer's entry.
        events.append(d, EventKind.LATE_FLAGGED, people["binh"], at=at - dt.timedelta(hours=5), data={"by": "tick"})
    scan.scan()
    assert not Flag.objects.filter(kind="out_of_order").exists()
    with transaction.atomic():
        d = Dossier.objects.select_for_update().get(pk=dossier.pk)
        # An instant hours before the last one, entered by a person, is flagged with both events as evidence.
        events.append(d, EventKind.LATE_FLAGGED, people["binh"], at=at - dt.timedelta(hours=10))
    scan.scan()
    flag = Flag.objects.get(kind="out_of_order")
    assert flag.dossier_id == dossier.pk and len(flag.evidence["events"]) == 2


def test_the_thresholds_come_from_the_settings(settings):  # type: ignore[no-untyped-def]
    settings.MOTCUA_INSIGHT_THRESHOLDS = {"resubmit_days": "14", "supplement_last_share": 0.7, "unknown": 3}
    t = rules.Thresholds.from_settings()
    assert t.resubmit_days == 14 and t.supplement_last_share == 0.7 and t.burst_min == 5


def test_generate_plants_and_writes_the_ground_truth_then_the_scan_finds_it(db, people, tmp_path, capsys):  # type: ignore[no-untyped-def]
    path = tmp_path / "truth.json"
    call_command("generate", "--dossiers", "200", "--agencies", "1", "--from", "2025-01-01", "--to", "2025-12-31",
                 "--seed", "4", "--plant", "--ground-truth", str(path))
    truth = json.loads(path.read_text(encoding="utf-8"))
    assert {t["rule"] for t in truth} == set(Rule.values)
    codes = {t["dossier"] for t in truth}
    assert Dossier.objects.filter(code__in=codes).count() == len(codes)
    call_command("insight", "scan")
    out = capsys.readouterr().out
    assert "Scanned" in out and "flags created" in out
    flagged = set(Flag.objects.exclude(dossier=None).values_list("dossier__code", flat=True))
    assert codes - flagged <= {t["dossier"] for t in truth if t["rule"] in ("apology_routine", "burst")}


def test_generate_refuses_a_ground_truth_without_plants(db, tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError):
        call_command("generate", "--dossiers", "1", "--ground-truth", str(tmp_path / "t.json"))
    with pytest.raises(CommandError):
        call_command("insight", "scan", "--page", "0")
