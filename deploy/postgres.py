"""A PostgreSQL primary, a streaming replica of it, and PgBouncer in front of both, on this machine.

The model of a province's database tier (docs/operations.md): the primary takes every write, the replica (a hot
standby fed by streaming replication) answers the dashboards, reports and exports, and PgBouncer in transaction
mode multiplexes the app servers' connections onto a few server connections. Built from Debian's packages
(postgresql-15, pgbouncer) under one folder, on ports of our own, beside whatever PostgreSQL the machine runs.

PostgreSQL and PgBouncer refuse to run as root, so when we are root every server runs as the ``postgres`` user
(``runuser``), and the folder is given to it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .common import ServiceError, free_port, port_open, stop_pid, tail, wait_for_port

PG_BIN = Path(os.environ.get("MOTCUA_PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    if not shutil.which("runuser"):
        raise ServiceError("running as root needs runuser to start PostgreSQL as the postgres user")
    return ["runuser", "-u", OS_USER, "--", *argv]


def _give(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, OS_USER, OS_USER)
        for child in path.rglob("*"):
            with contextlib.suppress(FileNotFoundError):
                shutil.chown(child, OS_USER, OS_USER)


def _run(argv: list[str], what: str, timeout: float = 120) -> None:
    result = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=timeout,  # noqa: S603
                            check=False)
    if result.returncode:
        raise ServiceError(f"{what} failed ({result.returncode}):\n{result.stderr[-2000:] or result.stdout[-2000:]}")


def available() -> str:
    """Why this machine cannot run the database tier ("" when it can)."""
    for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres"):
        if not (PG_BIN / tool).exists():
            return f"{PG_BIN / tool} is missing (Debian package postgresql-15)"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "runuser is missing"
    return ""


@dataclass
class Server:
    """One PostgreSQL server (the primary or the replica) in ``data``."""

    name: str
    data: Path
    port: int

    @property
    def log(self) -> Path:
        return self.data.parent / f"{self.name}.log"

    def url(self, database: str) -> str:
        return f"postgres://{OS_USER}@127.0.0.1:{self.port}/{database}"

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def start(self) -> None:
        # postgres in its own process group (pg_ctl's -l, no daemon of ours to track): stop_pid can end it.
        argv = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                "-o", f"-p {self.port} -k {self.data.parent}", "start"]
        _run(argv, f"starting PostgreSQL ({self.name})")
        wait_for_port(self.port, None, self.log, f"PostgreSQL ({self.name})")

    def stop(self, mode: str = "fast") -> None:
        if self.pid() is None:
            return
        with contextlib.suppress(ServiceError):
            _run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop"],
                 f"stopping PostgreSQL ({self.name})")

    def kill(self) -> None:
        """Stop it hard, as a crashed machine would: SIGKILL to the postmaster (its children follow)."""
        pid = self.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
            deadline = time.monotonic() + 10
            while port_open(self.port) and time.monotonic() < deadline:
                time.sleep(0.1)


@dataclass
class Bouncer:
    port: int
    folder: Path
    pid: int

    @property
    def log(self) -> Path:
        return self.folder / "pgbouncer.log"

    def url(self, database: str) -> str:
        return f"postgres://{OS_USER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        stop_pid(self.pid)


@dataclass
class DatabaseTier:
    folder: Path
    primary: Server
    replica: Server | None
    bouncer: Bouncer | None

    def stop(self) -> None:
        if self.bouncer is not None:
            self.bouncer.stop()
        if self.replica is not None:
            self.replica.stop()
        self.primary.stop()

    def wait_replayed(self, timeout: float = 30.0) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        if self.replica is None:
            return
        import psycopg

        with psycopg.connect(self.primary.url("postgres"), autocommit=True) as conn:
            target = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]  # type: ignore[index]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.replica.url("postgres"), autocommit=True) as conn:
            while time.monotonic() < deadline:
                row = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()
                if row and row[0]:
                    return
                time.sleep(0.05)
        raise ServiceError(f"the replica did not replay up to {target} within {timeout:.0f} s")


_PRIMARY_CONF = """
listen_addresses = '127.0.0.1'
max_connections = 200
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
fsync = {fsync}
full_page_writes = {fsync}
"""
_HBA = """
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
"""


def start_primary(folder: Path, port: int | None = None, *, durable: bool = True) -> Server:
    """initdb (once) and start a primary that accepts streaming replicas. ``durable=False`` (tests) turns fsync
    off: faster, and a test database needs no crash safety."""
    if reason := available():
        raise ServiceError(reason)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must enter it; the data folders stay 0700
    _give(folder)
    server = Server("primary", folder / "primary", port or free_port())
    if not (server.data / "PG_VERSION").exists():
        _run([str(PG_BIN / "initdb"), "-D", str(server.data), "-U", OS_USER, "-E", "UTF8", "--locale=C.UTF-8",
              "-A", "trust"], "initdb")
        flag = "on" if durable else "off"
        with open(server.data / "postgresql.conf", "a") as conf:
            conf.write(_PRIMARY_CONF.format(fsync=flag))
        (server.data / "pg_hba.conf").write_text(_HBA)
        _give(server.data)
    server.start()
    return server


def start_replica(folder: Path, primary: Server, port: int | None = None) -> Server:
    """A hot standby of ``primary`` (``pg_basebackup -R``: streaming replication from its current state)."""
    server = Server("replica", folder / "replica", port or free_port())
    if not (server.data / "PG_VERSION").exists():
        _run([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", OS_USER,
              "-D", str(server.data), "-R", "-X", "stream", "-c", "fast"], "pg_basebackup", timeout=600)
    server.start()
    return server


def start_bouncer(folder: Path, primary: Server, replica: Server | None, databases: list[str],
                  port: int | None = None, pool_size: int = 20) -> Bouncer:
    """PgBouncer in transaction mode: ``<db>`` goes to the primary, ``<db>_replica`` to the replica."""
    if not shutil.which("pgbouncer"):
        raise ServiceError("pgbouncer is missing (Debian package pgbouncer)")
    port = port or free_port()
    entries = []
    for name in databases:
        entries.append(f"{name} = host=127.0.0.1 port={primary.port} dbname={name}")
        if replica is not None:
            entries.append(f"{name}_replica = host=127.0.0.1 port={replica.port} dbname={name}")
    conf = folder / "pgbouncer.ini"
    (folder / "userlist.txt").write_text(f'"{OS_USER}" ""\n')
    conf.write_text("\n".join([
        "[databases]", *entries, "",
        "[pgbouncer]",
        "listen_addr = 127.0.0.1", f"listen_port = {port}", f"unix_socket_dir = {folder}",
        "auth_type = trust", f"auth_file = {folder / 'userlist.txt'}",
        "pool_mode = transaction", f"default_pool_size = {pool_size}", "max_client_conn = 1000",
        # Django's connection setup sends these; PgBouncer must let them through in transaction mode.
        "ignore_startup_parameters = extra_float_digits,options",
        f"logfile = {folder / 'pgbouncer.log'}", f"pidfile = {folder / 'pgbouncer.pid'}",
        "admin_users = postgres", "",
    ]))
    _give(folder)
    log = folder / "pgbouncer.log"
    process = subprocess.Popen(_as_server_user(["pgbouncer", str(conf)]),  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, process, log, "PgBouncer")
    except ServiceError:
        stop_pid(process.pid)
        raise
    return Bouncer(port=port, folder=folder, pid=process.pid)


def create_database(server: Server, name: str) -> None:
    import psycopg

    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')  # a name of ours, not user input


def start_tier(folder: Path, databases: list[str], *, replica: bool = True, bouncer: bool = True,
               durable: bool = True, ports: tuple[int | None, int | None, int | None] = (None, None, None)
               ) -> DatabaseTier:
    """The whole tier: primary, then its databases, then the replica (which copies them), then PgBouncer."""
    primary = start_primary(folder, ports[0], durable=durable)
    started: DatabaseTier = DatabaseTier(folder, primary, None, None)
    try:
        for name in databases:
            create_database(primary, name)
        if replica:
            started.replica = start_replica(folder, primary, ports[1])
        if bouncer:
            started.bouncer = start_bouncer(folder, primary, started.replica, databases, ports[2])
    except BaseException:
        started.stop()
        raise
    return started


__all__ = ["DatabaseTier", "ServiceError", "available", "start_tier", "tail"]
