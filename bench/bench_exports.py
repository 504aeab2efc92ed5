"""Long exports off the request (issue 20): ``/healthz`` while four one-year register PDFs are asked at once.

Measured on a real server — gunicorn with two sync workers, as the probe had it, and the task worker — over the
demo's dossiers in a SQLite file, twice in the same run: with exports in the background (the default: above
``MOTCUA_EXPORT_SYNC_MAX`` rows a task builds the file), and with every export built in the request
(``MOTCUA_EXPORT_SYNC_MAX`` raised above the register's size, as before). Printed as ratios to ``/healthz`` on
the idle server of the same run. Needs a minute for the demo; skipped with ``--quick``.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXPORTS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(var: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": str(HERE.parent / "src"),
           "MOTCUA_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
           "MOTCUA_LOGIN_THROTTLING": "false", **extra}
    for name in ("MOTCUA_TASKS_URL", "MOTCUA_CACHE_URL", "MOTCUA_STORAGE_URL", "MOTCUA_DB_REPLICA_URL"):
        env.pop(name, None)
    return env


def _motcua(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "motcua", *args], env=env,  # noqa: S603 — our own command
                          capture_output=True, text=True, check=True, timeout=900)
    return done.stdout


def _get(url: str, token: str = "", timeout: float = 120) -> tuple[int, bytes, dict[str, str]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — the local server's http URL
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def _healthz(base: str, samples: list[float], stop: float, done: threading.Event | None = None) -> None:
    while time.monotonic() < stop and not (done and done.is_set()):
        t0 = time.perf_counter()
        _get(base + "/healthz")
        samples.append(time.perf_counter() - t0)
        time.sleep(0.1)


def _round(var: Path, token: str, first: dt.date, last: dt.date, **extra: str) -> dict[str, Any]:
    """One server (gunicorn, two sync workers; the task worker): idle /healthz, then four exports at once."""
    env = _env(var, **extra)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (var / "server.log").open("a")
    server = subprocess.Popen(  # noqa: S603 — fixed arguments
        [sys.executable, "-m", "gunicorn", "motcua.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "300"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen([sys.executable, "-m", "motcua", "worker"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(base + "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        idle: list[float] = []
        _healthz(base, idle, time.monotonic() + 5)
        url = f"{base}/api/v1/registers/dossiers.pdf?from={first}&to={last}"
        busy: list[float] = []
        done = threading.Event()
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(EXPORTS + 1) as pool:
            pool.submit(_healthz, base, busy, started + 900, done)
            answers = list(pool.map(lambda _: _get(url, token, timeout=600), range(EXPORTS)))
            answered = time.monotonic() - started
            # Background exports: follow each job until its file is ready.
            for status, _body, headers in answers:
                if status == 202:
                    job = headers.get("Location", "")
                    while json.loads(_get(base + job, token)[1]).get("status") not in ("done", "failed"):
                        time.sleep(0.3)
            finished = time.monotonic() - started
            done.set()
        statuses = sorted({a[0] for a in answers})
        return {"idle": idle, "busy": busy, "answered": answered, "finished": finished, "statuses": statuses}
    finally:
        for proc in (server, worker):
            proc.terminate()
        for proc in (server, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def run(args: Any) -> None:
    if getattr(args, "quick", False):
        print("exports: skipped with --quick (it loads the demo and starts a server)")
        return
    with tempfile.TemporaryDirectory(prefix="motcua-bench-exports-") as tmp:
        var = Path(tmp)
        env = _env(var)
        _motcua(env, "migrate", "--noinput", "-v0")
        _motcua(env, "demo")
        token = _motcua(env, "createtoken", "binh", "--name", "bench").strip()
        last = dt.date.today()
        first = last - dt.timedelta(days=365)
        background = _round(var, token, first, last)
        in_request = _round(var, token, first, last, MOTCUA_EXPORT_SYNC_MAX="1000000")
    base50 = statistics.median(background["idle"] + in_request["idle"])
    print(f"exports: {EXPORTS} one-year register PDFs at once on 2 sync workers; /healthz idle p50 = 1.0 "
          f"(the baseline)")
    for name, r in (("in the background", background), ("in the request", in_request)):
        busy = sorted(r["busy"])
        p95 = busy[max(0, int(len(busy) * 0.95) - 1)] if busy else float("nan")
        print(f"  {name:18} /healthz while exporting p50 {statistics.median(busy) / base50:8.1f}x  "
              f"p95 {p95 / base50:8.1f}x  (n={len(busy)}); the {EXPORTS} requests answered in "
              f"{r['answered'] / base50:8.0f}x, files ready in {r['finished'] / base50:8.0f}x; "
              f"statuses {r['statuses']}")
