"""Issue 21, "backups that restore": the drill. A dossier with an attachment and an issued receipt is backed up
(``motcua.core.backup``, the same code as ``motcua backup``), the installation is wiped (a new, empty database and
an empty file folder in another process), the archive restored with ``motcua restore``, and then ``motcua audit
verify`` passes, the rows per table and the files' hashes equal the backup's, and the receipt opens (the old
documented SQLite copy lost every file: the receipt answered 500). Runs on the suite's engine: SQLite in
``make test``, PostgreSQL (pg_dump in an exported snapshot, pg_restore) in the PostgreSQL suite."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from motcua.core import backup
from motcua.core.storagewalk import walk
from motcua.dossiers import issuing, services
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import intake, upload

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed


def _fresh_installation(tmp_path: Path) -> tuple[dict[str, str], str | None]:
    """The environment of an empty installation on the suite's engine, and the PostgreSQL database to drop."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": str(ROOT / "src"),
           "MOTCUA_VAR_DIR": str(tmp_path / "restored"), "MOTCUA_MEDIA_ROOT": str(tmp_path / "restored" / "media"),
           "MOTCUA_AUDIT_KEY": AUDIT_KEY}
    for name in ("MOTCUA_ENV", "MOTCUA_TASKS_BACKEND", "MOTCUA_DEBUG", "MOTCUA_STORAGE_URL"):
        env.pop(name, None)
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return env, None
    db = connection.settings_dict
    name = f"drill_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    return env, name


def _motcua(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "motcua", *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


# What the restored installation serves: the receipt as the desk officer's token fetches it, hashed.
_FETCH = """
import hashlib, sys
import django
django.setup()
from django.test import Client
response = Client().get(f"/api/v1/dossiers/{sys.argv[1]}/forms/receipt", HTTP_AUTHORIZATION=sys.argv[2],
                        HTTP_HOST="127.0.0.1")
print(response.status_code, response.get("X-Form-Preview", ""), hashlib.sha256(response.content).hexdigest())
"""


AUDIT_KEY = "drill-audit-key-" + "k" * 32  # kept apart from the archive, given to the restored installation


def test_backup_wipe_restore_verify(people, procedure, token_for, tmp_path, settings):
    settings.MOTCUA_AUDIT_KEY = AUDIT_KEY
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    receipt = issuing.read(issuing.issue(people["binh"], d, "receipt"))
    token = token_for("binh")
    stored = sorted(name for name, _ in walk(default_storage))
    assert len(stored) >= 2, stored  # the attachment and the issued receipt

    archive = tmp_path / "motcua.tar"
    report = backup.create(archive)
    manifest = backup.check(archive)
    assert manifest["database"] == connection.vendor
    assert manifest["tables"]["dossiers_dossier"] == 1
    assert manifest["files"]["count"] == len(stored)

    env, database = _fresh_installation(tmp_path)
    try:
        restored = _motcua(env, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        assert "each checked" in restored.stdout
        audit = _motcua(env, "audit", "verify")
        assert audit.returncode == 0 and "intact" in audit.stdout, audit.stdout + audit.stderr
        fetched = subprocess.run([sys.executable, "-c", _FETCH, d.code, token], env=env, capture_output=True,
                                 text=True, timeout=300, check=False)
        assert fetched.stdout.split() == ["200", hashlib.sha256(receipt).hexdigest()], fetched.stderr
        again = _motcua(env, "restore", str(archive))  # an installation with data is not overwritten silently
        assert again.returncode == 1 and "already holds data" in again.stderr
        for name in stored:
            assert (tmp_path / "restored" / "media" / name).read_bytes() == default_storage.open(name).read()
    finally:
        if database:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    assert report.manifest["path"] == str(archive)


def test_a_damaged_archive_is_refused_before_anything_is_touched(people, procedure, tmp_path):
    services.receive_at_desk(people["binh"], intake(), [upload()])
    archive = tmp_path / "motcua.tar"
    backup.create(archive)
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith(backup.FILES))
        offset = member.offset_data
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0xFF  # one flipped byte in one attachment
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("backup", check=damaged, stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(damaged), replace=True, stdout=io.StringIO())
    assert Dossier.objects.count() == 1  # nothing was replaced
    with pytest.raises(CommandError, match=r"not a motcua backup|cannot be read"):
        call_command("backup", check=archive.with_name("missing.tar"), stdout=io.StringIO())


def test_the_manifest_counts_what_the_dump_holds(people, procedure, tmp_path):
    for _ in range(3):
        services.receive_at_desk(people["binh"], intake())
    archive = tmp_path / "motcua.tar"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert "rows in" in out.getvalue()
    with tarfile.open(archive) as tar:
        raw = tar.extractfile(backup.MANIFEST)
        assert raw is not None
        manifest = json.loads(raw.read())
    assert manifest["tables"]["dossiers_dossier"] == 3
    assert manifest["tables"]["dossiers_dossierevent"] == DossierEvent.objects.count()
    assert "dossiers" in manifest["migrations"]
    assert backup.compare(manifest) == []  # the live installation is what was backed up
