"""``make cluster`` (deploy/cluster.py): the province topology starts on this machine, nginx spreads the requests
over both app servers, the app answers in production mode with every engine on (the replica, PgBouncer, Redis,
the object store), and ``cluster-stop`` leaves nothing running. Started without the demo, on ports of its own."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest
from deploy import postgres

ROOT = Path(__file__).resolve().parents[2]
# Clear of the default ports and of a default cluster running beside it (+1000 would put its primary on the
# default PgBouncer port 6441).
OFFSET = 1500


def _missing() -> str:
    for tool in ("nginx", "pgbouncer", "redis-server", "openssl"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    return postgres.available()


def _cluster(env: dict[str, str], action: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deploy.cluster", action, *extra], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie has finished


def test_the_cluster_starts_spreads_requests_over_both_app_servers_and_stops_cleanly():
    if reason := _missing():
        pytest.skip(f"the cluster needs Debian's servers: {reason}")
    folder = Path(tempfile.mkdtemp(prefix="motcua-cluster-"))
    folder.chmod(0o755)
    env = {**os.environ, "MOTCUA_CLUSTER_DIR": str(folder), "MOTCUA_CLUSTER_PORT_OFFSET": str(OFFSET)}
    env.pop("DATABASE_URL", None)
    try:
        started = _cluster(env, "start", "--no-demo")
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"https://localhost:{8443 + OFFSET}/" in started.stdout
        again = _cluster(env, "start", "--no-demo")
        assert again.returncode == 1 and "already running" in again.stderr
        pids = [int(line.split()[2]) for line in _cluster(env, "status").stdout.splitlines() if " pid " in line]
        assert len(pids) == 8  # redis, s3, two app servers, nginx, two workers, the scheduler

        context = ssl.create_default_context(cafile=str(folder / "tls.crt"))  # the model's own certificate
        for path in ["/", "/thu-tuc/", "/healthz", "/thong-ke/cong-khai.json"] * 4:
            with urllib.request.urlopen(f"https://localhost:{8443 + OFFSET}{path}",
                                        timeout=60, context=context) as response:
                assert response.status == 200, path
        with urllib.request.urlopen(f"https://localhost:{8443 + OFFSET}/healthz", timeout=60,
                                    context=context) as response:
            health = response.read().decode()
        assert "unreachable" not in health  # the task queue and the object store answer
        log = (folder / "nginx-access.log").read_text()
        assert f"127.0.0.1:{8101 + OFFSET}" in log and f"127.0.0.1:{8102 + OFFSET}" in log  # both app servers
    finally:
        stopped = _cluster(env, "stop")
    assert stopped.returncode == 0 and "postgres primary" in stopped.stdout
    assert not any(_alive(pid) for pid in pids)
    for port in (8443, 8101, 8102, 5441, 5442, 6441, 6390, 9100):
        assert not postgres.port_open(port + OFFSET), port
    assert "not running" in _cluster(env, "status").stdout
    shutil.rmtree(folder, ignore_errors=True)
