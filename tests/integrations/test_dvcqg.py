"""The synchronisation with DVCQG: the outbox written with the change, the worker against the double over real
HTTP (faults, order, idempotency), records set aside and replayed, the reconciliation, 766 indicator 1.4."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.integrations.dvcqg import reconcile, worker
from motcua.integrations.dvcqg import services as sync_services
from motcua.integrations.dvcqg.client import Client
from motcua.integrations.dvcqg.mapping import DEFAULT, Mapping
from motcua.integrations.models import Reconciliation, RecordKind, SyncRecord, SyncState
from tests.dossiers.conftest import intake, make_procedure, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(org):  # type: ignore[no-untyped-def]
    return make_procedure(org)


def _receive(people, name: str = "Nguyễn Văn An") -> Dossier:  # type: ignore[no-untyped-def]
    from motcua.dossiers.services import Applicant

    data = intake()
    data.applicant = Applicant(name=name, id_number="068090001234", phone="0912345678")
    return services.receive_at_desk(people["binh"], data, [upload()])


def _records(dossier: Dossier) -> list[SyncRecord]:
    return list(SyncRecord.objects.filter(dossier=dossier).order_by("pk"))


def _due_now() -> None:
    SyncRecord.objects.filter(state=SyncState.PENDING).update(next_attempt_at=timezone.now() - dt.timedelta(1))


# --- the outbox --------------------------------------------------------------------------------------------

def test_a_receipt_owes_dvcqg_the_dossier_and_its_first_step_in_the_same_transaction(people, procedure, dvcqg):
    dossier = _receive(people)
    kinds = [(r.kind, r.state) for r in _records(dossier)]
    assert kinds == [(RecordKind.HOSO, SyncState.PENDING), (RecordKind.TIENTRINH, SyncState.PENDING)]
    assert len({r.key for r in _records(dossier)}) == 2


def test_a_corrected_applicant_owes_dvcqg_the_dossier_again(people, procedure, dvcqg):
    """Law 91/2025/QH15 Art. 4: the applicant's details corrected at the applicant's request (the portal's queue)
    are corrected on the national portal's copy too; no processing step is owed for it."""
    dossier = _receive(people)
    before = len(_records(dossier))
    services.correct_applicant(people["binh"], dossier, "address", "14 Trần Phú, Đà Lạt", "Nhập nhầm số nhà")
    new = _records(dossier)[before:]
    assert [(r.kind, r.state) for r in new] == [(RecordKind.HOSO, SyncState.PENDING)]


def test_a_change_that_rolls_back_leaves_no_record(people, procedure, dvcqg):
    before = SyncRecord.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _receive(people)
        assert SyncRecord.objects.count() == before + 2  # written inside the transaction...
        raise RuntimeError("the officer's request dies")
    assert SyncRecord.objects.count() == before  # ...and gone with it
    assert not Dossier.objects.exists()


def test_nothing_is_written_while_the_synchronisation_is_off(people, procedure, settings):
    settings.MOTCUA_DVCQG_SYNC = False
    _receive(people)
    assert not SyncRecord.objects.exists()


def test_an_online_dossier_is_owed_only_once_it_has_a_code(people, procedure, dvcqg):
    dossier = services.submit_online(people["an"], intake(), [upload()])
    assert not _records(dossier)
    services.accept(people["binh"], dossier)
    dossier.refresh_from_db()
    records = _records(dossier)
    assert records and records[0].kind == RecordKind.HOSO


# --- the worker against the double -------------------------------------------------------------------------

def test_the_worker_sends_each_record_in_dvcqgs_shape_and_it_is_acknowledged(people, procedure, dvcqg,
                                                                              dvcqg_client):
    dossier = _receive(people)
    services.transfer(people["binh"], dossier)
    done = worker.drain(client=dvcqg_client)
    assert done.acked == len(_records(dossier)) and done.dead == done.retried == 0
    assert {r.state for r in _records(dossier)} == {SyncState.ACKED}
    dossier.refresh_from_db()
    held = dvcqg.dossiers[dossier.code]
    assert held["TrangThaiHoSo"] == dossier.status and held["MaTTHC"] == "1.013236"
    assert held["KenhThucHien"] == 1 and held["SoGiayToChuHoSo"] == "068090001234"
    # Dates in the compact form, in Vietnam time (the default mapping).
    local = timezone.localtime(dossier.received_at, dt.timezone(dt.timedelta(hours=7)))
    assert held["NgayTiepNhan"] == local.strftime("%Y%m%d%H%M%S")
    assert held["TaiKhoanDuocXacThucVoiVNeID"] == 0 and held["DuocThanhToanTrucTuyen"] == 0
    assert held["TaiLieuNop"][0]["TepDinhKemId"]
    steps = dvcqg.steps[dossier.code]
    assert [s["TrangThai"] for s in steps][:1] == [2]
    assert dvcqg.duplicates == 0 and dvcqg.posts == len(_records(dossier))


def test_the_vneid_flag_travels_with_the_dossier(people, procedure, dvcqg, dvcqg_client):
    dossier = _receive(people)
    Dossier.objects.filter(pk=dossier.pk).update(identity_level="vneid2")
    worker.drain(client=dvcqg_client)
    assert dvcqg.dossiers[dossier.code]["TaiKhoanDuocXacThucVoiVNeID"] == 1


def test_a_failing_dvcqg_is_retried_with_backoff_and_the_dossier_waits_in_order(people, procedure, dvcqg,
                                                                               dvcqg_client):
    dossier = _receive(people)
    dvcqg_client._bearer()  # the token first: the fault is for the record
    dvcqg.faults.fail_next(3, 503)
    before = timezone.now()
    done = worker.push(client=dvcqg_client)
    assert (done.acked, done.retried) == (0, 1)
    head, second = _records(dossier)
    assert head.state == SyncState.PENDING and head.attempts == 1 and head.last_http_status == 503
    # Base 10 s, first retry: between half and all of it.
    assert before + dt.timedelta(seconds=5) <= head.next_attempt_at <= timezone.now() + dt.timedelta(seconds=10)
    assert second.attempts == 0  # not sent before the record ahead of it
    assert worker.push(client=dvcqg_client).sent == 0  # nothing is due yet
    for expected_attempts in (2, 3):
        _due_now()
        worker.push(client=dvcqg_client)
        head.refresh_from_db()
        assert head.attempts == expected_attempts and head.state == SyncState.PENDING
    # The next retry waits longer (exponential): at least half of 10 × 2².
    assert head.next_attempt_at - timezone.now() > dt.timedelta(seconds=19)
    _due_now()
    assert worker.drain(client=dvcqg_client).acked == 2  # DVCQG is back: both, in order
    assert dvcqg.arrivals == [head.key, second.key]


def test_a_timeout_is_retried_and_held_once(people, procedure, dvcqg, dvcqg_client, settings):
    dossier = _receive(people)
    dvcqg_client._bearer()  # the token first: the fault is for the record
    dvcqg.faults.delay_next(1, 3.0)  # longer than the client's 2 s
    assert worker.push(client=dvcqg_client).retried == 1
    assert "Timeout" in _records(dossier)[0].last_error
    _due_now()
    worker.drain(client=dvcqg_client)
    assert {r.state for r in _records(dossier)} == {SyncState.ACKED}
    # The request that timed out is processed there late (after the retry): with the same key, held once.
    deadline = time.monotonic() + 10
    while dvcqg.posts < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(dvcqg.by_key) == 2 and dvcqg.duplicates == 1


def test_an_answer_lost_after_dvcqg_did_the_work_is_sent_again_and_not_duplicated(people, procedure, dvcqg,
                                                                                  dvcqg_client):
    dossier = _receive(people)
    dvcqg_client._bearer()  # the token first: the fault is for the record
    dvcqg.faults.drop_next(1)
    assert worker.push(client=dvcqg_client).retried == 1
    _due_now()
    worker.drain(client=dvcqg_client)
    assert dvcqg.posts == 3 and dvcqg.duplicates == 1 and len(dvcqg.by_key) == 2
    assert {r.state for r in _records(dossier)} == {SyncState.ACKED}


def test_a_record_dvcqg_refuses_is_set_aside_holds_its_dossier_back_and_is_replayed(people, procedure, dvcqg,
                                                                                   dvcqg_client, settings,
                                                                                   client_for, tmp_path):
    bad = json.loads(DEFAULT.read_text())
    bad["drop"] = ["MaTTHC"]  # a mapping that loses a required field
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    settings.MOTCUA_DVCQG_MAPPING = str(path)
    dossier = _receive(people)
    other = _receive(people, "Trần Văn Hải")
    client = Client.from_settings()
    done = worker.drain(client=client)
    assert done.dead == 2  # each dossier's HoSo refused at once (no retry: the same record stays wrong)
    for d in (dossier, other):
        head, step = _records(d)
        assert head.state == SyncState.DEAD and "MaTTHC" in head.last_error and head.attempts == 1
        assert step.state == SyncState.PENDING and step.attempts == 0  # held back behind it
    page = client_for("ha").get(reverse("integrations:sync"))
    assert page.status_code == 200 and "MaTTHC" in page.content.decode()
    settings.MOTCUA_DVCQG_MAPPING = ""  # the province fixes its mapping
    head = _records(dossier)[0]
    response = client_for("ha").post(reverse("integrations:sync_replay", args=[head.pk]))
    assert response.status_code == 302
    worker.drain(client=dvcqg_client)
    assert {r.state for r in _records(dossier)} == {SyncState.ACKED}
    assert _records(other)[0].state == SyncState.DEAD  # only what was replayed
    assert sync_services.replay_all(people["ha"]) == 1
    worker.drain(client=dvcqg_client)
    assert not SyncRecord.objects.exclude(state=SyncState.ACKED).exists()


def test_a_record_out_of_attempts_is_set_aside(people, procedure, dvcqg, dvcqg_client, settings):
    settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 2
    dossier = _receive(people)
    dvcqg.faults.fail_next(5, 502)
    worker.push(client=dvcqg_client)
    _due_now()
    assert worker.push(client=dvcqg_client).dead == 1
    assert _records(dossier)[0].state == SyncState.DEAD


def test_the_token_is_fetched_once_and_again_when_dvcqg_forgets_it(people, procedure, dvcqg, dvcqg_client):
    _receive(people)
    _receive(people, "Trần Văn Hải")
    worker.drain(client=dvcqg_client)
    assert len(dvcqg.tokens) == 1
    dvcqg.tokens.clear()  # DVCQG revoked it
    _receive(people, "Lê Thị Mai")
    assert worker.drain(client=dvcqg_client).acked == 2
    assert len(dvcqg.tokens) == 1


def test_the_mapping_renames_fields_and_formats_dates_as_configured():
    raw = json.loads(DEFAULT.read_text())
    raw["rename"] = {"MaHoSo": "SoHoSo"}
    raw["endpoints"]["HoSo"]["date_format"] = "iso"
    out = Mapping(raw).render("HoSo", {"MaHoSo": "X", "NgayTiepNhan": "2026-12-01T01:02:03.456789+00:00",
                                       "TaiLieuNop": [{"MaHoSo": "Y"}]})
    assert out == {"SoHoSo": "X", "NgayTiepNhan": "2026-12-01T08:02:03.456", "TaiLieuNop": [{"SoHoSo": "Y"}]}


# --- reconciliation and 766 ------------------------------------------------------------------------------

def test_the_reconciliation_finds_the_dossier_dvcqg_lost_and_a_resend_mends_it(people, procedure, dvcqg,
                                                                             dvcqg_client, client_for):
    kept = _receive(people)
    lost = _receive(people, "Trần Văn Hải")
    worker.push(client=dvcqg_client, dossier_ids=[kept.pk])
    dvcqg.lose_next(len(_records(lost)))  # acknowledged, then lost
    worker.push(client=dvcqg_client, dossier_ids=[lost.pk])
    assert {r.state for r in SyncRecord.objects.all()} == {SyncState.ACKED}
    today = timezone.localdate()
    report = reconcile.run(today, today, client=dvcqg_client)
    assert (report.expected, report.acknowledged, report.remote) == (2, 2, 1)
    assert [m["code"] for m in report.missing] == [lost.code] and not report.mismatched and not report.unknown
    response = client_for("ha").post(reverse("integrations:sync_resend", args=[lost.pk]))
    assert response.status_code == 302
    worker.drain(client=dvcqg_client)
    again = reconcile.run(today, today, client=dvcqg_client)
    assert again.all_clear and again.remote == 2
    assert Reconciliation.objects.count() == 2


def test_the_reconciliation_reports_a_dvcqg_it_cannot_ask(people, procedure, dvcqg, dvcqg_client):
    _receive(people)
    dvcqg.faults.fail_next(1, 500)
    today = timezone.localdate()
    report = reconcile.run(today, today, client=dvcqg_client)
    assert "500" in report.error and not report.all_clear


def test_766_indicator_1_4_counts_the_acknowledged_dossiers(people, procedure, dvcqg, dvcqg_client):
    from motcua.stats import index766, kpi

    synced = _receive(people)
    _receive(people, "Trần Văn Hải")
    worker.push(client=dvcqg_client, dossier_ids=[synced.pk])
    today = timezone.localdate()
    index = index766.compute(kpi.Scope(), today, today)
    row = next(i for g in index["groups"] for i in g["indicators"] if i["id"] == "1.4")
    assert (row["numerator"], row["denominator"]) == (1, 2)


# --- pages -------------------------------------------------------------------------------------------------

def test_the_sync_page_is_for_administrators(people, client_for, client):
    url = reverse("integrations:sync")
    assert client.get(url).status_code == 302
    assert client_for("an").get(url).status_code == 403
    assert client_for("binh").get(url).status_code == 403
    assert client_for("ha").get(url).status_code == 200
    assert client_for("binh").post(reverse("integrations:sync_replay_all")).status_code == 403


def test_the_dossier_page_shows_its_synchronisation(people, procedure, dvcqg, dvcqg_client, client_for):
    dossier = _receive(people)
    url = reverse("dossiers:detail", args=[dossier.public_id])
    assert "sync-pending" in client_for("binh").get(url).content.decode()
    worker.drain(client=dvcqg_client)
    page = client_for("binh").get(url).content.decode()
    assert "sync-synced" in page


def test_backfill_owes_the_dossiers_received_before_the_synchronisation(people, procedure, settings, dvcqg,
                                                                         dvcqg_client):
    settings.MOTCUA_DVCQG_SYNC = False
    dossier = _receive(people)
    assert not _records(dossier)
    settings.MOTCUA_DVCQG_SYNC = True
    assert sync_services.backfill() == 1 and sync_services.backfill() == 0
    worker.drain(client=dvcqg_client)
    assert dvcqg.dossiers[dossier.code]["TrangThaiHoSo"] == dossier.status


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_with_answers_out_of_order_keep_each_dossiers_order(people, procedure, dvcqg,
                                                                                 settings):
    from django.db import connection

    from tests.conftest import at_once

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("in-memory SQLite is one connection: two workers at once run on PostgreSQL (CI)")
    settings.MOTCUA_DVCQG_URL = ""  # the on-commit pushes find no DVCQG: the records wait for the workers
    dossiers = [_receive(people, f"Người nộp {i}") for i in range(4)]
    for d in dossiers:
        services.transfer(people["binh"], d)
    owed = SyncRecord.objects.count()
    settings.MOTCUA_DVCQG_URL = dvcqg.url
    # Answers come back out of order: slow, fast, slow, fast...
    dvcqg.hold(*([0.2, 0.0, 0.15, 0.0] * 20))

    def work() -> worker.Pushed:
        client = Client.from_settings()
        try:
            return worker.drain(client=client)
        finally:
            client.close()

    results, errors = at_once(2, work)
    assert not errors
    assert sum(r.acked for r in results) == owed
    assert len(dvcqg.by_key) == owed and dvcqg.duplicates == 0  # no record sent by both workers
    order = {key: i for i, key in enumerate(dvcqg.arrivals)}
    for d in dossiers:
        keys = [r.key for r in _records(d)]
        assert [order[k] for k in keys] == sorted(order[k] for k in keys)  # held in the dossier's order


def test_the_sync_api_by_role(people, procedure, dvcqg, dvcqg_client, client_for, client, settings, tmp_path):
    bad = json.loads(DEFAULT.read_text())
    bad["drop"] = ["MaTTHC"]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    settings.MOTCUA_DVCQG_MAPPING = str(tmp_path / "bad.json")
    dossier = _receive(people)
    worker.drain(client=Client.from_settings())
    one = f"/api/v1/integrations/sync/dossiers/{dossier.code}"
    assert client.get(one).status_code == 401
    assert client_for("an").get(one).status_code == 404  # a citizen, even the applicant: staff only
    assert client_for("khanh").get(one).status_code == 404  # another agency's officer
    body = client_for("binh").get(one).json()
    assert body["state"] == "dead" and body["records"][0]["kind"] == "HoSo" and "MaTTHC" in body["last_error"]
    assert client_for("binh").get("/api/v1/integrations/sync").status_code == 403
    summary = client_for("ha").get("/api/v1/integrations/sync").json()
    assert summary["dead"] == 1 and summary["held_back"] == 1
    record = summary["dead_records"][0]["id"]
    replay = f"/api/v1/integrations/sync/records/{record}/replay"
    assert client_for("binh").post(replay).status_code == 403
    settings.MOTCUA_DVCQG_MAPPING = ""
    answer = client_for("ha").post(replay)
    assert answer.status_code == 200 and answer.json()["state"] == "pending"
    assert client_for("ha").post(replay).status_code == 409  # no longer set aside
    worker.drain(client=dvcqg_client)
    assert client_for("binh").get(one).json()["state"] == "synced"
