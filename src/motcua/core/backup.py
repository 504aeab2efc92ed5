"""Backups that restore: the database and every stored file in one archive, checked before anything is touched.

An archive is a plain tar file (the dump and the files are compressed already, or are PDFs and images):

- ``database.dump`` — PostgreSQL: ``pg_dump --format=custom`` taken in an exported snapshot, so that the row
  counts written beside it describe exactly the dump; SQLite: a copy made by SQLite's online backup API.
- ``files/<name>`` — every file of the default storage (local folder or object store), read through the storage
  API. The database is copied first: a file is written before the row that names it commits
  (motcua.dossiers.files), so every file the copied rows name was already there when the files were read; a
  file added in between is only an orphan, which the files sweep removes.
- ``manifest.json`` — last: the format, the engine, the migrations applied, the rows per table, and the SHA-256
  of every other member.

``restore`` verifies every checksum first, refuses a database that already holds data unless asked to replace it,
loads the dump, writes the files, and then compares the restored rows per table with the manifest. Secrets are
not in the archive (``SECRET_KEY``, the audit key, signing keys): they are kept and restored apart
(docs/operations.md "Backups"). The archive holds citizens' personal data: store it encrypted and access-controlled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, connections, transaction

from .storagewalk import walk

FORMAT = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
FILES = "files/"
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup that cannot be made or an archive that cannot be restored; the message says why."""


@dataclass
class Report:
    manifest: dict[str, Any]
    seconds: float
    mismatches: list[str] = field(default_factory=list)


def _vendor() -> str:
    return connection.vendor  # "postgresql" or "sqlite"


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict  # the connection's own (a test run's test database, not the configured one)
    env = {**os.environ, "PGDATABASE": str(db["NAME"]), "PGUSER": str(db.get("USER") or ""),
           "PGHOST": str(db.get("HOST") or ""), "PGPORT": str(db.get("PORT") or "")}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return {k: v for k, v in env.items() if v}


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = shutil.which(tool)
    if not path:
        raise BackupError(f"{tool} is not installed (Debian: apt install postgresql-client).")
    # Fixed arguments: the database's own names and temporary paths, no user text.
    return subprocess.run([path, *args], env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603


def _pg_tables() -> list[str]:
    # Partitions are counted with their parent (a count of the parent includes them); views are not data.
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
                       "ORDER BY c.relname")
        return [row[0] for row in cursor.fetchall()]


def _counts(cursor: Any, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 — names from the catalogue
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor: Any) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _dump_postgresql(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Rows counted and the dump taken in one snapshot: REPEATABLE READ exports it, pg_dump reads in it."""
    if getattr(settings, "DB_PGBOUNCER", False):
        # Transaction pooling cannot keep the exported snapshot's session for pg_dump.
        raise BackupError("Through PgBouncer in transaction mode a snapshot cannot be shared with pg_dump: "
                          "back up against the primary directly (DATABASE_URL pointing at PostgreSQL's port).")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _counts(cursor, _pg_tables(), connection.ops.quote_name)
        applied = _migrations(cursor)
        result = _run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      f"--file={target}")
    if result.returncode:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return counts, applied


def _dump_sqlite(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # the online backup API: a consistent copy while others write
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                       "ORDER BY name")
        tables = [row[0] for row in cursor.fetchall()]
        return _counts(cursor, tables, lambda name: '"' + name.replace('"', '""') + '"'), _migrations(cursor)
    finally:
        copy.close()


class _Hashing(io.RawIOBase):
    """Reads through ``inner`` and hashes what passes, so that a file is read once to copy and to check it."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner, self.sha = inner, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        self.sha.update(data)
        buffer[:len(data)] = data
        return len(data)


def _sha256(stream: IO[bytes]) -> str:
    sha = hashlib.sha256()
    while chunk := stream.read(_CHUNK):
        sha.update(chunk)
    return sha.hexdigest()


def default_path() -> Path:
    folder = Path(getattr(settings, "MOTCUA_BACKUP_DIR", "") or Path(settings.VAR_DIR) / "backups")
    return folder / f"motcua-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}.tar"


def create(path: Path | None = None, storage: Storage | None = None) -> Report:
    """Write the archive to ``path`` (a temporary name, renamed when complete: a half-written backup never
    carries the final name)."""
    started = time.monotonic()
    storage = storage or default_storage
    path = path or default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DUMP
        counts, applied = (_dump_postgresql if vendor == "postgresql" else _dump_sqlite)(dump)
        checksums: dict[str, str] = {}
        size = 0
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            with dump.open("rb") as stream:
                checksums[DUMP] = _sha256(stream)
            archive.add(dump, arcname=DUMP)
            for name, _ in walk(storage):
                info = tarfile.TarInfo(FILES + name)
                info.size, info.mtime = storage.size(name), int(time.time())
                with storage.open(name, "rb") as stream:
                    hashing = _Hashing(stream)
                    archive.addfile(info, io.BufferedReader(hashing, _CHUNK))
                checksums[info.name] = hashing.sha.hexdigest()
                size += info.size
            manifest = {
                "format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": vendor, "tables": counts, "migrations": applied,
                "files": {"count": len(checksums) - 1, "bytes": size}, "sha256": checksums}
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(time.time())
            archive.addfile(info, io.BytesIO(body))
    os.replace(partial, path)
    return Report(manifest=manifest | {"path": str(path)}, seconds=time.monotonic() - started)


def check(path: Path) -> dict[str, Any]:
    """The archive's manifest once every member's checksum has been verified; BackupError names what is wrong."""
    try:
        with tarfile.open(path, "r") as archive:
            try:
                raw = archive.extractfile(MANIFEST)
            except KeyError:
                raise BackupError(f"{path}: no {MANIFEST}; not a motcua backup, or cut short.") from None
            manifest: dict[str, Any] = json.loads(raw.read()) if raw else {}
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{path}: archive format {manifest.get('format')!r}, this version reads {FORMAT}.")
            expected: dict[str, str] = manifest["sha256"]
            seen = set()
            for member in archive:
                if member.name == MANIFEST:
                    continue
                stream = archive.extractfile(member)
                if member.name not in expected or stream is None:
                    raise BackupError(f"{path}: {member.name} is not listed in the manifest.")
                if _sha256(stream) != expected[member.name]:
                    raise BackupError(f"{path}: {member.name} does not match its checksum; the archive is damaged.")
                seen.add(member.name)
            if missing := sorted(set(expected) - seen):
                raise BackupError(f"{path}: {len(missing)} member(s) missing, first {missing[0]}.")
    except (tarfile.TarError, OSError, ValueError) as exc:
        raise BackupError(f"{path}: cannot be read ({exc}).") from exc
    return manifest


def _holds_data() -> bool:
    tables = set(connection.introspection.table_names())
    if "django_migrations" not in tables:
        return False
    with connection.cursor() as cursor:
        for table in ("accounts_user", "dossiers_dossier", "catalogue_procedure"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


def _restore_postgresql(dump: Path, replace: bool) -> None:
    env = _pg_env()
    with connection.cursor() as cursor:
        if replace:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    result = _run("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                  f"--dbname={env['PGDATABASE']}", str(dump))
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _restore_sqlite(dump: Path) -> None:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("Restore needs the database in a file (MOTCUA_SQLITE_PATH), not in memory.")
    for alias in connections:
        connections[alias].close()
    target = Path(name)
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(dump, staged)
    for suffix in ("-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(staged, target)


def restore(path: Path, *, replace: bool = False, storage: Storage | None = None) -> Report:
    started = time.monotonic()
    storage = storage or default_storage
    manifest = check(path)
    vendor = _vendor()
    if manifest["database"] != vendor:
        raise BackupError(f"The archive holds a {manifest['database']} database; this installation runs {vendor}.")
    if not replace and _holds_data():
        raise BackupError("The database already holds data. Restore into an empty database, or pass --replace "
                          "to overwrite it (everything in it is lost).")
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(path, "r") as archive:
        archive.extract(DUMP, scratch, filter="data")
        dump = Path(scratch) / DUMP
        if vendor == "postgresql":
            _restore_postgresql(dump, replace)
        else:
            _restore_sqlite(dump)
        for member in archive:
            if not member.name.startswith(FILES):
                continue
            name, stream = member.name[len(FILES):], archive.extractfile(member)
            if stream is None:
                continue
            if storage.exists(name):
                if not replace and storage.size(name) == member.size:
                    continue  # the same file is there already (a restore run again)
                storage.delete(name)
            saved = storage.save(name, File(stream, name=name))
            if saved != name:
                raise BackupError(f"The storage saved {name} as {saved}; the rows would not find it.")
    report = Report(manifest=manifest | {"path": str(path)}, seconds=0.0)
    report.mismatches = compare(manifest, storage)
    report.seconds = time.monotonic() - started
    return report


def compare(manifest: dict[str, Any], storage: Storage | None = None) -> list[str]:
    """What differs between the manifest and the database and files now: rows per table, and every file read
    back and hashed (empty when the restore is whole)."""
    storage = storage or default_storage
    tables = manifest["tables"]
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        present = set(connection.introspection.table_names())
        mismatches = [f"table {t}: missing" for t in sorted(tables) if t not in present]
        counts = _counts(cursor, [t for t in sorted(tables) if t in present], quote)
    mismatches += [f"table {t}: {counts[t]} rows, the backup has {n}" for t, n in sorted(tables.items())
                   if t in counts and counts[t] != n]
    for member, digest in sorted(manifest["sha256"].items()):
        if not member.startswith(FILES):
            continue
        name = member[len(FILES):]
        if not storage.exists(name):
            mismatches.append(f"file {name}: missing")
            continue
        with storage.open(name, "rb") as stream:
            if _sha256(stream) != digest:
                mismatches.append(f"file {name}: its content differs from the backup")
    return mismatches


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives this command wrote in ``folder``; the names sort by date."""
    archives = sorted(folder.glob("motcua-*.tar"))
    old = archives[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old
