"""12-factor settings: the cache, e-mail, storage and notice channels come from the environment, and the
rate limit counts in the shared cache (a real Redis on 127.0.0.1:6379, started by .ci/run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from motcua.portal import throttle

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _settings_in_a_fresh_process(tmp_path: Path, **env: str) -> dict[str, object]:
    """Import motcua.settings as the real command does, with only these variables added."""
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": str(ROOT / "src"),
            "MOTCUA_VAR_DIR": str(tmp_path), **env}
    full.pop("MOTCUA_ENV", None)
    code = ("import json, motcua.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
            "['ENV', 'CACHES', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_USE_TLS', 'DEFAULT_FROM_EMAIL', 'STORAGES', "
            "'MOTCUA_NOTIFY_CHANNELS', 'TASKS']}, default=str))")
    result = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60,
                            check=True)
    return json.loads(result.stdout)


def test_the_settings_read_cache_email_storage_and_channels_from_the_environment(tmp_path):
    channels = {"sms": {"BACKEND": "motcua.notifications.channels.dev.FileChannel", "OPTIONS": {}}}
    got = _settings_in_a_fresh_process(
        tmp_path, MOTCUA_CACHE_URL="redis://127.0.0.1:6379/3", MOTCUA_EMAIL_HOST="smtp.example.vn",
        MOTCUA_EMAIL_PORT="587", MOTCUA_EMAIL_USE_TLS="true", MOTCUA_EMAIL_FROM="motcua@example.vn",
        MOTCUA_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage",
        MOTCUA_STORAGE_OPTIONS='{"base_url": "/m/"}', MOTCUA_NOTIFY_CHANNELS=json.dumps(channels))
    assert got["ENV"] == "development"  # no test detection in the settings module
    assert got["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert got["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert (got["EMAIL_HOST"], got["EMAIL_PORT"], got["EMAIL_USE_TLS"]) == ("smtp.example.vn", 587, True)
    assert got["DEFAULT_FROM_EMAIL"] == "motcua@example.vn"
    assert got["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.InMemoryStorage",
                                          "OPTIONS": {"base_url": "/m/"}}
    assert got["MOTCUA_NOTIFY_CHANNELS"] == channels
    assert got["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_without_variables_the_cache_is_local_memory_and_files_are_local(tmp_path):
    got = _settings_in_a_fresh_process(tmp_path)
    assert got["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert got["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert got["MOTCUA_NOTIFY_CHANNELS"] is None  # the defaults of motcua.notifications.conf apply


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")


def test_two_processes_share_the_tracking_limit_through_redis(settings):
    """Two app servers = two cache connections of their own; the limit is counted once across both."""
    _redis_or_skip()
    prefix = f"motcua-test-{uuid.uuid4().hex}"
    params = {"KEY_PREFIX": prefix}
    server_a, server_b = RedisCache(REDIS_URL, params), RedisCache(REDIS_URL, params)
    settings.MOTCUA_TRACKING_RATE_LIMIT = 3
    settings.MOTCUA_TRACKING_RATE_WINDOW = 600
    request = RequestFactory().get("/tra-cuu", REMOTE_ADDR="203.0.113.9")
    try:
        answers = [throttle.allow(request, using=cache) for cache in (server_a, server_b, server_a, server_b)]
        assert answers == [True, True, True, False]  # the fourth look-up is refused on the other server
        other = RequestFactory().get("/tra-cuu", REMOTE_ADDR="203.0.113.10")
        assert throttle.allow(other, using=server_b)  # counted per client
    finally:
        server_a.clear()  # db 15 is the tests' own
        server_a.close()
        server_b.close()


def test_without_a_sender_address_notices_come_from_noreply_at_the_public_host(tmp_path, monkeypatch):
    monkeypatch.delenv("MOTCUA_EMAIL_FROM", raising=False)
    got = _settings_in_a_fresh_process(tmp_path, MOTCUA_PUBLIC_BASE_URL="https://dichvucong.lamdong.gov.vn")
    assert got["DEFAULT_FROM_EMAIL"] == "noreply@dichvucong.lamdong.gov.vn"  # not webmaster@localhost


_TWO_WRITERS = """
import threading, time
import django
django.setup()
from django.db import connection, transaction
with connection.cursor() as c:
    c.execute("CREATE TABLE t (n INTEGER)")
errors = []
def hold():
    with transaction.atomic():
        connection.cursor().execute("INSERT INTO t VALUES (1)")
        time.sleep(1.5)
def second():
    time.sleep(0.3)
    try:
        with transaction.atomic():  # reads, then writes: a deferred transaction could not wait to upgrade
            connection.cursor().execute("SELECT COUNT(*) FROM t")
            connection.cursor().execute("INSERT INTO t VALUES (2)")
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=hold), threading.Thread(target=second)]
[t.start() for t in threads]
[t.join() for t in threads]
print(errors or "both written")
"""


def test_a_sqlite_file_named_by_url_queues_its_writers(tmp_path):
    """DATABASE_URL=sqlite:///… was opened without the default file's options: a second writer failed at once with
    'database is locked' (a register export answered 500 in bench/bench_exports.py); it now waits its turn."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": str(ROOT / "src"),
           "MOTCUA_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'url.sqlite3'}"}
    env.pop("MOTCUA_ENV", None)
    result = subprocess.run([sys.executable, "-c", _TWO_WRITERS], env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "both written", result.stdout + result.stderr
