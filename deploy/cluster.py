"""``make cluster``: a province's deployment, modelled on one machine (docs/operations.md "A province").

    python -m deploy.cluster start [--app-servers N] [--workers N]   (make cluster)
    python -m deploy.cluster stop                                    (make cluster-stop)
    python -m deploy.cluster status                                  (make cluster-status)

Starts, under ``var/cluster/``, from Debian's packages and PyPI only: a PostgreSQL primary and its streaming
replica, PgBouncer in transaction mode in front of both, Redis (cache, sessions, task queue), an S3-compatible
object store (moto's server standing in for the province's), two app servers (gunicorn) behind nginx terminating
TLS with a self-signed certificate, two RQ workers and the scheduler. The app runs in production mode
(``MOTCUA_ENV=production``) with every engine configured as a province would. It migrates, loads the demo and
prints the address. ``stop`` stops exactly what ``start`` recorded in ``var/cluster/cluster.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import postgres
from .common import ServiceError, port_open, stop_pid, tail, wait_for_port
from .objectstore import ACCESS_KEY, SECRET_KEY, start_s3

ROOT = Path(__file__).resolve().parents[1]
FOLDER = Path(os.environ.get("MOTCUA_CLUSTER_DIR", ROOT / "var" / "cluster"))
STATE = FOLDER / "cluster.json"
# Fixed ports so that the address is known; MOTCUA_CLUSTER_PORT_OFFSET moves them all (a second cluster, the tests).
_OFFSET = int(os.environ.get("MOTCUA_CLUSTER_PORT_OFFSET", "0"))
PORTS = {name: port + _OFFSET for name, port in {
    "https": 8443, "http": 8080, "app": 8101, "primary": 5441, "replica": 5442, "bouncer": 6441, "redis": 6390,
    "s3": 9100}.items()}
DATABASE = "motcua"


def _python() -> str:
    return sys.executable


def _spawn(name: str, argv: list[str], env: dict[str, str], state: dict[str, Any]) -> subprocess.Popen[bytes]:
    log = FOLDER / f"{name}.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT,  # noqa: S603
                                   start_new_session=True)
    state["processes"][name] = process.pid
    _save(state)
    return process


def _save(state: dict[str, Any]) -> None:
    STATE.write_text(json.dumps(state, indent=2))


def _certificate() -> tuple[Path, Path]:
    cert, key = FOLDER / "tls.crt", FOLDER / "tls.key"
    if not cert.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",  # noqa: S603,S607 - our own tools and arguments
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def nginx_conf(app_ports: list[int], static_root: Path, cert: Path, key: Path) -> str:
    upstream = "\n".join(f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in app_ports)
    max_body = int(os.environ.get("MOTCUA_MAX_FILE_BYTES", 20 * 1024 * 1024)) * 5 // 2**20 + 1  # several files
    return f"""
worker_processes 2;
pid {FOLDER / 'nginx.pid'};
error_log {FOLDER / 'nginx-error.log'} warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  # Which app server answered each request, and how long it took: the load test and the tests read it.
  log_format upstreams '$remote_addr [$time_local] "$request" $status $request_time $upstream_addr';
  access_log {FOLDER / 'nginx-access.log'} upstreams;
  client_body_temp_path {FOLDER / 'nginx-tmp'};
  proxy_temp_path {FOLDER / 'nginx-tmp'};
  fastcgi_temp_path {FOLDER / 'nginx-tmp'};
  uwsgi_temp_path {FOLDER / 'nginx-tmp'};
  scgi_temp_path {FOLDER / 'nginx-tmp'};
  sendfile on;
  gzip on;
  gzip_types text/css application/javascript application/json image/svg+xml;
  upstream motcua {{
{upstream}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{PORTS['http']};
    return 301 https://$host:{PORTS['https']}$request_uri;
  }}
  server {{
    listen 127.0.0.1:{PORTS['https']} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    client_max_body_size {max_body}m;
    location /static/ {{
      alias {static_root}/;
      expires 30d;
      add_header Cache-Control "public, immutable";
    }}
    location / {{
      proxy_pass http://motcua;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      # The client's address (the app believes it from 127.0.0.1 only: MOTCUA_TRUSTED_PROXIES below).
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-Proto https;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout http_502 http_503;
    }}
  }}
}}
"""


def app_environment(state: dict[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DATABASE_URL"))}
    bouncer = f"postgres://postgres@127.0.0.1:{PORTS['bouncer']}"
    redis = f"redis://127.0.0.1:{PORTS['redis']}"
    base = f"https://localhost:{PORTS['https']}"
    env.update({
        "PYTHONPATH": str(ROOT / "src"),
        "MOTCUA_ENV": "production",
        "MOTCUA_SECRET_KEY": state["secret_key"],
        # The model keeps its audit key beside the secret key; a province keeps it out of the database's reach.
        "MOTCUA_AUDIT_KEY": state["audit_key"],
        "MOTCUA_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "MOTCUA_CSRF_TRUSTED_ORIGINS": f"{base},https://127.0.0.1:{PORTS['https']}",
        "MOTCUA_PUBLIC_BASE_URL": base,
        # nginx on this machine is the only proxy whose X-Forwarded-For the app believes (core.throttle).
        "MOTCUA_TRUSTED_PROXIES": "127.0.0.1",
        "MOTCUA_HSTS_SECONDS": "0",  # a self-signed model: no browser should remember it
        # The model is reached at localhost, which production otherwise refuses as its public address.
        "MOTCUA_SILENCED_CHECKS": "motcua.E001",
        "MOTCUA_VAR_DIR": str(FOLDER / "var"),
        "DATABASE_URL": f"{bouncer}/{DATABASE}",
        "MOTCUA_DB_REPLICA_URL": f"{bouncer}/{DATABASE}_replica",
        "MOTCUA_DB_PGBOUNCER": "true",
        "MOTCUA_CACHE_URL": f"{redis}/0",
        "MOTCUA_TASKS_URL": f"{redis}/1",
        "MOTCUA_STORAGE_URL": f"s3://motcua-files?endpoint_url=http://127.0.0.1:{PORTS['s3']}&region_name=us-east-1",
        "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        # Notices are printed in the workers' log: the model has no mail server.
        "MOTCUA_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "MOTCUA_EMAIL_FROM": "motcua@localhost",
        "MOTCUA_LOG_LEVEL": "WARNING",
    })
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([_python(), "-m", "motcua", *args], env=env, cwd=ROOT,  # noqa: S603 - our command
                            capture_output=True, text=True, check=False)
    if result.returncode:
        raise ServiceError(f"motcua {' '.join(args)} failed:\n{result.stderr[-3000:]}")


def running() -> dict[str, Any] | None:
    if not STATE.exists():
        return None
    return dict(json.loads(STATE.read_text()))


def start(app_servers: int = 2, workers: int = 2, demo: bool = True) -> dict[str, Any]:
    if (state := running()) is not None:
        raise ServiceError(f"The cluster is already running ({STATE}); `make cluster-stop` first.")
    for tool in ("nginx", "redis-server", "openssl"):
        if not shutil.which(tool):
            raise ServiceError(f"{tool} is missing (Debian packages nginx, redis-server, openssl)")
    if reason := postgres.available():
        raise ServiceError(reason)
    busy = [f"{name} {port}" for name, port in PORTS.items() if port_open(port)]
    if busy:
        raise ServiceError(f"ports in use: {', '.join(busy)}")
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / "nginx-tmp").mkdir(exist_ok=True)
    state = {"processes": {}, "secret_key": secrets.token_urlsafe(48), "audit_key": secrets.token_urlsafe(48),
             "started": time.time(),
             "app_ports": [PORTS["app"] + i for i in range(app_servers)]}
    _save(state)
    try:
        print("PostgreSQL primary, streaming replica, PgBouncer…", flush=True)
        tier = postgres.start_tier(FOLDER / "pg", [DATABASE],
                                   ports=(PORTS["primary"], PORTS["replica"], PORTS["bouncer"]))
        state["pg"] = {"folder": str(tier.folder), "bouncer_pid": tier.bouncer.pid if tier.bouncer else None}
        _save(state)
        print("Redis, the object store…", flush=True)
        redis = _spawn("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(PORTS["redis"]), "--save", "",
                                 "--appendonly", "no", "--dir", str(FOLDER)], dict(os.environ), state)
        wait_for_port(PORTS["redis"], redis, FOLDER / "redis.log", "Redis")
        store = start_s3(FOLDER / "s3", PORTS["s3"])
        state["processes"]["s3"] = store.pid
        _save(state)
        env = app_environment(state)
        print("Migrations, static files, the demo…", flush=True)
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput", "-v0")
        if demo:
            _manage(env, "demo")
        print(f"{app_servers} app servers, nginx, {workers} workers, the scheduler…", flush=True)
        for i, port in enumerate(state["app_ports"]):
            # Two cores: 2 processes × 4 threads per app server keeps both busy without thrashing.
            app = _spawn(f"app{i + 1}", [_python(), "-m", "gunicorn", "motcua.wsgi", "--bind", f"127.0.0.1:{port}",
                                         "--workers", "2", "--threads", "4", "--timeout", "120",
                                         "--forwarded-allow-ips", "127.0.0.1",
                                         "--control-socket", str(FOLDER / f"app{i + 1}.ctl")], env, state)
            wait_for_port(port, app, FOLDER / f"app{i + 1}.log", f"app server {i + 1}", timeout=60)
        cert, key = _certificate()
        (FOLDER / "nginx.conf").write_text(nginx_conf(state["app_ports"], FOLDER / "var" / "static", cert, key))
        proxy = _spawn("nginx", ["nginx", "-c", str(FOLDER / "nginx.conf"), "-p", str(FOLDER)], dict(os.environ),
                       state)
        wait_for_port(PORTS["https"], proxy, FOLDER / "nginx-error.log", "nginx")
        for i in range(workers):
            _spawn(f"worker{i + 1}", [_python(), "-m", "motcua", "worker", "--name", f"cluster-worker-{i + 1}"], env,
                   state)
        _spawn("scheduler", [_python(), "-m", "motcua", "scheduler"], env, state)
    except BaseException:
        stop()
        raise
    return state


def reconfigure_proxy(app_ports: list[int]) -> None:
    """Point nginx at ``app_ports`` only (the load test's one-server run) and reload it."""
    state = running()
    if state is None:
        raise ServiceError("the cluster is not running")
    cert, key = _certificate()
    (FOLDER / "nginx.conf").write_text(nginx_conf(app_ports, FOLDER / "var" / "static", cert, key))
    subprocess.run(["nginx", "-c", str(FOLDER / "nginx.conf"), "-p", str(FOLDER), "-s", "reload"],  # noqa: S603,S607 - our own tools and arguments
                   check=True, capture_output=True)
    time.sleep(1.0)


def stop() -> list[str]:
    state = running()
    if state is None:
        return []
    stopped = []
    for name, pid in reversed(list(state.get("processes", {}).items())):
        stop_pid(int(pid))
        stopped.append(name)
    pg = state.get("pg")
    if pg:
        if pg.get("bouncer_pid"):
            stop_pid(int(pg["bouncer_pid"]))
        folder = Path(pg["folder"])
        for name in ("replica", "primary"):
            server = postgres.Server(name, folder / name, 0)
            server.stop()
            stopped.append(f"postgres {name}")
    STATE.unlink(missing_ok=True)
    return stopped


def status() -> str:
    state = running()
    if state is None:
        return "The cluster is not running."
    lines = []
    for name, pid in state["processes"].items():
        try:
            os.kill(int(pid), 0)
            alive = "running"
        except ProcessLookupError:
            alive = "STOPPED"
        lines.append(f"{name:10} pid {pid:>7}  {alive}")
    for name in ("primary", "replica", "bouncer"):
        lines.append(f"{name:10} port {PORTS[name]:>6}  {'running' if port_open(PORTS[name]) else 'STOPPED'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--app-servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            started = time.monotonic()
            start(args.app_servers, args.workers, demo=not args.no_demo)
            print(f"\nThe cluster answers on https://localhost:{PORTS['https']}/ (self-signed certificate) after "
                  f"{time.monotonic() - started:.0f} s.\nDemo accounts: {FOLDER / 'var' / 'demo-credentials.txt'}."
                  f"\nLogs: {FOLDER}/*.log.  Stop everything with `make cluster-stop`.")
        elif args.action == "stop":
            stopped = stop()
            print("Stopped: " + ", ".join(stopped) if stopped else "The cluster was not running.")
        else:
            print(status())
    except ServiceError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["PORTS", "main", "reconfigure_proxy", "start", "status", "stop", "tail"]
