"""The worker SIGKILLed in the middle of a push loses nothing and duplicates nothing on DVCQG: a real
``motcua dvcqg push`` process against the double over HTTP, killed while DVCQG is answering; a second worker
(after the lease runs out) sends the rest, the record in flight again with its key, and DVCQG holds each
record once, each dossier's in order."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from motcua.integrations.dvcqg.double import DvcqgDouble
from tests.dossiers.test_kill import ROOT, _env, _manage

SEED = """
import datetime as dt, io
from decimal import Decimal
from motcua.accounts import services as acc
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.catalogue.models import Procedure, ProcedureVersion, RequiredDocument
from motcua.dossiers import services
from motcua.dossiers.files import Upload
p = acc.save_unit(OrgUnit(name="UBND tỉnh", code="T.H68", kind=UnitKind.PROVINCE))
a = acc.save_unit(OrgUnit(parent=p, name="Sở Xây dựng", code="T.SXD", kind=UnitKind.AGENCY))
d = acc.save_unit(OrgUnit(parent=a, name="Một cửa", code="T.SXD.MC", kind=UnitKind.DESK))
u = User.objects.create_user(username="binh", password="x" * 12, full_name="Trần Thị Bình", unit=d)
acc.assign_role(u, Role.DESK_OFFICER, d)
pr = Procedure.objects.create(code="1.013236", name="Cấp giấy phép xây dựng", agency=a)
pr.receiving_units.add(d)
v = ProcedureVersion.objects.create(procedure=pr, valid_from=dt.date(2018, 1, 1), legal_time_amount=Decimal(15),
                                    legal_time_unit="working_days", status="published")
RequiredDocument.objects.create(version=v, order=1, name="Đơn đề nghị")
for i in range(6):
    data = services.Intake(procedure="1.013236", applicant=services.Applicant(name=f"Người nộp {i}",
                           id_number="068090001234"), documents=[services.DocumentInput(order=1)])
    dossier = services.receive_at_desk(u, data, [Upload(name="don.pdf", stream=io.BytesIO(b"%PDF-1.4\\n%%EOF\\n"),
                                                        document_order=1)])
    services.transfer(u, dossier)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_worker_killed_mid_push_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    with DvcqgDouble() as double:
        env = _env(tmp_path)
        env.update(MOTCUA_DVCQG_URL=double.url, MOTCUA_DVCQG_SYNC="1", MOTCUA_DVCQG_CLIENT_ID="motcua",
                   MOTCUA_DVCQG_CLIENT_SECRET="bi-mat", MOTCUA_DVCQG_LEASE_SECONDS="1",
                   MOTCUA_DVCQG_BACKOFF_SECONDS="1")
        _manage(env, "migrate", "--noinput")
        _manage(env, "shell", stdin=SEED)
        db = sqlite3.connect(tmp_path / "db.sqlite3")
        owed = db.execute("SELECT count(*) FROM integrations_syncrecord").fetchone()[0]
        assert owed >= 18  # six dossiers, each its HoSo and its steps
        double.hold(*([0.3] * 200))  # DVCQG answers slowly: the kill lands while a request is in flight
        worker = subprocess.Popen([sys.executable, "-m", "motcua", "dvcqg", "push"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while double.posts < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.15)  # in the middle of the next request
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        sent_before = double.posts
        assert 0 < sent_before < owed
        time.sleep(1.2)  # the dead worker's lease runs out
        double.hold()
        _manage(env, "dvcqg", "push")
        states = dict(db.execute("SELECT state, count(*) FROM integrations_syncrecord GROUP BY state").fetchall())
        assert states == {"acked": owed}
        # Everything held once; what was in flight at the kill was sent again under its key.
        assert len(double.by_key) == owed
        assert double.posts - double.duplicates == owed
        assert double.duplicates >= 1  # the request in flight at the kill: processed there, sent again here
        keys = [k for (k,) in db.execute("SELECT key FROM integrations_syncrecord ORDER BY id")]
        assert set(double.arrivals) == set(keys)
        for code, steps in double.steps.items():  # each dossier's history arrived in order
            times = [s["ThoiDiemXuLy"] for s in steps]
            assert times == sorted(times), code
        db.close()
