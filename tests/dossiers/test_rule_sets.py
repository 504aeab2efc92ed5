"""Dated rule sets (issue 12 item 5): the legal switches are rows valid from a date, with a procedure
version's exceptions; a dossier keeps the copy made at its receipt, so a later change of a row or of the
environment moves neither its rules nor its dates, while a dossier received afterwards gets the new rule."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from auditlog.models import LogEntry
from django.apps import apps

from motcua.catalogue.models import ProcedureVersion
from motcua.core.errors import Conflict
from motcua.dossiers import audit, rules, services
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Dossier, RuleSet
from motcua.dossiers.workflow import services as wf

from .conftest import intake
from .workflow_helpers import construction_permit, in_progress, received, refused, t

pytestmark = pytest.mark.django_db

ADMIN = "/quan-tri/dossiers/ruleset"
MISSING = [services.MissingItem("Bản vẽ", "Sai tỉ lệ")]


@pytest.fixture
def permit(org):  # type: ignore[no-untyped-def]
    return construction_permit(org)


@pytest.fixture
def first_row() -> RuleSet:
    """The installation's first rule set, as the data migration (or the first receipt) seeds it."""
    row = rules.ensure_default_rule_set()
    RuleSet.objects.filter(pk=row.pk).update(supplement_rule="restart", supplement_working_days=3,
                                             refusal_status=9, online_clock_from="submission")
    row.refresh_from_db()
    return row


def _supplement_round_trip(people, d: Dossier) -> Dossier:  # type: ignore[no-untyped-def]
    """Cường asks on Tuesday 04/08 for a supplement; it arrives on Monday 10/08 at 09:00."""
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    d = services.request_supplement(people["cuong"], d, MISSING, at=t(2026, 8, 4, 9, 0))
    return services.submit_supplement(people["binh"], d, at=t(2026, 8, 10, 9, 0))


def test_the_rules_in_force_at_receipt_are_copied_into_the_dossier(people, permit, first_row):
    d = received(people, t(2026, 8, 3, 9, 0))
    assert d.rules["key"] == "2025"  # forms and code format, as before
    assert {k: d.rules[k] for k in rules.SWITCH_DEFAULTS} == {
        "supplement_working_days": 3, "supplement_rule": "restart", "refusal_status": 9,
        "online_clock_from": "submission", "consultation_working_days": first_row.consultation_working_days,
        "step_working_days": first_row.step_working_days}
    assert d.rules["switches"]["rule_set"] == first_row.pk and d.rules["switches"]["by_procedure"] == []
    assert Dossier.objects.get(pk=d.pk).rules == d.rules


def test_changing_the_rule_set_after_receipt_leaves_the_dossier_alone(people, permit, first_row):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    kept = dict(Dossier.objects.get(pk=d.pk).rules)
    # The administrator edits the row in force and adds one from the next day: pause, 1-day window, 8.
    RuleSet.objects.filter(pk=first_row.pk).update(supplement_rule="pause", supplement_working_days=1,
                                                   refusal_status=8)
    RuleSet.objects.create(valid_from=dt.date(2026, 8, 4), basis="Thử", supplement_rule="pause",
                           supplement_working_days=1, refusal_status=8)
    # The dossier received on 03/08 still may be asked on 04/08 (3 working days), still restarts in full
    # (10 WD from 10/08; Saturday 22/08 is a working day), and keeps its copy.
    d = _supplement_round_trip(people, d)
    assert d.due_at == t(2026, 8, 22, 9, 0)
    assert d.events.filter(kind=EventKind.CLOCK, reason="restarted").exists()
    d.refresh_from_db()
    assert d.rules == kept
    refused(people, d, "Không phù hợp quy hoạch", t(2026, 8, 11, 9, 0))
    d.refresh_from_db()
    assert d.status == Status.DONE  # 9, as its rule set said at receipt

    # A dossier received after the change gets the new rule: the clock pauses and the time left continues.
    later = in_progress(people, t(2026, 8, 4, 9, 0), transfer_at=t(2026, 8, 4, 9, 30))
    assert later.rules["supplement_rule"] == "pause" and later.rules["refusal_status"] == 8
    assert later.rules["switches"]["valid_from"] == "2026-08-04"
    wf.claim(people["cuong"], later, at=t(2026, 8, 4, 9, 45))
    with pytest.raises(Conflict) as err:  # its window is 1 working day: Wednesday 05/08, to its end
        services.request_supplement(people["cuong"], later, MISSING, at=t(2026, 8, 6, 8, 0))
    assert err.value.code == "supplement_too_late"
    assert "1 working days" in err.value.message or "1 ngày làm việc" in err.value.message
    later = services.request_supplement(people["cuong"], later, MISSING, at=t(2026, 8, 5, 9, 0))
    later = services.submit_supplement(people["binh"], later, at=t(2026, 8, 10, 9, 0))
    assert later.events.filter(kind=EventKind.CLOCK, reason="resumed").exists()
    # 9 working days were left at the pause (05/08 09:00 → 18/08 09:00): they continue from 10/08 09:00.
    assert later.due_at == t(2026, 8, 21, 9, 0)
    refused(people, later, "Không phù hợp quy hoạch", t(2026, 8, 11, 9, 0))
    later.refresh_from_db()
    assert later.status == Status.STOPPED  # 8
    # a refusal that the rule set sends to 8 sets the refusal's date, not the stop's: the audit agrees (issue 21)
    assert later.stopped_at is None and audit.verify([later.pk]).ok


def test_an_environment_change_after_receipt_changes_nothing(people, permit, first_row, settings):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    kept = dict(Dossier.objects.get(pk=d.pk).rules)
    settings.MOTCUA_SUPPLEMENT_RULE = "pause"
    settings.MOTCUA_SUPPLEMENT_WORKING_DAYS = 1
    settings.MOTCUA_REFUSAL_STATUS = 8
    d = _supplement_round_trip(people, d)
    assert d.due_at == t(2026, 8, 22, 9, 0)
    d.refresh_from_db()
    assert d.rules == kept
    # The environment only seeds a new installation: with a row in force, a new dossier follows the row.
    assert received(people, t(2026, 8, 4, 9, 0)).rules["supplement_rule"] == "restart"


def test_the_environment_seeds_the_first_row_once(people, permit, settings):
    RuleSet.objects.all().delete()
    settings.MOTCUA_SUPPLEMENT_RULE = "pause"
    settings.MOTCUA_REFUSAL_STATUS = 8
    settings.MOTCUA_SUPPLEMENT_WORKING_DAYS = 4
    d = received(people, t(2026, 8, 3, 9, 0))
    row = RuleSet.objects.get()
    assert (row.valid_from, row.supplement_rule, row.refusal_status, row.supplement_working_days) == (
        rules.DEFAULT_VALID_FROM, "pause", 8, 4)
    assert d.rules["supplement_rule"] == "pause" and d.rules["supplement_working_days"] == 4
    settings.MOTCUA_SUPPLEMENT_RULE = "restart"
    assert rules.ensure_default_rule_set() == row and RuleSet.objects.count() == 1
    assert received(people, t(2026, 8, 4, 9, 0)).rules["supplement_rule"] == "pause"


def test_the_procedure_versions_exception_wins_over_the_rule_set(people, permit, first_row):
    # Sector law: a 5-working-day window, and the clock pauses.
    ProcedureVersion.objects.filter(procedure=permit).update(supplement_working_days=5, supplement_rule="pause")
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    assert d.snapshot["version"]["supplement_working_days"] == 5
    assert d.rules["supplement_working_days"] == 5 and d.rules["supplement_rule"] == "pause"
    assert sorted(d.rules["switches"]["by_procedure"]) == ["supplement_rule", "supplement_working_days"]
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    # Friday 07/08 is past the rule set's 3 whole working days (Tuesday to Thursday), within the version's 5.
    d = services.request_supplement(people["cuong"], d, MISSING, at=t(2026, 8, 7, 9, 1))
    assert d.status == Status.SUPPLEMENT_REQUESTED
    d = services.submit_supplement(people["binh"], d, at=t(2026, 8, 10, 9, 0))
    assert d.events.filter(kind=EventKind.CLOCK, reason="resumed").exists()


def test_an_online_dossier_keeps_the_rules_of_its_acceptance_day(people, permit, first_row):
    d = services.submit_online(people["an"], intake(channel="online"), at=t(2026, 8, 3, 20, 0))
    # From 04/08 the rules count an online dossier's time from its acceptance.
    RuleSet.objects.create(valid_from=dt.date(2026, 8, 4), basis="Thử", online_clock_from="acceptance")
    d = services.accept(people["binh"], d, at=t(2026, 8, 4, 10, 0))
    assert d.rules["online_clock_from"] == "acceptance"
    assert d.clock_start_at == t(2026, 8, 4, 10, 0)
    assert Dossier.objects.get(pk=d.pk).rules["online_clock_from"] == "acceptance"
    # Under the first row it would have counted from the next working morning after the submission.
    e = services.submit_online(people["an"], intake(channel="online"), at=t(2026, 8, 3, 20, 0))
    RuleSet.objects.filter(valid_from=dt.date(2026, 8, 4)).delete()
    e = services.accept(people["binh"], e, at=t(2026, 8, 4, 10, 0))
    assert e.clock_start_at == t(2026, 8, 4, 8, 0)


def test_the_data_migration_fills_dossiers_without_the_switches(people, permit, first_row):
    d = received(people, t(2026, 8, 3, 9, 0))
    old = {k: v for k, v in d.rules.items() if k not in (*rules.SWITCH_DEFAULTS, "switches")}
    Dossier.objects.filter(pk=d.pk).update(rules=old)
    RuleSet.objects.create(valid_from=dt.date(2026, 9, 1), basis="Sau", supplement_rule="pause")
    migration = importlib.import_module("motcua.dossiers.migrations.0006_rule_set_seed_and_copies")
    migration.forwards(apps, None)
    d.refresh_from_db()
    assert d.rules["key"] == "2025" and d.rules["supplement_rule"] == "restart"  # the row in force at receipt
    assert d.rules["switches"]["rule_set"] == first_row.pk
    assert RuleSet.objects.count() == 2  # nothing seeded when rows exist


def test_admin_edits_with_history_and_validation(client, client_for, people, first_row):
    url = f"{ADMIN}/{first_row.pk}/change/"
    assert client.get(url).status_code == 302
    assert client_for("binh").get(url).status_code in (302, 403)
    ha = client_for("ha")
    assert ha.get(url).status_code == 200
    form = {"valid_from": "2018-06-21", "basis": first_row.basis, "note": "Sửa", "supplement_working_days": "5",
            "supplement_rule": "pause", "refusal_status": "9", "online_clock_from": "submission",
            "consultation_working_days": "5", "step_working_days": "1"}
    assert ha.post(url, form).status_code == 302
    first_row.refresh_from_db()
    assert first_row.supplement_working_days == 5 and first_row.supplement_rule == "pause"
    entry = LogEntry.objects.get_for_object(first_row).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == people["ha"] and "supplement_rule" in entry.changes_dict
    assert ha.get(f"{ADMIN}/{first_row.pk}/auditlog/").status_code == 200
    # Validated: no second row from the same day, values in range.
    add = f"{ADMIN}/add/"
    response = ha.post(add, {**form, "note": ""})
    assert response.status_code == 200 and RuleSet.objects.count() == 1
    response = ha.post(add, {**form, "valid_from": "2026-09-01", "supplement_working_days": "0",
                             "refusal_status": "7"})
    assert response.status_code == 200 and RuleSet.objects.count() == 1
    assert ha.post(add, {**form, "valid_from": "2026-09-01"}).status_code == 302
    assert RuleSet.objects.count() == 2


def test_the_staff_page_shows_the_rules_applied(people, permit, first_row, client_for):
    ProcedureVersion.objects.filter(procedure=permit).update(supplement_working_days=5)
    d = received(people, t(2026, 8, 3, 9, 0))
    page = client_for("binh").get(f"/ho-so/{d.code}/").content.decode()
    assert "Quy định áp dụng" in page and "Bộ quy định có hiệu lực từ ngày 21/06/2018" in page
    assert "5 ngày làm việc" in page and "theo quy định riêng của thủ tục" in page
    assert "Tính lại toàn bộ thời hạn từ khi nhận đủ hồ sơ" in page
