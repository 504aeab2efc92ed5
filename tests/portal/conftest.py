"""Fixtures of the portal tests: a published procedure, notification channels in memory, helpers to move a
dossier through its life as the officers would."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from motcua.catalogue.choices import VersionStatus
from motcua.catalogue.models import Fee, Field, Procedure, ProcedureVersion, RequiredDocument
from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import Status
from motcua.dossiers.files import Upload
from motcua.dossiers.models import Dossier
from motcua.notifications import services as notify_services
from motcua.notifications.channels import memory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
EMAIL = "motcua.notifications.channels.email.EmailChannel"
MEMORY = "motcua.notifications.channels.memory.MemoryChannel"


# The applicant step of the online wizard, as a citizen fills it in.
APPLICANT = {"kind": "individual", "name": "Nguyễn Văn An", "id_number": "068090001234", "tax_code": "",
             "address": "12 Trần Phú, Đà Lạt, Lâm Đồng", "phone": "0912345678", "email": "an@example.vn"}
POSTAL = "5 Lê Lợi, phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng"


def pdf_file(name: str = "don.pdf", data: bytes = PDF) -> io.BytesIO:
    """A file as a browser uploads it (PDF content unless ``data`` says otherwise)."""
    f = io.BytesIO(data)
    f.name = name
    return f


def draft_until_delivery(client: Any) -> str:
    """Walk the wizard for procedure 1.013236 up to its delivery step; the draft's base URL."""
    response = client.post("/cong-dan/nop-ho-so/1.013236/")
    assert response.status_code == 302
    base: str = response["Location"].rsplit("/", 2)[0]
    assert client.post(f"{base}/applicant/", APPLICANT).status_code == 302
    assert client.post(f"{base}/questions/", {"subject": "Nhà ở 3 tầng"}).status_code == 302
    files = {"document_1": pdf_file(), "document_2": pdf_file("ban-ve.pdf")}
    assert client.post(f"{base}/documents/", files).status_code == 302
    assert client.post(f"{base}/fees/", {"acknowledged": "on"}).status_code == 302
    return base


def make_procedure(org: dict[str, Any], code: str = "1.013236") -> Procedure:
    import datetime as dt

    field = Field.objects.get_or_create(name="Hoạt động xây dựng")[0]
    procedure = Procedure.objects.create(code=code, name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
                                         field=field, agency=org["sxd"], for_individuals=True)
    procedure.receiving_units.add(org["desk"])
    version = ProcedureVersion.objects.create(
        procedure=procedure, label="Luật Xây dựng", valid_from=dt.date(2018, 1, 1), legal_time_amount=Decimal("15"),
        legal_time_unit="working_days", status=VersionStatus.PUBLISHED)
    RequiredDocument.objects.create(version=version, order=1, name="Đơn đề nghị cấp giấy phép xây dựng",
                                    copies=1, copy_kind="original", template_name="Mẫu số 01")
    RequiredDocument.objects.create(version=version, order=2, name="Bản vẽ thiết kế", copies=2, copy_kind="copy")
    RequiredDocument.objects.create(version=version, order=3, name="Giấy ủy quyền", condition="Khi ủy quyền")
    Fee.objects.create(version=version, name="Lệ phí cấp giấy phép xây dựng", amount_vnd=75000)
    return procedure


@pytest.fixture(autouse=True)
def _portal_env(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_NOTIFY_CHANNELS = {"email": {"BACKEND": EMAIL, "OPTIONS": {}},
                                       "sms": {"BACKEND": MEMORY, "OPTIONS": {}}}
    settings.MOTCUA_NOTIFY_ORDER = ["email", "sms"]
    settings.MOTCUA_TRACKING_RATE_LIMIT = 1000
    settings.MOTCUA_TRACKING_RATE_WINDOW = 600
    memory.reset()
    cache.clear()
    yield
    memory.reset()
    cache.clear()


@pytest.fixture
def templates(db):  # type: ignore[no-untyped-def]
    notify_services.seed_default_templates()


@pytest.fixture
def procedure(org):  # type: ignore[no-untyped-def]
    return make_procedure(org)


def intake(**overrides: Any) -> dossier_services.Intake:
    data = dossier_services.Intake(
        procedure="1.013236",
        applicant=dossier_services.Applicant(name="Nguyễn Văn An", id_number="068090001234",
                                             address="12 Trần Phú, phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng",
                                             phone="0912345678", email="an@example.vn"),
        subject="Xin cấp giấy phép xây dựng nhà ở",
        documents=[dossier_services.DocumentInput(order=1), dossier_services.DocumentInput(order=2)],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def pdf(order: int = 1, name: str = "don.pdf") -> Upload:
    return Upload(name=name, stream=io.BytesIO(PDF), document_order=order)


def submit(people: dict[str, Any], **overrides: Any) -> Dossier:
    return dossier_services.submit_online(people["an"], intake(**overrides), [pdf(1), pdf(2, "ban-ve.pdf")])


def force_status(dossier: Dossier, status: int, actor: Any) -> Dossier:
    """Stand-in for the dossier services that do not exist yet (finish 4 → 9, return 9 → 10): the same
    guarded path every service takes (lock, check the transition, save, append the event)."""
    extra: tuple[str, ...] = ()
    from django.utils import timezone

    with transaction.atomic():
        locked = Dossier.objects.select_for_update().select_related("receiving_unit", "processing_unit").get(
            pk=dossier.pk)
        if status == Status.DONE:
            locked.processing_ended_at = timezone.now()
            extra = ("processing_ended_at",)
        if status == Status.RETURNED:
            locked.returned_at = timezone.now()
            extra = ("returned_at",)
        dossier_services.set_status(locked, status, actor, extra_fields=extra)
    return locked


def to_returned(people: dict[str, Any], dossier: Dossier | None = None) -> Dossier:
    dossier = dossier or submit(people)
    dossier = dossier_services.accept(people["binh"], dossier)
    dossier = dossier_services.transfer(people["binh"], dossier)
    dossier = force_status(dossier, Status.DONE, people["cuong"])
    return force_status(dossier, Status.RETURNED, people["binh"])
