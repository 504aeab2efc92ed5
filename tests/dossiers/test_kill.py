"""Nothing is lost: a real server is SIGKILLed in the middle of a burst of submissions with files; after a
restart every acknowledged dossier exists with all its files, and no dossier is half-created."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = """
import datetime as dt
from decimal import Decimal
from motcua.accounts import services as acc
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.catalogue.models import Procedure, ProcedureVersion, RequiredDocument
p = acc.save_unit(OrgUnit(name="UBND tỉnh", code="T.H68", kind=UnitKind.PROVINCE))
a = acc.save_unit(OrgUnit(parent=p, name="Sở Xây dựng", code="T.SXD", kind=UnitKind.AGENCY))
d = acc.save_unit(OrgUnit(parent=a, name="Một cửa", code="T.SXD.MC", kind=UnitKind.DESK))
u = User.objects.create_user(username="binh", password="x" * 12, full_name="Trần Thị Bình", unit=d)
acc.assign_role(u, Role.DESK_OFFICER, d)
pr = Procedure.objects.create(code="1.013236", name="Cấp giấy phép xây dựng", agency=a)
v = ProcedureVersion.objects.create(procedure=pr, valid_from=dt.date(2018, 1, 1), legal_time_amount=Decimal(15),
                                    legal_time_unit="working_days", status="published")
RequiredDocument.objects.create(version=v, order=1, name="Đơn đề nghị")
print("TOKEN=" + acc.create_token(u, "kill")[1])
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(MOTCUA_ENV="development", MOTCUA_VAR_DIR=str(tmp), MOTCUA_SQLITE_PATH=str(tmp / "db.sqlite3"),
               MOTCUA_MEDIA_ROOT=str(tmp / "media"), MOTCUA_TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
               PYTHONPATH=str(ROOT / "src"), MOTCUA_LOG_LEVEL="ERROR", DJANGO_SETTINGS_MODULE="motcua.settings",
               # These servers are tested for what they share and survive, signing officers in with a password
               # only; the second factor is tested in tests/accounts/test_two_factor.py.
               MOTCUA_STAFF_2FA="false")
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def _manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "motcua", *args], env=env, input=stdin, capture_output=True,
                            text=True, timeout=180, cwd=ROOT, check=True)
    return result.stdout


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "motcua", "runserver", "--noreload", "--nothreading",
                             f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def _post(port: int, token: str, payload: bytes) -> tuple[int, dict]:
    boundary = uuid.uuid4().hex
    data = {"procedure": "1.013236", "applicant": {"name": "Nguyễn Văn An", "id_number": "068090001234"},
            "documents": [{"order": 1}]}
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n{json.dumps(data)}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"documents.1\"; filename=\"don.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/dossiers", data=body, method="POST", headers={
        "Authorization": token, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local test server
        return response.status, json.loads(response.read())


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_mid_burst_loses_no_acknowledged_dossier(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--noinput")
    token = "Bearer " + _manage(env, "shell", stdin=SEED).split("TOKEN=")[1].strip()
    payload = b"%PDF-1.4\n" + os.urandom(200_000) + b"\n%%EOF\n"
    digest = hashlib.sha256(payload).hexdigest()
    port = _free_port()
    server = _serve(env, port)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def burst() -> None:
        while not stop.is_set():
            try:
                status, body = _post(port, token, payload)
            except (OSError, ValueError):  # the server died mid-answer: a cut body is not JSON
                return
            if status == 201:
                with lock:
                    acknowledged.append(body["code"])

    threads = [threading.Thread(target=burst) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) >= 8

    server = _serve(env, port)  # restarts on the same files (WAL recovery)
    try:
        status, _ = _post(port, token, payload)
        assert status == 201
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()

    db = sqlite3.connect(tmp_path / "db.sqlite3")
    rows = db.execute("SELECT id, code, event_count FROM dossiers_dossier").fetchall()
    codes = {code for _, code, _ in rows}
    assert set(acknowledged) <= codes
    for pk, code, event_count in rows:  # no half-created dossier: rows, events and files all there
        files = db.execute("SELECT file, size, sha256 FROM dossiers_attachment WHERE dossier_id = ?", (pk,)).fetchall()
        assert len(files) == 1, code
        name, size, sha = files[0]
        assert hashlib.sha256((tmp_path / "media" / name).read_bytes()).hexdigest() == sha == digest
        assert size == len(payload)
        assert db.execute("SELECT count(*) FROM dossiers_dossierevent WHERE dossier_id = ?", (pk,)).fetchone()[0] \
            == event_count >= 2
        assert db.execute("SELECT count(*) FROM dossiers_dossierdocument WHERE dossier_id = ?", (pk,)).fetchone()[0]
