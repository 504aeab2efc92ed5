"""Fixtures of the insight tests: a dossier received at Sở Xây dựng's desk on a Sunday evening, days before its
record was created (``receive_at_desk(at=...)``, the backdating of rule 3), scanned into two flags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.dossiers import services
from motcua.insight.integrity import scan
from motcua.insight.models import Flag
from tests.dossiers.conftest import intake, make_procedure

# The applicant's personal data of ``tests.dossiers.conftest.intake``: none may appear in a flag, its evidence or
# a summary, whoever reads them.
PERSONAL = ("Nguyễn Văn An", "068090001234", "0912345678", "Trần Phú", "an@example.vn")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def backdated(org, people, run):  # type: ignore[no-untyped-def]
    make_procedure(org)
    # A Sunday evening at least three days ago: a receipt declared days before its record and on a day off.
    day = timezone.localdate() - dt.timedelta(days=3)
    day -= dt.timedelta(days=(day.weekday() + 1) % 7)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(19, 30)))
    dossier = run(services.receive_at_desk, people["binh"], intake(), at=at)
    scan.scan()
    flag = Flag.objects.get(dossier=dossier, kind="receipt_vs_record")
    return dossier, flag
