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

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from motcua.dossiers.models import Attachment, DossierDocument, DossierEvent

    # The baseline writes the rows a receipt writes (the dossier, its documents, its events, and with a
    # file the attachment row and the file), with plain ORM inserts in one transaction and none of the
    # checks, the code, the clock, the hash chain or the reactions to events (bulk inserts send no signal):
    # what the receipt costs above the writes themselves.
    sample = services.receive_at_desk(user, data)
    n_docs, n_events = sample.documents.count(), sample.event_count

    def bare_rows(with_blob: bool = False) -> None:
        now = timezone.now()
        with transaction.atomic():
            d = Dossier.objects.create(
                reference=os.urandom(8).hex(), procedure=procedure, procedure_version=version, receiving_unit=desk,
                processing_unit=agency, channel="desk", status=2, applicant_kind="individual",
                applicant_name="Nguyễn Văn An", submitted_at=now, received_at=now, snapshot=sample.snapshot,
                rules=sample.rules, clock=sample.clock)
            DossierDocument.objects.bulk_create([DossierDocument(dossier=d, order=k + 1, name="Đơn")
                                                 for k in range(n_docs)])
            DossierEvent.objects.bulk_create([
                DossierEvent(dossier=d, seq=seq, kind="created", actor=user, at=now, data={}, prev_hash="",
                             hash=os.urandom(32).hex()) for seq in range(1, n_events + 1)])
            if with_blob:
                name = default_storage.save(f"bench/{d.reference}.pdf", ContentFile(blob))
                Attachment.objects.create(dossier=d, original_name="a.pdf", file=name, size=len(blob),
                                          content_type="application/pdf", sha256=os.urandom(32).hex(),
                                          uploaded_by=user)

    def bare() -> None:
        bare_rows()

    def bare_file() -> None:
        bare_rows(with_blob=True)

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

    with CaptureQueriesContext(connection) as queries:
        receipt()
    with CaptureQueriesContext(connection) as file_queries:
        receipt_file()
    base = rate(bare)
    plain = rate(receipt)
    base_file = rate(bare_file)
    with_file = rate(receipt_file)
    print(f"{connection.vendor}: n={n}; a receipt writes {n_docs} document row(s) and {n_events} event(s)")
    print(f"  receipt / bare insert of the same rows:               {plain / base:.3f}")
    print(f"  receipt with 1 MB file / bare insert of the same rows: {with_file / base_file:.3f}")
    print(f"  receipt with 1 MB file / receipt:                      {with_file / plain:.3f}")
    print(f"  queries per receipt: {len(queries)}; with a file: {len(file_queries)}")
    print(f"  absolute: bare {1000 / base:.2f} ms, receipt {1000 / plain:.2f} ms, "
          f"bare with file {1000 / base_file:.2f} ms, receipt with file {1000 / with_file:.2f} ms")
