"""``motcua feedback tick`` and ``motcua feedback sweep``."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from motcua.dossiers.files import Upload
from motcua.feedback import services
from motcua.feedback.models import FeedbackItem

from .conftest import regulation

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def test_tick_flags_late_items_once(received):
    out = io.StringIO()
    call_command("feedback", "tick", "--at", "2030-01-02T09:00+07:00", stdout=out)
    call_command("feedback", "tick", "--at", "2030-01-03T09:00+07:00", stdout=out)
    assert out.getvalue().splitlines() == ["Flagged 1 late feedback item(s).", "Flagged 0 late feedback item(s)."]
    assert FeedbackItem.objects.get(pk=received.pk).late_flagged_at is not None


def test_tick_refuses_a_bad_instant(db):
    with pytest.raises(CommandError, match="time zone"):
        call_command("feedback", "tick", "--at", "2030-01-02T09:00")


def test_sweep_removes_old_orphans_and_keeps_named_and_young_files(org, people, settings):
    settings.MOTCUA_ORPHAN_GRACE_SECONDS = 3600
    item = services.submit(regulation(agency=org["sxd"], uploads=[
        Upload(name="anh.png", stream=io.BytesIO(PNG))]), channel="web")
    named = item.attachments.get().file.name
    assert named.startswith("feedback/")
    old = default_storage.save("feedback/2026/01/01/abc/orphan.png", ContentFile(PNG))
    young = default_storage.save("feedback/2026/01/01/abc/young.png", ContentFile(PNG))
    dossier_file = default_storage.save("dossiers/2026/01/01/x.png", ContentFile(PNG))
    long_ago = (dt.datetime.now() - dt.timedelta(hours=3)).timestamp()
    for name in (old, named, dossier_file):
        os.utime(default_storage.path(name), (long_ago, long_ago))
    out = io.StringIO()
    call_command("feedback", "sweep", "--dry-run", stdout=out)
    assert f"Would remove {old}" in out.getvalue() and default_storage.exists(old)
    call_command("feedback", "sweep", stdout=out)
    assert not default_storage.exists(old)
    assert default_storage.exists(named) and default_storage.exists(young) and default_storage.exists(dossier_file)
