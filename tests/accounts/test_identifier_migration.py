"""Migration 0007: before two accounts are forbidden to share an e-mail or phone, the duplicates an installation
already holds are settled — one account keeps the address, the others lose it (recorded in the audit log and in
the migration's output), nobody is merged or deleted — so that the constraints of 0008 can be created."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0006_security_keys")]


@pytest.mark.django_db(transaction=True)
def test_duplicates_are_kept_on_one_account_and_emptied_on_the_others(capsys):
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        User = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
        recent = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        old = User.objects.create(username="an-cu", email="An@Example.vn", phone="0912 345 678",
                                  last_login=recent - dt.timedelta(days=300))
        new = User.objects.create(username="an-moi", email="an@example.vn", phone="+84912345678",
                                  last_login=recent)
        disabled = User.objects.create(username="an-khoa", email="AN@EXAMPLE.VN", is_active=False,
                                       last_login=recent + dt.timedelta(days=1))
        # The account whose user name is the address keeps it even though another signed in more recently.
        owner = User.objects.create(username="0977123456", phone="0977123456")
        other = User.objects.create(username="binh", phone="0977 123 456", last_login=recent)
        alone = User.objects.create(username="cuong", email="cuong@example.vn", phone="0263 3822123 (lẻ 5)")
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        call_command("migrate", verbosity=0)

    from motcua.accounts.models import User as Current

    def held(user) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        row = Current.objects.get(pk=user.pk)
        return row.email, row.phone

    assert held(new) == ("an@example.vn", "0912345678")  # active, most recent sign-in
    assert held(old) == ("", "")
    assert held(disabled) == ("", "")  # a disabled account gives way to an active one
    assert held(owner) == ("", "0977123456") and held(other) == ("", "")
    assert held(alone) == ("cuong@example.vn", "0263 3822123 (lẻ 5)")  # not a plain number: as typed
    # Nobody merged or removed: each keeps the user name it signs in with.
    assert Current.objects.filter(username__in=["an-cu", "an-moi", "an-khoa", "0977123456", "binh"]).count() == 5
    entries = {(e.object_id, tuple(e.changes)) : e for e in LogEntry.objects.filter(
        additional_data__migration="accounts.0007_identifier_duplicates")}
    assert set(entries) == {(old.pk, ("email",)), (old.pk, ("phone",)), (disabled.pk, ("email",)),
                            (other.pk, ("phone",))}
    assert entries[(old.pk, ("email",))].changes == {"email": ["An@Example.vn", ""]}
    assert entries[(other.pk, ("phone",))].changes == {"phone": ["0977123456", ""]}
    output = capsys.readouterr().out
    assert f"the email of account {new.pk} was also held by account(s) {old.pk}, {disabled.pk}" in output
    assert f"the phone of account {owner.pk} was also held by account(s) {other.pk}" in output
    assert "@" not in output  # the ids, not the addresses, go to the console and its logs


@pytest.mark.django_db(transaction=True)
def test_an_installation_without_duplicates_migrates_silently(capsys):
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        User = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
        User.objects.create(username="an", email="an@example.vn", phone="0912345678")
        User.objects.create(username="binh")
        User.objects.create(username="cuong")
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        call_command("migrate", verbosity=0)
    assert "accounts.0007" not in capsys.readouterr().out
    assert not LogEntry.objects.filter(additional_data__migration="accounts.0007_identifier_duplicates").exists()
