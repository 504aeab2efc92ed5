"""Fixtures of the insight tests: a dossier received at Sở Xây dựng's desk three days before its record was
created (``receive_at_desk(at=...)``, the backdating of rule 3), scanned into a flag."""

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
    at = timezone.now() - dt.timedelta(days=3)
    dossier = run(services.receive_at_desk, people["binh"], intake(), at=at)
    scan.scan()
    flag = Flag.objects.get(dossier=dossier, kind="receipt_vs_record")
    return dossier, flag
