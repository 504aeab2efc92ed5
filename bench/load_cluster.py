"""The province's cluster under load (``make bench-cluster``; not part of ``make bench``, which it would slow by
minutes): Locust's mix of bench/locustfile.py against ``make cluster`` (started here if it is not running, and
stopped again), first with nginx sending everything to one app server, then to both. For each: the highest rate
of requests per second served with the 95th percentile under 300 ms among the loads tried, the error rate, and
the scaling factor from one app server to two. Every rate is printed as a ratio to the rate of ``/healthz``
through the same nginx and app servers measured in the same run (a request that only asks the database
``SELECT 1``), so the figures compare across machines.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy import cluster  # noqa: E402 - the repository root is on the path only now

USERS_QUICK, USERS = [10, 20], [10, 20, 30, 40, 60]
P95_BOUND_MS = 300


def _token(env: dict[str, str], username: str) -> str:
    out = subprocess.run([sys.executable, "-m", "motcua", "createtoken", username,  # noqa: S603 - our command
                          "--name", "load test"], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def _locust(users: int, seconds: int, tokens: dict[str, str], locustfile: str, extra_env: dict[str, str]
            ) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        prefix = str(Path(out) / "run")
        env = {**os.environ, "MOTCUA_LOAD_TOKENS": json.dumps(tokens), **extra_env}
        subprocess.run([sys.executable, "-m", "locust", "-f", locustfile, "--headless", "-u", str(users),  # noqa: S603
                        "-r", str(max(1, users // 5)), "-t", f"{seconds}s", "--host",
                        f"https://localhost:{cluster.PORTS['https']}", "--csv", prefix, "--only-summary",
                        "--loglevel", "ERROR"], env=env, cwd=ROOT, capture_output=True, text=True, check=False,
                       timeout=seconds + 120)
        with open(f"{prefix}_stats.csv", newline="") as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    requests = float(total["Request Count"]) or 1.0
    return {"rps": float(total["Requests/s"]), "p95": float(total["95%"]), "p50": float(total["50%"]),
            "errors": float(total["Failure Count"]) / requests, "users": users}


HEALTH = str(ROOT / "bench" / "locust_health.py")


def _health_file() -> None:
    Path(HEALTH).write_text(
        "from locust import HttpUser, constant, task\n\n\n"
        "class Probe(HttpUser):\n    wait_time = constant(0)\n\n"
        "    def on_start(self) -> None:\n        self.client.verify = False\n\n"
        "    @task\n    def health(self) -> None:\n        self.client.get('/healthz')\n")


def _series(label: str, loads: list[int], seconds: int, tokens: dict[str, str]
            ) -> tuple[dict[str, float], float, float]:
    """The best result under the p95 bound, the /healthz rate and the highest rate whatever the p95 (saturation)."""
    baseline = _locust(10, max(10, seconds // 2), {}, HEALTH, {})
    best: dict[str, float] | None = None
    peak = 0.0
    for users in loads:
        result = _locust(users, seconds, tokens, str(ROOT / "bench" / "locustfile.py"), {})
        ok = result["p95"] <= P95_BOUND_MS
        print(f"  {label}: {users:3} users  {result['rps'] / baseline['rps']:.2f}x /healthz rate "
              f"({result['rps']:.1f} req/s here)  p50 {result['p50']:.0f} ms  p95 {result['p95']:.0f} ms  "
              f"errors {result['errors']:.2%}{'' if ok else '  (p95 over the bound)'}", flush=True)
        if ok and (best is None or result["rps"] > best["rps"]):
            best = result
        peak = max(peak, result["rps"])
    return best or {"rps": 0.0, "p95": 0.0, "p50": 0.0, "errors": 0.0, "users": 0}, baseline["rps"], peak


def run(args: Any) -> None:
    started_here = cluster.running() is None
    if started_here:
        print("starting make cluster…", flush=True)
        cluster.start()
    try:
        state = cluster.running()
        assert state is not None
        env = cluster.app_environment(state)
        tokens = {name: _token(env, name) for name in ("an", "binh", "cuong", "giang")}
        _health_file()
        seconds = 20 if getattr(args, "quick", False) else 45
        loads = USERS_QUICK if getattr(args, "quick", False) else USERS
        ports = state["app_ports"]
        cluster.reconfigure_proxy(ports[:1])
        one, base_one, peak_one = _series("1 app server", loads, seconds, tokens)
        cluster.reconfigure_proxy(ports)
        two, base_two, peak_two = _series("2 app servers", loads, seconds, tokens)
        base = (base_one + base_two) / 2
        if not one["users"] or not two["users"]:
            print(f"(no load tried kept the p95 under {P95_BOUND_MS} ms with "
                  f"{'one app server' if not one['users'] else 'two app servers'}: the figures below are 0)")
        print(f"best under p95 {P95_BOUND_MS} ms: 1 server {one['rps'] / base:.2f}x /healthz rate "
              f"({one['users']:.0f} users, errors {one['errors']:.2%}); 2 servers {two['rps'] / base:.2f}x "
              f"({two['users']:.0f} users, errors {two['errors']:.2%}); scaling 2/1 = "
              f"{(two['rps'] / one['rps']) if one['rps'] else float('nan'):.2f}x")
        # Past the bound: the most each served at any load tried (one machine's two cores cap both).
        print(f"highest rate at any p95: 1 server {peak_one / base:.2f}x /healthz rate, 2 servers "
              f"{peak_two / base:.2f}x; scaling 2/1 = {(peak_two / peak_one) if peak_one else float('nan'):.2f}x")
        print(f"(absolute, this machine only: /healthz {base:.0f} req/s; 1 server {one['rps']:.1f} req/s at p95 "
              f"{one['p95']:.0f} ms; 2 servers {two['rps']:.1f} req/s at p95 {two['p95']:.0f} ms)")
    finally:
        Path(HEALTH).unlink(missing_ok=True)
        if started_here:
            cluster.stop()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    run(parser.parse_args())
