"""Fixtures of the dossier tests: a published procedure version of Sở Xây dựng and intake data."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from motcua.catalogue.choices import VersionStatus
from motcua.catalogue.models import Field, Procedure, ProcedureVersion, RequiredDocument
from motcua.catalogue.services import refresh_search
from motcua.dossiers import services
from motcua.dossiers.files import Upload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<Types><Override ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
    return buffer.getvalue()


def make_procedure(org, code: str = "1.013236", amount: str = "15", valid_from: dt.date = dt.date(2018, 1, 1)):
    field = Field.objects.get_or_create(name="Hoạt động xây dựng")[0]
    procedure = Procedure.objects.create(code=code, name="Cấp giấy phép xây dựng mới đối với công trình",
                                         field=field, agency=org["sxd"], for_individuals=True)
    procedure.receiving_units.add(org["desk"])
    refresh_search(procedure)  # as the catalogue's services do on every save: the folded name is searched
    version = ProcedureVersion.objects.create(
        procedure=procedure, label="Luật Xây dựng", valid_from=valid_from, legal_time_amount=Decimal(amount),
        legal_time_unit="working_days", status=VersionStatus.PUBLISHED)
    RequiredDocument.objects.create(version=version, order=1, name="Đơn đề nghị cấp giấy phép xây dựng",
                                    copies=1, copy_kind="original", template_name="Mẫu số 01")
    RequiredDocument.objects.create(version=version, order=2, name="Bản vẽ thiết kế", copies=2, copy_kind="copy")
    RequiredDocument.objects.create(version=version, order=3, name="Giấy ủy quyền", condition="Khi ủy quyền")
    return procedure


@pytest.fixture
def procedure(org):  # type: ignore[no-untyped-def]
    return make_procedure(org)


def intake(**overrides) -> services.Intake:  # type: ignore[no-untyped-def]
    data = services.Intake(
        procedure="1.013236",
        applicant=services.Applicant(name="Nguyễn Văn An", id_number="068090001234",
                                     address="12 Trần Phú, phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng",
                                     phone="0912345678", email="an@example.vn"),
        subject="Xin cấp giấy phép xây dựng nhà ở",
        documents=[services.DocumentInput(order=1), services.DocumentInput(order=2)],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def upload(data: bytes = PDF, name: str = "don.pdf", order: int | None = 1) -> Upload:
    return Upload(name=name, stream=io.BytesIO(data), document_order=order)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"


# --- officers for the work-queue and assignment tests ----------------------------------------------------

def officer(username: str, full_name: str, unit, role: str = "specialist"):  # type: ignore[no-untyped-def]
    from motcua.accounts import services as accounts_services
    from motcua.accounts.models import User

    user = User.objects.create_user(username=username, password="mat-khau-dai-1", full_name=full_name, unit=unit)
    accounts_services.assign_role(user, role, unit)
    return user


def fresh(user):  # type: ignore[no-untyped-def]
    """The user as a new request loads them: no cached role assignments."""
    from motcua.accounts.models import User

    return User.objects.get(pk=user.pk)


def queue_codes(user) -> set[str | None]:  # type: ignore[no-untyped-def]
    from motcua.dossiers.workflow import selectors as wf_selectors

    return {s.dossier.code for s in wf_selectors.queue_for(fresh(user)).items}


@pytest.fixture
def em(org):  # type: ignore[no-untyped-def]
    """A second specialist of Cường's division."""
    return officer("em", "Ngô Thị Em", org["division"])


@pytest.fixture
def head2(org):  # type: ignore[no-untyped-def]
    """The head of the other division of Sở Xây dựng."""
    return officer("phuong", "Đinh Văn Phương", org["division2"], "division_head")
