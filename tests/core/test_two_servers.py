"""Two app servers sharing Redis (issue 20): the rate limits count across both, and a session opened on one is
valid on the other (``MOTCUA_CACHE_URL``: the shared cache, sessions in it and written through to the database).
Two real ``runserver`` processes on one SQLite file and one Redis database (12)."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.core.test_tasks_rq import empty_redis
from tests.dossiers.test_kill import _env, _free_port, _manage, _serve

REDIS_URL = "redis://127.0.0.1:6379/12"
USER = """
from motcua.accounts.models import User
User.objects.create_user(username="binh", password="mat-khau-dai-12", full_name="Trần Thị Bình")
"""


@pytest.fixture
def two_servers(tmp_path: Path):  # type: ignore[no-untyped-def]
    client = empty_redis(REDIS_URL)
    env = _env(tmp_path)
    env.update(MOTCUA_CACHE_URL=REDIS_URL, MOTCUA_TRACKING_RATE_LIMIT="3", MOTCUA_LOGIN_THROTTLING="false")
    _manage(env, "migrate", "--noinput")
    _manage(env, "shell", stdin=USER)
    ports = [_free_port(), _free_port()]
    servers = [_serve(env, port) for port in ports]
    yield [f"http://127.0.0.1:{port}" for port in ports]
    for server in servers:
        server.kill()
        server.wait()
    client.flushdb()


def _status(url: str, opener: urllib.request.OpenerDirector | None = None) -> int:
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_tracking_limit_counts_across_both_servers(two_servers):
    a, b = two_servers
    answers = [_status(f"{server}/api/v1/public/dossiers/T.SXD-260101-0001?verify=1234")
               for server in (a, b, a, b)]
    assert answers == [404, 404, 404, 429]  # the fourth look-up is refused, on the other server


def test_a_session_opened_on_one_server_is_valid_on_the_other(two_servers):
    a, b = two_servers
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{a}/tai-khoan/dang-nhap/", timeout=20) as page:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert token
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": "binh",
                                   "password": "mat-khau-dai-12"}).encode()
    request = urllib.request.Request(f"{a}/tai-khoan/dang-nhap/", data=body,  # noqa: S310 - the local test server
                                     headers={"Referer": f"{a}/"})
    assert _status_of(opener, request) == 302  # signed in on A
    assert _status(f"{b}/tai-khoan/", opener) == 200  # and B knows the session (a stranger is sent to log in)
    assert _status(f"{b}/tai-khoan/", urllib.request.build_opener(NoRedirect)) == 302


def _status_of(opener: urllib.request.OpenerDirector, request: urllib.request.Request) -> int:
    try:
        with opener.open(request, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
