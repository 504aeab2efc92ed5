"""Tamper evidence (issue 21, finding 3; docs/security.md §3): each tampering of the probe, done with raw SQL as
the probe did it, is reported by ``motcua audit verify``; every broken dossier is named, with its reason."""

# ruff: noqa: S608 - raw SQL is the point here (the probe's tamperings); the tables and clauses are the test's own

from __future__ import annotations

import gzip
import json

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from motcua.core.management.commands.scheduler import run_job, schedule
from motcua.dossiers import audit, events, services
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import intake, upload

T = "dossiers_dossierevent"


@pytest.fixture
def made(people, procedure):  # type: ignore[no-untyped-def]
    """Three received dossiers of four events each (created, document, code... as the desk does it)."""
    out = []
    for _ in range(3):
        d = services.receive_at_desk(people["binh"], intake(), [upload()])
        services.request_withdrawal(people["binh"], d, "Rút hồ sơ")
        d.refresh_from_db()
        out.append(d)
    return out


def _sql(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _drop_guard() -> None:
    """What an attacker with the database's owner rights does first."""
    if connection.vendor == "postgresql":
        _sql("SET CONSTRAINTS ALL IMMEDIATE")
        _sql(f"ALTER TABLE {T} DISABLE TRIGGER dossiers_event_no_update")
    else:
        _sql("DROP TRIGGER dossiers_event_no_update")
        _sql("DROP TRIGGER dossiers_event_no_delete")


def _delete_events(where: str, params: list[object]) -> None:
    """Delete events with raw SQL, and the dispatches still owed for them (their foreign key is checked)."""
    _sql(f"DELETE FROM dossiers_pendingdispatch WHERE event_id IN (SELECT id FROM {T} WHERE {where})", params)
    _sql(f"DELETE FROM {T} WHERE {where}", params)


def _problems(**kwargs: object) -> list[audit.BrokenLink]:
    return audit.verify(**kwargs).problems  # type: ignore[arg-type]


def _reasons(problems: list[audit.BrokenLink], dossier: Dossier) -> set[str]:
    return {p.reason for p in problems if p.dossier == dossier.public_id}


def _recompute_with_sha256(dossier_id: int, *, as_before_keys: bool = False) -> None:
    """Rewrite a chain with the public, unkeyed SHA-256 (as the probe did), marking it as made before keys;
    ``as_before_keys``: also without the applicant's MAC, as the former release wrote its intake events."""
    prev = ""
    for e in DossierEvent.objects.filter(dossier_id=dossier_id).order_by("seq"):
        e.prev_hash = prev
        if as_before_keys:
            e.data.pop("applicant_mac", None)
        h = events.event_digest(e)  # no key: the old, public scheme
        _sql(f"UPDATE {T} SET prev_hash = %s, hash = %s, key_id = NULL, data = %s WHERE id = %s",
             [prev, h, json.dumps(e.data), e.pk])
        prev = h
    _sql("UPDATE dossiers_dossier SET last_event_hash = %s WHERE id = %s", [prev, dossier_id])


def test_an_intact_log_verifies_with_and_against_a_checkpoint(made, capsys):
    assert audit.verify().ok
    call_command("audit", "checkpoint")
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "Checkpoint written" in out and "checked against 1 checkpoint(s)" in out


def test_new_events_are_keyed_with_hmac_not_plain_sha256(made):
    e = DossierEvent.objects.filter(dossier=made[0]).order_by("seq").first()
    kid, ring = events.keyring()
    assert e.key_id == kid and e.hash == events.event_digest(e, ring[kid]) != events.event_digest(e)


# --- (a) the three tamperings that left "every chain intact" -------------------------------------------------

def test_last_event_deleted_and_head_rolled_back_is_caught_by_the_checkpoint(made):
    d = made[0]
    call_command("audit", "checkpoint")
    _drop_guard()
    last = DossierEvent.objects.get(dossier=d, seq=d.event_count)
    _delete_events("id = %s", [last.pk])
    _sql("UPDATE dossiers_dossier SET event_count = %s, last_event_hash = %s WHERE id = %s",
         [d.event_count - 1, last.prev_hash, d.pk])
    problems = _problems()
    # the last event was the withdrawal request: the row's status (7) no longer follows from the history either
    assert _reasons(problems, d) == {"checkpoint", "row"}
    assert "events removed" in str(problems[0]) and d.public_id in str(problems[0])
    with pytest.raises(CommandError, match="1 dossier"):
        call_command("audit", "verify")


def test_dossier_deleted_with_its_events_is_caught_by_the_checkpoint(made):
    d = made[1]
    call_command("audit", "checkpoint")
    _drop_guard()
    _delete_events("dossier_id = %s", [d.pk])
    for table in ("dossiers_attachment", "dossiers_dossierdocument", "documents_issuedform"):
        _sql(f"DELETE FROM {table} WHERE dossier_id = %s", [d.pk])
    _sql("DELETE FROM dossiers_dossier WHERE id = %s", [d.pk])
    problems = _problems()
    assert [(p.dossier, p.reason) for p in problems] == [(d.public_id, "checkpoint")]
    assert "not in the database (deleted)" in problems[0].problem


def test_dossier_row_deleted_leaving_its_events_is_reported(made):
    d = made[1]
    if connection.vendor == "postgresql":
        _sql("SET CONSTRAINTS ALL IMMEDIATE")
        _sql(f"ALTER TABLE {T} DROP CONSTRAINT IF EXISTS {T}_dossier_id_fk")
        with connection.cursor() as cursor:
            cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                           "AND confrelid = 'dossiers_dossier'::regclass", [T])
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {T} DROP CONSTRAINT "{name}"')
    else:
        _sql("PRAGMA defer_foreign_keys = ON")
    for table in ("dossiers_attachment", "dossiers_dossierdocument", "documents_issuedform"):
        _sql(f"DELETE FROM {table} WHERE dossier_id = %s", [d.pk])
    _sql("DELETE FROM dossiers_dossier WHERE id = %s", [d.pk])
    problems = _problems(checkpoints="none")
    assert [(p.dossier, p.reason) for p in problems] == [(f"#{d.pk}", "head")]
    assert f"{d.event_count} events whose dossier row is gone" in problems[0].problem
    _sql(f"DELETE FROM dossiers_pendingdispatch WHERE event_id IN (SELECT id FROM {T} WHERE dossier_id = %s)", [d.pk])
    if connection.vendor == "sqlite":  # the test's own cleanup, so that the deferred keys hold at its end
        with events.deletable(connection):
            _sql(f"DELETE FROM {T} WHERE dossier_id = %s", [d.pk])


def test_chain_recomputed_with_plain_sha256_is_caught(made):
    """Without the key, a rewritten chain is either unkeyed (a downgrade: newer than the first keyed event) or
    fails its HMAC; with a checkpoint, its head differs from the one recorded too."""
    oldest, d, keep = made
    call_command("audit", "checkpoint")
    _drop_guard()
    for x in (oldest, d):
        _sql(f"UPDATE {T} SET reason = 'Không rút' WHERE dossier_id = %s AND seq = %s", [x.pk, x.event_count])
        _recompute_with_sha256(x.pk)
    problems = _problems()
    assert _reasons(problems, oldest) == _reasons(problems, d) == {"downgrade", "checkpoint"}
    assert _reasons(problems, keep) == set()
    # without any checkpoint, still caught: the unkeyed events are newer than a keyed one (``keep``'s first), or
    # their intake event carries the applicant's MAC, which only a keyed release writes
    assert _reasons(_problems(checkpoints="none"), d) == {"downgrade"}
    assert _reasons(_problems(checkpoints="none"), oldest) == {"downgrade"}


def test_chain_recomputed_keeping_its_key_id_fails_the_hmac(made):
    d = made[2]
    _drop_guard()
    prev = ""
    for e in DossierEvent.objects.filter(dossier=d).order_by("seq"):
        e.prev_hash = prev
        if e.seq == 1:
            e.data = {**e.data, "channel": "online"}
        h = events.event_digest(e)
        _sql(f"UPDATE {T} SET prev_hash = %s, hash = %s, data = %s WHERE id = %s",
             [prev, h, json.dumps(e.data), e.pk])
        prev = h
    _sql("UPDATE dossiers_dossier SET last_event_hash = %s WHERE id = %s", [prev, d.pk])
    problems = _problems(checkpoints="none")
    assert [(p.reason, p.seq) for p in problems] == [("content", 1)] and "HMAC" in problems[0].problem


# --- (b) every broken dossier, not the first ------------------------------------------------------------------

def test_verify_reports_every_broken_dossier_with_its_reason(made, capsys):
    a, b, c = made
    _drop_guard()
    _sql(f"UPDATE {T} SET reason = 'x' WHERE dossier_id = %s AND seq = 2", [a.pk])
    _delete_events("dossier_id = %s AND seq = %s", [b.pk, b.event_count])
    _sql("UPDATE dossiers_dossier SET status = %s WHERE id = %s", [Status.RETURNED, c.pk])
    problems = _problems()
    assert (_reasons(problems, a), _reasons(problems, b), _reasons(problems, c)) == (
        {"content"}, {"head", "row"}, {"row"})
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify")
    message = str(err.value)
    assert message.startswith("3 dossier(s) broken")
    assert all(x.public_id in message for x in made)
    out = capsys.readouterr().out
    assert all(x.public_id in out for x in made)


def test_the_compatible_verify_still_answers_the_first_problem(made):
    _drop_guard()
    _sql(f"UPDATE {T} SET reason = 'x' WHERE dossier_id = %s AND seq = 2", [made[1].pk])
    checked, broken = events.verify()
    assert checked == sum(x.event_count for x in made)
    assert broken is not None and broken.dossier == made[1].public_id and broken.seq == 2


# --- (c) the dossier row against its history -------------------------------------------------------------------

def test_row_edited_behind_the_history_is_reported(made):
    """The probe's ``update dossiers_dossier set status=10, applicant_name='Hacked'``: no event touched."""
    d = made[0]
    _sql("UPDATE dossiers_dossier SET status = 10, applicant_name = 'Hacked' WHERE id = %s", [d.pk])
    problems = _problems()
    assert {p.reason for p in problems} == {"row"} and {p.dossier for p in problems} == {d.public_id}
    text = " | ".join(p.problem for p in problems)
    assert "status is 10 on the row, 7 after its history" in text
    assert "applicant's fields differ" in text


@pytest.mark.parametrize(("column", "value"), [
    ("applicant_id_number", "001099009999"), ("applicant_phone", "0900000000"), ("code", "X.1"),
    ("due_at", "2031-01-01 00:00:00"), ("received_at", "2020-01-01 00:00:00"), ("returned_at", "2030-01-01 00:00:00"),
])
def test_each_replayed_field_of_the_row_is_checked(made, column, value):
    d = made[0]
    _sql(f"UPDATE dossiers_dossier SET {column} = %s WHERE id = %s", [value, d.pk])
    problems = _problems()
    assert [p.reason for p in problems] == ["row"]
    assert (column.removeprefix("applicant_") in problems[0].problem or "applicant" in problems[0].problem)


def test_a_dossier_row_without_history_is_reported(made):
    d = made[0]
    _drop_guard()
    _delete_events("dossier_id = %s", [d.pk])
    _sql("UPDATE dossiers_dossier SET event_count = 0, last_event_hash = '' WHERE id = %s", [d.pk])
    assert "the dossier has no history" in " ".join(p.problem for p in _problems())


def test_the_row_replay_follows_the_lifecycle(people, procedure):
    """A dossier through supplement, refusal and stop keeps a row that agrees with its history."""
    services.receive_at_desk(people["binh"], intake(outcome="refuse", reason="Thiếu giấy tờ"), [upload()])
    stopped = services.receive_at_desk(people["binh"], intake(), [upload()])
    services.request_withdrawal(people["binh"], stopped, "Rút hồ sơ")
    services.stop(people["binh"], stopped, "Đã rút")
    online = services.submit_online(people["an"], intake())
    services.refuse_intake(people["binh"], online, "Không thuộc thẩm quyền")
    assert audit.verify().ok, audit.verify().problems


# --- (d) deleting events ------------------------------------------------------------------------------------

def test_the_database_refuses_to_delete_an_event(made):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql(f"DELETE FROM {T} WHERE dossier_id = %s", [made[0].pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(dossier=made[0], seq=1).delete()
    assert DossierEvent.objects.filter(dossier=made[0]).count() == made[0].event_count


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_lets_only_a_flush_delete_events(made):
    with events.deletable(connection):
        _delete_events("dossier_id = %s AND seq = %s", [made[0].pk, made[0].event_count])
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(f"DELETE FROM {T} WHERE dossier_id = %s", [made[1].pk])


# --- keys, versions, checkpoints ------------------------------------------------------------------------------

def test_events_chained_before_keys_still_verify_and_then_continue_keyed(people, procedure):
    """An installation upgraded from plain SHA-256: its chains are not re-chained (that would launder
    tampering) but verified as made; the next event is keyed and links to the old head."""
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    _drop_guard()
    # as the data of the former release were: no other keyed event exists
    _recompute_with_sha256(d.pk, as_before_keys=True)
    assert audit.verify().ok
    call_command("audit", "checkpoint")
    services.request_withdrawal(people["binh"], Dossier.objects.get(pk=d.pk), "Rút hồ sơ")
    chain = list(DossierEvent.objects.filter(dossier=d).order_by("seq"))
    assert chain[0].key_id is None and chain[-1].key_id == events.keyring()[0]
    assert audit.verify().ok


def test_key_rotation_keeps_old_events_verifiable(people, procedure, settings):
    settings.MOTCUA_AUDIT_KEY = "first-key-" + "a" * 32
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    first = DossierEvent.objects.filter(dossier=d).first().key_id
    settings.MOTCUA_AUDIT_KEY, settings.MOTCUA_AUDIT_OLD_KEYS = "second-key-" + "b" * 32, ["first-key-" + "a" * 32]
    services.request_withdrawal(people["binh"], Dossier.objects.get(pk=d.pk), "Rút hồ sơ")
    kids = list(DossierEvent.objects.filter(dossier=d).order_by("seq").values_list("key_id", flat=True))
    assert kids[0] == first and kids[-1] != first
    assert audit.verify().ok
    settings.MOTCUA_AUDIT_OLD_KEYS = []
    problems = audit.verify().problems
    assert problems and problems[0].reason == "key" and first in problems[0].problem


def test_a_forged_or_altered_checkpoint_is_reported(made, settings):
    path = audit.write_checkpoint()
    body = json.loads(gzip.decompress(path.read_bytes()))
    body["dossiers"] = [row for row in body["dossiers"] if row[0] != made[0].pk]  # hide a dossier from it
    path.chmod(0o640)
    path.write_bytes(gzip.compress(json.dumps(body).encode()))
    problems = audit.verify().problems
    assert [p.reason for p in problems] == ["checkpoint"] and "signature" in problems[0].problem


def test_the_checkpoint_is_scheduled_and_written_outside_the_database(made, settings, tmp_path):
    settings.MOTCUA_AUDIT_CHECKPOINT_DIR = tmp_path / "anchor"
    assert schedule()["audit checkpoint"] == 24 * 3600
    assert run_job("audit checkpoint")
    [path] = audit.checkpoint_files()
    body = json.loads(gzip.decompress(path.read_bytes()))
    assert {row[0]: row[2:] for row in body["dossiers"]} == {d.pk: [d.event_count, d.last_event_hash] for d in made}
    assert body["key_id"] == events.keyring()[0] and body["created_at"] and body["mac"]
    assert oct(path.stat().st_mode & 0o777) == "0o440"


def test_production_requires_its_own_audit_key(settings):
    settings.ENV = "production"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"
    settings.MOTCUA_AUDIT_KEY = ""
    assert "motcua.E002" in {m.id for m in run_checks()}
    settings.MOTCUA_AUDIT_KEY = "z" * 40
    assert "motcua.E002" not in {m.id for m in run_checks()}


def test_an_applicant_mac_is_bound_in_the_intake_event(made):
    created = DossierEvent.objects.get(dossier=made[0], kind=EventKind.CREATED)
    bound = created.data["applicant_mac"]
    assert bound["key"] == events.keyring()[0] and "068090001234" not in json.dumps(created.data)
