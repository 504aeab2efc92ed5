"""The HTTP double base: real sockets, planted faults."""

from __future__ import annotations

import http.client
import json

import pytest

from motcua.integrations.doubles import Double, Reply


class Echo(Double):
    def route(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        return Reply(200, {"method": method, "path": path, "len": len(body)})


def _post(url: str, path: str, body: dict | None = None, timeout: float = 5) -> tuple[int, dict]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    conn.request("POST", path, json.dumps(body or {}), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = json.loads(resp.read() or b"null")
    conn.close()
    return resp.status, data


def test_a_double_answers_its_routes_and_its_planted_faults_in_turn():
    with Echo() as double:
        assert _post(double.url, "/x") == (200, {"method": "POST", "path": "/x", "len": 2})
        double.faults.fail_next(2, 502)
        assert _post(double.url, "/x")[0] == 502
        assert _post(double.url, "/x")[0] == 502
        assert _post(double.url, "/x")[0] == 200


def test_faults_are_planted_over_http_too_and_a_dropped_answer_is_a_broken_connection():
    with Echo() as double:
        assert _post(double.url, "/_double/faults", {"drop": 1}) == (200, {"ok": True})
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            _post(double.url, "/x")
        assert _post(double.url, "/x")[0] == 200


def test_a_delayed_answer_times_out_the_client():
    with Echo() as double:
        double.faults.delay_next(1, 1.0)
        with pytest.raises(TimeoutError):
            _post(double.url, "/x", timeout=0.2)
