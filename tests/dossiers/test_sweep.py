"""Orphan files (written, never committed) are swept after the grace period; named files stay."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from motcua.dossiers import files, services

from .conftest import PDF, intake, upload


def test_sweep_removes_only_old_unreferenced_files(people, procedure, settings, capsys):
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    kept = d.attachments.get().file.name
    orphan = files.durable_save("dossiers/2026/03/10/X/orphan.pdf", PDF)
    assert files.sweep_orphans() == []  # too young: a transaction may still be writing it
    later = timezone.now() + dt.timedelta(hours=2)
    assert files.sweep_orphans(dry_run=True, now=later) == [orphan]
    settings.MOTCUA_ORPHAN_GRACE_SECONDS = 0
    call_command("dossiers", "sweep-orphans")
    assert "Removed 1 orphan" in capsys.readouterr().out
    assert (settings.MEDIA_ROOT / kept).exists() and not (settings.MEDIA_ROOT / orphan).exists()
