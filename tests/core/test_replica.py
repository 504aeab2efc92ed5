"""The read replica and PgBouncer (issue 20), against a real PostgreSQL primary, a streaming replica of it and
PgBouncer in transaction mode (``deploy.postgres``), with the app in real server processes.

- A dashboard reads from the replica: with the replica's replay paused and a unit renamed on the primary, the
  dashboard (and the scorecards' staff report) still shows the old name, while a client that has just written
  (pinned to the primary) sees the new.
- Lag beyond ``MOTCUA_DB_REPLICA_MAX_LAG``: the dashboard reads from the primary.
- The replica killed: the dashboard keeps answering, from the primary.
- Through PgBouncer in transaction mode: receipts, transfers, the events' chain walked with ``.iterator()``, the
  database task worker claiming tasks, all work.
"""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from deploy import postgres

from tests.dossiers.test_kill import _env, _free_port, _manage, _serve
from tests.integrations.test_dvcqg_kill import SEED as DOSSIERS

LEADER = """
from motcua.accounts import services as acc
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, User
p = acc.save_unit(OrgUnit(name="UBND tỉnh", code="T.H68", kind=UnitKind.PROVINCE))
a = acc.save_unit(OrgUnit(parent=p, name="Sở Xây dựng", code="T.SXD", kind=UnitKind.AGENCY))
u = User.objects.create_user(username="lanh", password="mat-khau-dai-12", full_name="Lê Văn Lãnh", unit=a)
acc.assign_role(u, Role.AGENCY_LEADER, a)
"""
MAX_LAG = 6


@pytest.fixture(scope="module")
def tier() -> Iterator[postgres.DatabaseTier]:
    if reason := postgres.available():
        pytest.skip(f"no PostgreSQL server binaries to start a primary and a replica: {reason}")
    if not shutil.which("pgbouncer"):
        pytest.skip("pgbouncer is not installed (Debian package pgbouncer)")
    folder = Path(tempfile.mkdtemp(prefix="motcua-pg-"))  # under /tmp: the postgres user must reach it
    started = postgres.start_tier(folder, ["motcua"], durable=False)
    yield started
    started.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _sql(url: str, statement: str, *params: object) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(statement, list(params))  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str]:
    try:
        with opener.open(url, timeout=30) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode()


def _sign_in(base: str, jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    status, page = _get(opener, f"{base}/tai-khoan/dang-nhap/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert status == 200 and token
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": "lanh",
                                   "password": "mat-khau-dai-12"}).encode()
    request = urllib.request.Request(f"{base}/tai-khoan/dang-nhap/", data=body,  # noqa: S310 - local server
                                     headers={"Referer": f"{base}/"})
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 302, error.read()[:300]
    return opener


def _drop_pin(jar: http.cookiejar.CookieJar) -> None:
    for cookie in list(jar):
        if cookie.name == "motcua_primary":
            jar.clear(cookie.domain, cookie.path, cookie.name)


def _pinned(jar: http.cookiejar.CookieJar) -> bool:
    return any(cookie.name == "motcua_primary" for cookie in jar)


def test_dashboards_read_from_the_replica_within_the_lag_bound_and_survive_its_death(tier, tmp_path):
    assert tier.replica is not None
    primary, replica = tier.primary.url("motcua"), tier.replica.url("motcua")
    env = _env(tmp_path)
    env.update(DATABASE_URL=primary, MOTCUA_DB_REPLICA_URL=replica, MOTCUA_DB_REPLICA_MAX_LAG=str(MAX_LAG),
               MOTCUA_LOGIN_THROTTLING="false")
    _manage(env, "migrate", "--noinput")
    _manage(env, "shell", stdin=LEADER)
    tier.wait_replayed()
    port = _free_port()
    server = _serve(env, port)
    base, dashboard = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/thong-ke/don-vi/T.SXD/"
    staff = f"{base}/cai-cach/can-bo/"
    try:
        jar = http.cookiejar.CookieJar()
        opener = _sign_in(base, jar)
        assert _pinned(jar)  # the sign-in wrote (last login): this client reads from the primary for a while
        _drop_pin(jar)
        _sql(primary, "UPDATE accounts_orgunit SET address = address WHERE code = 'T.H68'")  # a fresh replayed xact
        tier.wait_replayed()
        _sql(replica, "SELECT pg_wal_replay_pause()")
        _sql(primary, "UPDATE accounts_orgunit SET name = 'Sở Xây dựng (mới)' WHERE code = 'T.SXD'")

        status, page = _get(opener, dashboard)
        assert status == 200 and "Sở Xây dựng" in page and "(mới)" not in page  # read on the replica
        status, page = _get(opener, staff)  # a report of the scorecards too
        assert status == 200 and "Sở Xây dựng" in page and "(mới)" not in page

        # A client pinned to the primary (it wrote a moment ago) sees the change at once.
        request = urllib.request.Request(dashboard, headers={"Cookie": "; ".join(
            [f"{c.name}={c.value}" for c in jar] + ["motcua_primary=1"])})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local server
            assert "Sở Xây dựng (mới)" in response.read().decode()

        time.sleep(MAX_LAG + 5.5)  # the replica is now further behind than allowed (and the check has expired)
        status, page = _get(opener, dashboard)
        assert status == 200 and "Sở Xây dựng (mới)" in page  # read on the primary

        _sql(replica, "SELECT pg_wal_replay_resume()")
        tier.wait_replayed()
        time.sleep(5.5)
        _sql(primary, "UPDATE accounts_orgunit SET address = address WHERE code = 'T.H68'")
        tier.wait_replayed()
        assert _get(opener, dashboard)[0] == 200
        tier.replica.kill()  # the replica's machine is lost
        for _ in range(3):
            status, page = _get(opener, dashboard)
            assert status == 200 and "Sở Xây dựng (mới)" in page  # the dashboard answers from the primary
        status, page = _get(opener, staff)
        assert status == 200 and "Sở Xây dựng (mới)" in page
        status, page = _get(opener, f"{base}/thong-ke/cong-khai.json")
        assert status == 200
    finally:
        server.kill()
        server.wait()
        if tier.replica is not None and tier.replica.pid() is None:
            tier.replica.start()  # for the next test of the module


def test_the_app_works_through_pgbouncer_in_transaction_mode(tier, tmp_path):
    assert tier.bouncer is not None
    _sql(tier.primary.url("postgres"), 'DROP DATABASE IF EXISTS "motcua_bouncer"')
    _sql(tier.primary.url("postgres"), 'CREATE DATABASE "motcua_bouncer"')
    tier.bouncer.stop()
    tier.bouncer = postgres.start_bouncer(tier.folder, tier.primary, tier.replica, ["motcua", "motcua_bouncer"],
                                          pool_size=2)  # two server connections for everything: real multiplexing
    env = _env(tmp_path)
    env.update(DATABASE_URL=tier.bouncer.url("motcua_bouncer"), MOTCUA_DB_PGBOUNCER="true",
               MOTCUA_TASKS_BACKEND="django_tasks_db.DatabaseBackend")
    _manage(env, "migrate", "--noinput")
    _manage(env, "shell", stdin=DOSSIERS)  # six receipts and transfers: the same queries many times over
    pending = _sql(tier.primary.url("motcua_bouncer"), "SELECT count(*) FROM django_tasks_database_dbtaskresult"
                   " WHERE status = 'READY'")[0][0]
    assert pending > 0
    _manage(env, "worker", "--burst")  # claims the tasks (SELECT ... FOR UPDATE SKIP LOCKED) through PgBouncer
    assert _sql(tier.primary.url("motcua_bouncer"), "SELECT count(*) FROM django_tasks_database_dbtaskresult"
                " WHERE status = 'READY'")[0][0] == 0
    assert "intact" in _manage(env, "audit", "verify")  # walks every chain with .iterator()
    stats = _sql(tier.bouncer.url("pgbouncer"), "SHOW STATS")
    assert any(row[0] == "motcua_bouncer" and int(row[1]) > 100 for row in stats)  # many transactions multiplexed
