"""Background work on Redis (issue 20): with ``MOTCUA_TASKS_URL`` the tasks go to RQ and ``motcua worker`` runs
an RQ worker. Real Redis (DB 11), real worker processes, a SQLite file shared with them.

The acceptance test: a worker SIGKILLed in the middle of a job (the DVCQG push, whose double answers slowly) —
RQ hands the abandoned job to the next worker (``core.rq``'s retry policy) and its effect happens once: DVCQG holds
every record once, because each is sent under its idempotency key. RQ notices an abandoned job when its
heartbeat expires (the job-monitoring interval + 60 s); the test moves that cut-off forward instead of waiting."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from motcua.integrations.dvcqg.double import DvcqgDouble
from tests.dossiers.test_kill import ROOT, _env, _manage
from tests.integrations.test_dvcqg_kill import SEED

REDIS_URL = "redis://127.0.0.1:6379/11"


def empty_redis(url: str):  # type: ignore[no-untyped-def]
    """A client of the Redis database at ``url``, emptied; the test is skipped when Redis does not answer."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is not available at {url}: {exc}")
    client.flushdb()
    return client


@pytest.fixture
def redis_db():  # type: ignore[no-untyped-def]
    client = empty_redis(REDIS_URL)
    yield client
    client.flushdb()


@pytest.fixture
def reaped():  # type: ignore[no-untyped-def]
    """Workers started by a test, killed with their work horses when it ends however it ends: a worker left
    running after a failed assertion would take the jobs of the next run on the same Redis database."""
    started: list[subprocess.Popen[bytes]] = []

    def keep(process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
        started.append(process)
        return process
    yield keep
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _rq_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = _env(tmp_path)
    env.pop("MOTCUA_TASKS_BACKEND", None)
    env.update(MOTCUA_TASKS_URL=REDIS_URL, MOTCUA_TASKS_RETRY="[0]", **extra)
    return env


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "motcua", "worker", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


ABANDON = """
import time, django_rq
from rq.registry import StartedJobRegistry
from django_tasks_rq import Job
q = django_rq.get_queue("default", job_class=Job)
StartedJobRegistry(queue=q).cleanup(timestamp=time.time() + 3600)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_worker_killed_mid_job_the_job_runs_again_and_its_effect_happens_once(tmp_path, redis_db, reaped):
    from rq.job import Job
    from rq.registry import StartedJobRegistry

    with DvcqgDouble() as double:
        env = _rq_env(tmp_path, MOTCUA_DVCQG_URL=double.url, MOTCUA_DVCQG_SYNC="1", MOTCUA_DVCQG_CLIENT_ID="motcua",
                      MOTCUA_DVCQG_CLIENT_SECRET="bi-mat", MOTCUA_DVCQG_LEASE_SECONDS="1",
                      MOTCUA_DVCQG_BACKOFF_SECONDS="1")
        _manage(env, "migrate", "--noinput")
        _manage(env, "shell", stdin=SEED)  # six dossiers: their pushes are queued in Redis on commit
        assert redis_db.llen("rq:queue:default") > 0
        db = sqlite3.connect(tmp_path / "db.sqlite3")
        owed = db.execute("SELECT count(*) FROM integrations_syncrecord").fetchone()[0]
        assert owed >= 18
        double.hold(*([0.3] * 200))  # DVCQG answers slowly: the kill lands while a request is in flight
        worker = reaped(_worker(env))
        deadline = time.monotonic() + 90
        while double.posts < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.15)
        from rq import Queue

        queue = Queue("default", connection=redis_db)
        in_flight = StartedJobRegistry(queue=queue).get_job_ids()
        assert len(in_flight) == 1, in_flight
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse
        worker.wait()
        assert 0 < double.posts < owed
        assert Job.fetch(in_flight[0], connection=redis_db).get_status() == "started"  # abandoned mid-job

        time.sleep(1.2)  # the dead worker's DVCQG lease runs out
        _manage(env, "shell", stdin=ABANDON)  # what RQ's maintenance does once the heartbeat has expired
        double.hold()
        assert reaped(_worker(env, "--burst")).wait(timeout=180) == 0
        assert Job.fetch(in_flight[0], connection=redis_db).get_status() == "finished"  # it ran again
        states = dict(db.execute("SELECT state, count(*) FROM integrations_syncrecord GROUP BY state").fetchall())
        assert states == {"acked": owed}
        assert len(double.by_key) == owed  # every record held once on DVCQG
        assert double.posts - double.duplicates == owed
        db.close()
    assert "0 failed job(s)" in _manage(env, "worker", "failed")


def _fail_one_job(env: dict[str, str]) -> None:
    """Events named by ids that are not numbers: the job fails on every attempt, once and once more (the retry),
    and ends in the failed list."""
    _manage(env, "shell", stdin="from motcua.dossiers.dispatch import handle_events\n"
                                "handle_events.enqueue(['khong-phai-so'])\n")
    assert _worker(env, "--burst").wait(timeout=120) == 0


def test_a_job_that_keeps_failing_is_listed_and_can_be_requeued(tmp_path, redis_db):
    env = _rq_env(tmp_path)
    _manage(env, "migrate", "--noinput")
    _fail_one_job(env)
    listed = _manage(env, "worker", "failed")
    assert "1 failed job(s)" in listed and "handle_events" in listed and "ValueError" in listed
    assert "1 job(s) requeued" in _manage(env, "worker", "requeue", "--all")
    assert redis_db.llen("rq:queue:default") == 1
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _manage(env, "worker", "requeue")
    assert "--all" in refused.value.stderr


def test_healthz_reports_failed_jobs_and_an_unreachable_queue(tmp_path, redis_db):
    env = _rq_env(tmp_path)
    _manage(env, "migrate", "--noinput")
    _fail_one_job(env)
    probe = "from django.test import Client\nprint(Client().get('/healthz').content.decode())\n"
    assert '"tasks_failed"' in _manage(env, "shell", stdin=probe)
    down = {**env, "MOTCUA_TASKS_URL": "redis://127.0.0.1:1/0"}
    assert '"tasks_queue_unreachable"' in _manage(down, "shell", stdin=probe)


def test_the_tasks_url_must_be_a_redis_address(tmp_path):
    env = {**_env(tmp_path), "MOTCUA_TASKS_URL": "amqp://127.0.0.1"}
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _manage(env, "check")
    assert "MOTCUA_TASKS_URL must be a redis://" in refused.value.stderr
