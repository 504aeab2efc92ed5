"""Dossier receipts per second (SQLite, and PostgreSQL when DATABASE_URL is set), with and without a 1 MB
attachment, as ratios to a bare insert of the same dossier rows measured in the same run."""

from __future__ import annotations

import io
import os
import time
from typing import Any


def run(args: Any) -> None:
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.db import connection
    from django.test.utils import get_runner  # noqa: F401 - keeps the test-runner import side effects

    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _measure(args)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def _fixtures() -> Any:
    import datetime as dt
    from decimal import Decimal

    from motcua.accounts import services as acc
    from motcua.accounts.choices import Role, UnitKind
    from motcua.accounts.models import OrgUnit, User
    from motcua.catalogue.models import Procedure, ProcedureVersion, RequiredDocument

    p = acc.save_unit(OrgUnit(name="UBND tỉnh", code="B.H68", kind=UnitKind.PROVINCE))
    a = acc.save_unit(OrgUnit(parent=p, name="Sở Xây dựng", code="B.SXD", kind=UnitKind.AGENCY))
    d = acc.save_unit(OrgUnit(parent=a, name="Một cửa", code="B.SXD.MC", kind=UnitKind.DESK))
    user = User.objects.create_user(username="bench", password="x" * 12, full_name="Bench Officer", unit=d)
    acc.assign_role(user, Role.DESK_OFFICER, d)
    pr = Procedure.objects.create(code="9.000001", name="Bench", agency=a)
    v = ProcedureVersion.objects.create(procedure=pr, valid_from=dt.date(2018, 1, 1), legal_time_amount=Decimal(15),
                                        legal_time_unit="working_days", status="published")
    RequiredDocument.objects.create(version=v, order=1, name="Đơn")
    return user, pr, v, d, a


def _measure(args: Any) -> None:
    import tempfile

    from django.conf import settings

    from motcua.dossiers import services
    from motcua.dossiers.files import Upload
    from motcua.dossiers.models import Dossier

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-media-")
    n = 20 if args.quick else 200
    user, procedure, version, desk, agency = _fixtures()
    data = services.Intake(procedure="9.000001", applicant=services.Applicant(name="Nguyễn Văn An",
                                                                             id_number="068090001234"),
                           documents=[services.DocumentInput(order=1)])
    blob = b"%PDF-1.4\n" + os.urandom(1024 * 1024) + b"\n%%EOF\n"

    def bare() -> None:
        Dossier.objects.create(reference=os.urandom(8).hex(), procedure=procedure, procedure_version=version,
                               receiving_unit=desk, processing_unit=agency, channel="desk", status=2,
                               applicant_kind="individual", applicant_name="Nguyễn Văn An",
                               submitted_at=__import__("django.utils.timezone").utils.timezone.now())

    def receipt() -> None:
        services.receive_at_desk(user, data)

    def receipt_file() -> None:
        services.receive_at_desk(user, data, [Upload("a.pdf", io.BytesIO(blob), 1)])

    def rate(fn: Any) -> float:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return n / (time.perf_counter() - start)

    from django.db import connection

    base = rate(bare)
    plain = rate(receipt)
    with_file = rate(receipt_file)
    print(f"{connection.vendor}: n={n}")
    print(f"  receipt / bare insert:            {plain / base:.3f}")
    print(f"  receipt with 1 MB file / bare:    {with_file / base:.3f}")
    print(f"  receipt with 1 MB file / receipt: {with_file / plain:.3f}")
