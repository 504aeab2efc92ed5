"""Helpers of the internal-processing tests: a construction-permit version with the steps of Decree
217/2026 Art. 54 as the catalogue publishes them, and a dossier received and transferred at given instants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from motcua.catalogue.choices import VersionStatus
from motcua.catalogue.models import Field, Procedure, ProcedureVersion, RequiredDocument, Step
from motcua.dossiers import services
from motcua.dossiers.models import Dossier

from .conftest import intake, upload

VN = dt.timezone(dt.timedelta(hours=7))


def t(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def construction_permit(org, code: str = "1.013236", target: str | None = "8") -> Procedure:  # type: ignore[no-untyped-def]
    field = Field.objects.get_or_create(name="Hoạt động xây dựng")[0]
    procedure = Procedure.objects.create(code=code, name="Cấp giấy phép xây dựng mới đối với công trình cấp I, II",
                                         field=field, agency=org["sxd"], for_individuals=True)
    procedure.receiving_units.add(org["desk"])
    version = ProcedureVersion.objects.create(
        procedure=procedure, label="Luật Xây dựng 2025", valid_from=dt.date(2026, 7, 1),
        legal_time_amount=Decimal(10), legal_time_unit="working_days",
        target_time_amount=Decimal(target) if target else None, target_time_unit="working_days" if target else "",
        status=VersionStatus.PUBLISHED)
    RequiredDocument.objects.create(version=version, order=1, name="Đơn đề nghị cấp giấy phép xây dựng",
                                    copies=1, copy_kind="original", template_name="Mẫu số 01")
    RequiredDocument.objects.create(version=version, order=2, name="Bản vẽ thiết kế", copies=2, copy_kind="copy")
    steps = [
        (1, "Tiếp nhận, kiểm tra hồ sơ", org["desk"], "desk_officer", None),
        (2, "Thẩm định hồ sơ, kiểm tra thực địa", org["division"], "specialist", 5),
        (2, "Lấy ý kiến cơ quan có liên quan (nếu cần)", org["division"], "specialist", 2),
        (3, "Xem xét, trình ký", org["division"], "division_head", None),
        (4, "Ký giấy phép", org["sxd"], "agency_leader", None),
        (5, "Trả kết quả", org["desk"], "desk_officer", None),
    ]
    for order, name, unit, role, budget in steps:
        Step.objects.create(version=version, order=order, name=name, unit=unit, role=role,
                            budget_amount=Decimal(budget) if budget else None,
                            budget_unit="working_days" if budget else "")
    return procedure


def received(people, at: dt.datetime, code: str = "1.013236", **kw) -> Dossier:  # type: ignore[no-untyped-def]
    return services.receive_at_desk(people["binh"], intake(procedure=code, **kw), [upload()], at=at)


def in_progress(people, at: dt.datetime, transfer_at: dt.datetime | None = None,  # type: ignore[no-untyped-def]
                rule: str = "") -> Dossier:
    if rule:  # the procedure version's exception to the rule set, carried by its snapshot into the dossier's rules
        ProcedureVersion.objects.filter(procedure__code="1.013236").update(supplement_rule=rule)
    d = received(people, at)
    return services.transfer(people["binh"], d, at=transfer_at or at + dt.timedelta(minutes=30))


def refused(people, d: Dossier, reason: str, at: dt.datetime, **kw):  # type: ignore[no-untyped-def]
    """The refusal after appraisal through its sign-off chain: proposed by the specialist, approved by the head
    of division ten minutes later, signed by the director ten minutes after that."""
    from motcua.dossiers.workflow import services as wf

    wf.propose_refusal(people["cuong"], d, reason=reason, at=at)
    wf.approve_draft(people["dung"], d, "refusal", at=at + dt.timedelta(minutes=10))
    return wf.sign_refusal(people["giang"], d, at=at + dt.timedelta(minutes=20), **kw)
