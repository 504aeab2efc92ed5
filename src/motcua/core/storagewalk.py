"""Every file of a Django storage under a folder, on a local disk or an object store, for the sweeps of orphan
files (dossiers, feedback) and the backup (``core.backup``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.files.storage import Storage


def walk(storage: Storage, folder: str = "") -> Iterable[tuple[str, dt.datetime]]:
    """(name, last modified) of every stored file under ``folder`` (the whole storage by default). On an object
    store one flat, paged listing of the prefix (a request per thousand objects, with their times), not a request
    per "folder" and per file."""
    folder = folder.strip("/")
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:  # django-storages' S3Storage: the keys carry its ``location`` prefix
        location = str(getattr(storage, "location", "") or "").strip("/")
        prefix = "/".join(part for part in (location, folder) if part)
        for obj in bucket.objects.filter(Prefix=f"{prefix}/" if prefix else ""):
            yield obj.key[len(location) + 1:] if location else obj.key, obj.last_modified
        return
    yield from _walk_folders(storage, folder)


def _walk_folders(storage: Storage, folder: str) -> Iterable[tuple[str, dt.datetime]]:
    try:
        dirs, names = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):  # a local storage whose folder was never created holds nothing
        return
    for name in sorted(names):
        path = f"{folder}/{name}" if folder else name
        yield path, storage.get_modified_time(path)
    for sub in sorted(dirs):
        yield from _walk_folders(storage, f"{folder}/{sub}" if folder else sub)
