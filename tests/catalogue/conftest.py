"""Catalogue fixtures: complete procedures built through the services, as an administrator would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from motcua.catalogue import services
from motcua.catalogue.choices import FeeStatus, OnlineMode
from motcua.catalogue.models import Fee, LegalBasis, Procedure, ProcedureVersion, RequiredDocument, Step

OLD_END = dt.date(2026, 6, 30)
NEW_START = dt.date(2026, 7, 1)


def make_procedure(org: dict[str, Any], code: str, name: str, *, field: str = "Hoạt động xây dựng",
                   online_mode: str = OnlineMode.PARTIAL, individuals: bool = True,
                   organisations: bool = True, result: str = "Giấy phép xây dựng") -> Procedure:
    procedure = Procedure(code=code, name=name, field=services.save_field(field), agency=org["sxd"],
                          online_mode=online_mode, for_individuals=individuals, for_organisations=organisations,
                          result_name=result, result_type="permit")
    services.save_procedure(procedure)
    procedure.receiving_units.set([org["desk"]])
    return procedure


def make_version(procedure: Procedure, valid_from: dt.date, valid_to: dt.date | None = None, *,
                 amount: int | None = 10, unit: str = "working_days", documents: list[str] | None = None,
                 fee: int | None = 150_000, publish: bool = True, label: str = "") -> ProcedureVersion:
    version = ProcedureVersion(
        procedure=procedure, valid_from=valid_from, valid_to=valid_to, label=label,
        sequence="Bước 1: Nộp hồ sơ. Bước 2: Nhận kết quả.", manner="Trực tuyến trên Cổng DVCQG.",
        legal_time_amount=Decimal(amount) if amount is not None else None, legal_time_unit=unit if amount else "",
        fee_status=FeeStatus.CHARGED if fee is not None else FeeStatus.UNKNOWN,
    )
    services.save_version(version)
    for n, name in enumerate(documents if documents is not None else ["Đơn đề nghị (Mẫu số 01)"], 1):
        RequiredDocument.objects.create(version=version, order=n, name=name, copies=1, copy_kind="original")
    if fee is not None:
        Fee.objects.create(version=version, name="Lệ phí", amount_vnd=fee)
    LegalBasis.objects.create(version=version, instrument="Nghị định 217/2026/NĐ-CP", articles="Điều 54")
    Step.objects.create(version=version, order=1, name="Tiếp nhận", role="desk_officer",
                        budget_amount=Decimal("0.5"), budget_unit="working_days", produces=["Giấy tiếp nhận"])
    services.after_parts_saved(version)
    if publish:
        services.publish_version(version)
    return version


@pytest.fixture
def permit(org):  # type: ignore[no-untyped-def]
    """A construction permit under both regimes: 20 days until 30/06/2026, 10 WD from 01/07/2026."""
    procedure = make_procedure(org, "1.013236", "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, "
                               "cấp II")
    old = make_version(procedure, dt.date(2025, 7, 1), OLD_END, amount=20, unit="days", label="Luật 2014")
    new = make_version(procedure, NEW_START, None, amount=10, label="Luật 2025",
                       documents=["Đơn đề nghị cấp giấy phép xây dựng", "Kết quả thẩm định PCCC"])
    return {"procedure": procedure, "old": old, "new": new}


@pytest.fixture
def catalogue(org, permit):  # type: ignore[no-untyped-def]
    """A few procedures to search: names with and without abbreviations, a draft."""
    made = {"permit": permit["procedure"]}
    made["cchn"] = make_procedure(org, "1.013217", "Cấp lại CCHN hoạt động xây dựng", individuals=True,
                                  organisations=False, result="Chứng chỉ hành nghề", online_mode=OnlineMode.FULL)
    make_version(made["cchn"], dt.date(2025, 7, 1), amount=5)
    made["new_cchn"] = make_procedure(org, "1.013237", "Cấp chứng chỉ hành nghề hoạt động xây dựng",
                                      result="Chứng chỉ hành nghề", online_mode=OnlineMode.FULL)
    make_version(made["new_cchn"], dt.date(2025, 7, 1), amount=6)
    made["offplan"] = make_procedure(org, "1.012905", "Thông báo nhà ở hình thành trong tương lai đủ điều kiện "
                                     "được bán", field="Kinh doanh bất động sản", result="Văn bản thông báo")
    make_version(made["offplan"], dt.date(2025, 7, 1), amount=15, documents=["Giấy phép xây dựng của dự án"])
    made["draft"] = make_procedure(org, "1.099999", "Thủ tục nháp về giấy phép xây dựng tạm")
    make_version(made["draft"], dt.date(2025, 7, 1), publish=False)
    return made
