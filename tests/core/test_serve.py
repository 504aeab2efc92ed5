"""``motcua serve`` (what ``make run`` runs): the app server, the task worker and the scheduler start
together and one SIGINT stops all of them, grandchildren included (runserver's autoreloader)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": str(ROOT / "src"),
           "MOTCUA_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}"}
    for name in ("MOTCUA_ENV", "MOTCUA_TASKS_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE", "MOTCUA_DEBUG"):
        env.pop(name, None)
    return env


def test_serve_runs_server_worker_and_scheduler_and_one_sigint_stops_them_all(tmp_path):
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "motcua", "migrate", "--noinput", "-v0"], env=env, check=True,
                   timeout=300, capture_output=True)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    serve = subprocess.Popen([sys.executable, "-m", "motcua", "serve", f"127.0.0.1:{port}", "--grace", "15"],
                             env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        status, deadline = 0, time.monotonic() + 90
        while time.monotonic() < deadline and status != 200:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    status = response.status
            except OSError:
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert status == 200, output
        children = {name: int(pid) for name, pid in re.findall(r"motcua serve: (\w+) pid (\d+)", output)}
        assert set(children) == {"web", "worker", "scheduler"}, output
        # The app's own error page, not Django's debug page with the URL list; the static files still served.
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/khong-co-trang-nay/", timeout=10)
            raise AssertionError("an unknown page answered")
        except urllib.error.HTTPError as error:
            assert error.code == 404
            body = error.read().decode()
        assert "Không tìm thấy trang" in body and "URLconf" not in body, body[:500]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/motcua/motcua.css", timeout=10) as response:
            assert response.status == 200 and b".table-scroll" in response.read()
        for name, pid in children.items():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            assert {"web": b"runserver", "worker": b"worker", "scheduler": b"scheduler"}[name] in cmdline
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=30) == 0
        time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert "did not stop" not in output, output  # each child stopped on the forwarded signal, none killed
        assert [name for name, pid in children.items() if _group_alive(pid)] == [], output
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        log.close()


def test_serve_runs_the_children_without_debug_unless_asked(monkeypatch):
    from motcua.core.management.commands.serve import Command

    monkeypatch.delenv("MOTCUA_DEBUG", raising=False)
    assert Command().child_environment(debug=False)["MOTCUA_DEBUG"] == "false"
    assert Command().child_environment(debug=True)["MOTCUA_DEBUG"] == "true"
    monkeypatch.setenv("MOTCUA_DEBUG", "true")
    assert Command().child_environment(debug=False)["MOTCUA_DEBUG"] == "true"  # the environment wins


def test_serve_gives_its_children_its_own_address_for_the_links_in_notices(monkeypatch):
    from motcua.core.management.commands.serve import Command

    monkeypatch.delenv("MOTCUA_PUBLIC_BASE_URL", raising=False)
    env = Command().child_environment(debug=False, addrport="0.0.0.0:8080")
    assert env["MOTCUA_PUBLIC_BASE_URL"] == "http://localhost:8080"
    assert Command().child_environment(debug=False, addrport="10.0.0.5:9000")["MOTCUA_PUBLIC_BASE_URL"] == (
        "http://10.0.0.5:9000")
    monkeypatch.setenv("MOTCUA_PUBLIC_BASE_URL", "https://dichvucong.lamdong.gov.vn")
    assert Command().child_environment(debug=False, addrport="0.0.0.0:8080")["MOTCUA_PUBLIC_BASE_URL"] == (
        "https://dichvucong.lamdong.gov.vn")  # the configured address wins
