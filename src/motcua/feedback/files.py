"""The stored files of feedback items: the sweep of orphans.

``services.submit`` and ``services.provide_info`` write the files under ``feedback/`` before the row that
names them commits, and remove them if the transaction fails; a process that dies between the two leaves
files no row names. The sweep removes them once older than the grace period (a transaction may still be
writing the younger ones), as ``motcua dossiers sweep-orphans`` does for dossier files.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.utils import timezone

from motcua.core.storagewalk import walk
from motcua.dossiers.files import orphan_grace

from .models import FeedbackAttachment

ROOT = "feedback"


def sweep_orphans(*, dry_run: bool = False, now: dt.datetime | None = None) -> list[str]:
    """Delete the files under ``feedback/`` that no attachment names and that are older than the grace
    period; returns their names. A forwarded copy names the same file as its original, so a file stays
    while any attachment names it."""
    now = now or timezone.now()
    known = set(FeedbackAttachment.objects.values_list("file", flat=True))
    orphans = []
    for name, modified in walk(default_storage, ROOT):
        if name in known or now - modified < orphan_grace():
            continue
        orphans.append(name)
        if not dry_run:
            default_storage.delete(name)
    return orphans
