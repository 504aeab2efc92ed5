"""Fixtures and helpers of the campaign tests: the seeded SIPAS questionnaire, finished dossiers made in bulk
(a frame of a few hundred dossiers through the receipt and processing services would take minutes), the
notification channels in memory with the default texts, and the links read back from the notices."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from motcua.catalogue.models import Procedure
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.notifications import services as notify_services
from motcua.notifications.channels import memory
from motcua.notifications.models import Message
from motcua.surveys.models import Questionnaire
from tests.portal.conftest import make_procedure

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
MEMORY = "motcua.notifications.channels.memory.MemoryChannel"
LINK = re.compile(r"https://motcua\.example\.gov\.vn/khao-sat/([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def _channels(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    settings.MOTCUA_NOTIFY_CHANNELS = {"email": {"BACKEND": MEMORY, "OPTIONS": {}},
                                       "sms": {"BACKEND": MEMORY, "OPTIONS": {}}}
    settings.MOTCUA_NOTIFY_ORDER = ["email", "sms"]
    memory.reset()
    yield
    memory.reset()


@pytest.fixture
def sipas(db) -> Questionnaire:  # type: ignore[no-untyped-def]
    notify_services.seed_default_templates()
    return Questionnaire.objects.get(code="sipas", version=1)


@pytest.fixture
def procedures(org) -> dict[str, Procedure]:  # type: ignore[no-untyped-def]
    return {"p1": make_procedure(org, "1.013236"), "p2": make_procedure(org, "1.009994")}


def finished(procedure: Procedure, unit: Any, channel: str, count: int, *, ended: dt.datetime | None = None,
             status: int = Status.RETURNED, email: str = "an@example.vn", phone: str = "") -> list[Dossier]:
    """``count`` dossiers of ``procedure`` processed by ``unit``, filed on ``channel``, finished at ``ended``
    (mid-2025): returned, or only done (``status`` 9: ended, not returned)."""
    ended = ended or dt.datetime(2025, 6, 15, 10, 0, tzinfo=TZ)
    version = procedure.versions.first()
    rows = []
    for _ in range(count):
        rows.append(Dossier(
            reference=uuid.uuid4().hex[:20], code=None, procedure=procedure, procedure_version=version,
            receiving_unit=unit, processing_unit=unit, channel=channel, status=status, applicant_kind="individual",
            applicant_name="Nguyễn Văn An", applicant_email=email, applicant_phone=phone,
            submitted_at=ended - dt.timedelta(days=20), received_at=ended - dt.timedelta(days=20),
            processing_ended_at=ended - dt.timedelta(days=1),
            returned_at=ended if status == Status.RETURNED else None))
    return Dossier.objects.bulk_create(rows)


def tokens(key: str = "survey.invitation") -> dict[str, str]:
    """The links' tokens read from the notices of ``key``, by the dossier code they name."""
    out = {}
    for message in Message.objects.filter(key=key).order_by("pk"):
        found = LINK.search(message.body)
        assert found, message.body
        code = re.search(r"hồ sơ ([A-Za-z0-9.-]+)", message.body)
        out[code.group(1) if code else str(message.pk)] = found.group(1)
    return out


def values(questionnaire: Questionnaire, score: int | None) -> dict[str, int | None]:
    """Every criterion answered ``score``; an overall criterion (no "not applicable") gets 3 when None."""
    return {c.code: (score if score is not None or c.allows_na else 3) for c in questionnaire.criteria.all()}
