"""The DVCQG synchronisation worker's throughput against the DVCQG double, over real HTTP on this machine.

- the worker: ``worker.drain`` sends every record of N dossiers received and transferred (each its ``HoSo``
  built from the dossier as it is, its ``TienTrinh`` from the events), leasing, ordering per dossier and
  recording each acknowledgement in the database;
- the baseline, in the same run: a bare ``requests.Session`` posting the same rendered bodies with the same
  keys and token to a fresh double, one after another (what any client must at least do).

The ratio is the worker's cost per record over the bare client's; records per second are printed for both.
"""

from __future__ import annotations

import io
import time
from typing import Any

from common import in_test_db


def run(args: Any) -> None:
    in_test_db(_measure, args)


def _seed(n: int) -> None:
    import datetime as dt
    from decimal import Decimal

    from motcua.accounts import services as acc
    from motcua.accounts.choices import Role, UnitKind
    from motcua.accounts.models import OrgUnit, User
    from motcua.catalogue.models import Procedure, ProcedureVersion, RequiredDocument
    from motcua.dossiers import services
    from motcua.dossiers.files import Upload

    p = acc.save_unit(OrgUnit(name="UBND tỉnh", code="B.H68", kind=UnitKind.PROVINCE))
    a = acc.save_unit(OrgUnit(parent=p, name="Sở Xây dựng", code="B.SXD", kind=UnitKind.AGENCY))
    d = acc.save_unit(OrgUnit(parent=a, name="Một cửa", code="B.SXD.MC", kind=UnitKind.DESK))
    user = User.objects.create_user(username="bench-binh", password="x" * 12, full_name="Trần Thị Bình", unit=d)
    acc.assign_role(user, Role.DESK_OFFICER, d)
    pr = Procedure.objects.create(code="1.013236", name="Cấp giấy phép xây dựng", agency=a)
    pr.receiving_units.add(d)
    v = ProcedureVersion.objects.create(procedure=pr, valid_from=dt.date(2018, 1, 1), legal_time_amount=Decimal(15),
                                        legal_time_unit="working_days", status="published")
    RequiredDocument.objects.create(version=v, order=1, name="Đơn đề nghị")
    for i in range(n):
        data = services.Intake(procedure="1.013236", applicant=services.Applicant(
            name=f"Người nộp {i}", id_number="068090001234"), documents=[services.DocumentInput(order=1)])
        dossier = services.receive_at_desk(user, data, [Upload(name="don.pdf", stream=io.BytesIO(
            b"%PDF-1.4\n%%EOF\n"), document_order=1)])
        services.transfer(user, dossier)


def _measure(args: Any, vendor: str) -> None:
    import tempfile

    import requests
    from django.conf import settings

    from motcua.integrations.dvcqg import worker
    from motcua.integrations.dvcqg.client import Client
    from motcua.integrations.dvcqg.double import DvcqgDouble
    from motcua.integrations.dvcqg.mapping import current
    from motcua.integrations.models import SyncRecord, SyncState

    n = 30 if args.quick else 300
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="motcua-bench-")
    settings.MOTCUA_DVCQG_SYNC, settings.MOTCUA_DVCQG_URL = True, ""  # records written, none pushed at commit
    _seed(n)
    owed = SyncRecord.objects.count()
    with DvcqgDouble() as double, DvcqgDouble() as bare_double:
        settings.MOTCUA_DVCQG_URL = double.url
        settings.MOTCUA_DVCQG_CLIENT_ID, settings.MOTCUA_DVCQG_CLIENT_SECRET = "motcua", "bi-mat"
        client = Client.from_settings()
        t0 = time.perf_counter()
        done = worker.drain(client=client)
        t_worker = time.perf_counter() - t0
        client.close()
        assert done.acked == owed and len(double.by_key) == owed, (done, owed)
        assert not SyncRecord.objects.exclude(state=SyncState.ACKED).exists()

        mapping = current()
        bodies = [(r.kind, r.key, mapping.render(r.kind, r.payload)) for r in SyncRecord.objects.order_by("pk")]
        session = requests.Session()
        token = session.post(bare_double.url + "/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "motcua", "client_secret": "bi-mat"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        t0 = time.perf_counter()
        for kind, key, body in bodies:
            resp = session.post(bare_double.url + mapping.endpoint(kind)["path"], json=body,
                                headers={**headers, "Idempotency-Key": key}, timeout=10)
            assert resp.json()["error_code"] == 0
        t_bare = time.perf_counter() - t0
        session.close()
        assert len(bare_double.by_key) == owed
    print(f"{vendor}: {n} dossiers, {owed} records (HoSo and TienTrinh)")
    print(f"  worker       {owed / t_worker:8.0f} records/s")
    print(f"  bare client  {owed / t_bare:8.0f} records/s  (same bodies, same double, same run)")
    print(f"  worker cost per record = {t_worker / t_bare:.2f}x the bare client's "
          "(building each record from the database, leasing, ordering, recording the acknowledgement)")
