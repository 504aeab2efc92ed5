"""Attachments: type checked by content, sizes limited, names sanitised, written durably before the
row that names them commits ("Nothing is lost", DESIGN.md), orphans swept.

Order of writes: ``check`` every upload (nothing written), then ``store`` each (written and fsync'd,
with its directory), then the transaction that creates the rows. A crash after ``store`` and before the
commit leaves an unreferenced file, which ``sweep_orphans`` removes after a grace period; a crash after
the commit loses nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import os
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError
from motcua.core.storagewalk import walk

from .models import Attachment, IssuedForm

PDF, JPEG, PNG, DOCX, XLSX = "pdf", "jpeg", "png", "docx", "xlsx"
CONTENT_TYPES = {
    PDF: "application/pdf", JPEG: "image/jpeg", PNG: "image/png",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx"}
OFFICE = frozenset({DOCX, XLSX})
_OFFICE_MAIN = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
ROOT = "dossiers"
logger = logging.getLogger(__name__)


def max_file_bytes() -> int:
    return int(getattr(settings, "MOTCUA_MAX_FILE_BYTES", 20 * 1024 * 1024))


def max_dossier_bytes() -> int:
    return int(getattr(settings, "MOTCUA_MAX_DOSSIER_BYTES", 100 * 1024 * 1024))


def orphan_grace() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "MOTCUA_ORPHAN_GRACE_SECONDS", 3600)))


def _office_kind(stream: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1_000_000:
                return None
            types = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    for kind, main in _OFFICE_MAIN.items():
        if main in types:
            return kind
    return None


def sniff(stream: IO[bytes]) -> str | None:
    """The file's type from its first bytes (and, for a ZIP, its ``[Content_Types].xml``), or None."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    kind: str | None = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"PK\x03\x04"):
        kind = _office_kind(stream)
    stream.seek(0)
    return kind


_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def clean_name(name: str) -> str:
    """The uploaded name, checked and tidied: a name that tries to leave its folder is refused, not fixed."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or "/" in name or "\\" in name or ".." in name or any(ord(ch) < 32 for ch in name):
        raise DomainError(_("The file name “%(name)s” is not allowed.") % {"name": name[:80]},
                          code="bad_file_name", details={"name": name[:255]})
    cleaned = _UNSAFE.sub("_", name).strip(" .") or "file"
    return cleaned[-120:]


@dataclass
class Upload:
    """A file to attach: a name and a readable, seekable binary stream."""

    name: str
    stream: IO[bytes]
    document_order: int | None = None
    kind: str = ""
    size: int = 0
    sha256: str = ""
    safe_name: str = ""


def _measure(upload: Upload) -> None:
    sha = hashlib.sha256()
    size = 0
    upload.stream.seek(0)
    limit = max_file_bytes()
    while chunk := upload.stream.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise DomainError(
                _("The file “%(name)s” is larger than %(limit)s MB.") % {"name": upload.name, "limit": limit // 2**20},
                code="file_too_large", details={"name": upload.name, "limit_bytes": limit},
            )
        sha.update(chunk)
    upload.stream.seek(0)
    upload.size, upload.sha256 = size, sha.hexdigest()


def check(uploads: Iterable[Upload], *, office_allowed: set[int] | None = None, already: int = 0) -> None:
    """Check every upload before anything is written: name, type by content, size per file and per dossier.
    Office files (DOCX, XLSX) only for a document whose procedure gives a form to fill in."""
    total = already
    for upload in uploads:
        upload.safe_name = clean_name(upload.name)
        _measure(upload)
        kind = sniff(upload.stream)
        allowed_office = office_allowed is not None and upload.document_order in office_allowed
        if kind is None or (kind in OFFICE and not allowed_office):
            raise DomainError(
                _("The file “%(name)s” is not an accepted type (PDF, JPEG or PNG; DOCX or XLSX for a form).")
                % {"name": upload.safe_name}, code="file_type_not_allowed", details={"name": upload.safe_name},
            )
        upload.kind = kind
        stem = os.path.splitext(upload.safe_name)[0] or "file"
        upload.safe_name = stem + EXTENSIONS[kind]
        total += upload.size
        if total > max_dossier_bytes():
            raise DomainError(_("The files of a dossier may not exceed %(limit)s MB in total.")
                              % {"limit": max_dossier_bytes() // 2**20}, code="dossier_too_large",
                              details={"limit_bytes": max_dossier_bytes()})


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StorageUnavailable(DomainError):
    """The file store did not take or give a file (an object store down, refusing, or too slow; a full disk).
    The caller's transaction has not started or is rolled back, so nothing was created: try again later."""

    status = 503
    code = "storage_unavailable"


def storage_unavailable(exc: BaseException) -> StorageUnavailable:
    logger.error("The file store failed: %s: %s", type(exc).__name__, exc)
    return StorageUnavailable(_("The file store cannot be reached just now, so nothing was saved. "
                                "Please try again in a few minutes."))


def durable_save(name: str, stream: IO[bytes] | bytes, storage: Storage | None = None) -> str:
    """Save to the storage and, on a local file system, fsync the file and its folder so that the bytes
    are on disk before the caller commits the row naming them. Object stores acknowledge durable writes
    (an S3 PUT answers only once the object is stored). A store that fails raises ``StorageUnavailable``
    before any row is written."""
    storage = storage or default_storage
    content = File(io.BytesIO(stream) if isinstance(stream, bytes) else stream)
    try:
        saved = storage.save(name, content)
    except DomainError:
        raise
    except Exception as exc:  # botocore's errors, OSError: whatever the backend raises, the file is not stored
        raise storage_unavailable(exc) from exc
    try:
        local = storage.path(saved)
    except NotImplementedError:
        return saved
    _fsync_path(local)
    _fsync_path(os.path.dirname(local))
    return saved


def store(upload: Upload, folder: str) -> str:
    return durable_save(f"{folder}/{uuid.uuid4().hex[:12]}-{upload.safe_name}", upload.stream)


def new_folder(reference: str) -> str:
    return f"{ROOT}/{timezone.now():%Y/%m/%d}/{reference}"


def discard(names: Iterable[str]) -> None:
    """Best-effort removal of files written for a transaction that did not commit."""
    for name in names:
        with contextlib.suppress(OSError):  # the orphan sweep gets it later
            default_storage.delete(name)


def sweep_orphans(*, dry_run: bool = False, now: dt.datetime | None = None) -> list[str]:
    """Delete the stored files no row names, older than the grace period (a transaction may be writing
    the younger ones). Returns the names found."""
    now = now or timezone.now()
    known: set[str] = set(Attachment.objects.values_list("file", flat=True))
    known |= set(IssuedForm.objects.values_list("file", flat=True))
    orphans = []
    for name, modified in walk(default_storage, ROOT):
        if name in known or now - modified < orphan_grace():
            continue
        orphans.append(name)
        if not dry_run:
            default_storage.delete(name)
    return orphans


def upload_from_django(name: str, file: Any, document_order: int | None) -> Upload:
    return Upload(name=name, stream=file, document_order=document_order)
