"""A small real HTTP server for the doubles of the national services (DVCQG, the payment platform, ...).

The doubles stand in for services that only a province gets credentials for. They listen on a real socket
(``ThreadingHTTPServer`` from the standard library), so that the clients are tested against real HTTP: refused
connections, timeouts, 5xx answers, answers out of order. Each double subclasses ``Double`` and writes its
routes as methods ``route(method, path, body, headers) -> Reply``. Faults are planted through ``faults``
(``fail_next(n)``, ``delay_next(n, seconds)``), by the tests in the same process, or over HTTP by the
management commands (``POST /_double/faults``), so that a double run as a separate process can be steered too.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # A raw body (bytes) is sent as is, e.g. an HTML page or a redirect.
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


@dataclass
class Faults:
    """Faults planted for the next requests to a double (thread-safe)."""

    fail: int = 0  # the next ``fail`` requests answer ``fail_status``
    fail_status: int = 503
    delay: int = 0  # the next ``delay`` requests wait ``delay_seconds`` before answering
    delay_seconds: float = 0.0
    drop: int = 0  # the next ``drop`` requests are processed, then the connection is closed without an answer
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fail_next(self, n: int, status: int = 503) -> None:
        with self.lock:
            self.fail, self.fail_status = n, status

    def delay_next(self, n: int, seconds: float) -> None:
        with self.lock:
            self.delay, self.delay_seconds = n, seconds

    def drop_next(self, n: int) -> None:
        with self.lock:
            self.drop = n

    def clear(self) -> None:
        with self.lock:
            self.fail = self.delay = self.drop = 0

    def take(self) -> tuple[int | None, float, bool]:
        """What to do with the request that arrives now: (status to fail with, seconds to wait, drop)."""
        with self.lock:
            status = None
            if self.fail > 0:
                self.fail -= 1
                status = self.fail_status
            wait = 0.0
            if self.delay > 0:
                self.delay -= 1
                wait = self.delay_seconds
            drop = False
            if self.drop > 0 and status is None:
                self.drop -= 1
                drop = True
            return status, wait, drop


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # One write per answer, sent at once: without these, the headers and the body leave as two segments and
    # Nagle's algorithm meets the client's delayed ACK (about 40 ms per request on keep-alive connections).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the double is quiet; what it received is in its own records

    def _serve(self, method: str) -> None:
        double = self.server.double
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        if path == "/_double/faults" and method == "POST":
            reply = double.steer(_json(body))
        else:
            status, wait, drop = double.faults.take()
            if wait:
                time.sleep(wait)
            if status is not None:
                reply = Reply(status, {"error": "planted fault", "status": status})
            else:
                try:
                    reply = double.route(method, self.path, body, dict(self.headers.items()))
                except Exception as exc:  # the double's own bug answers 500, as a real service would
                    reply = Reply(500, {"error": str(exc)})
                if drop:
                    self.close_connection = True
                    self.connection.close()
                    return
        payload = reply.raw if reply.raw is not None else (
            b"" if reply.body is None else json.dumps(reply.body, ensure_ascii=False).encode())
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode() or "null")
    except (UnicodeDecodeError, ValueError):
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    double: Double


class Double:
    """A double of a national service on a real socket. Use as a context manager in tests::

        with DvcqgDouble() as double:
            settings.MOTCUA_DVCQG_URL = double.url
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.faults = Faults()
        self._server = _Server((host, port), _Handler)
        self._server.double = self
        self._thread: threading.Thread | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}"

    def route(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        return Reply(404, {"error": "no such route"})

    def steer(self, order: Any) -> Reply:
        """``POST /_double/faults`` with ``{"fail": n, "status": 503, "delay": n, "seconds": s, "drop": n,
        "clear": true}``: plant faults in a double that runs as another process."""
        if not isinstance(order, dict):
            return Reply(400, {"error": "a JSON object is expected"})
        if order.get("clear"):
            self.faults.clear()
        if order.get("fail"):
            self.faults.fail_next(int(order["fail"]), int(order.get("status") or 503))
        if order.get("delay"):
            self.faults.delay_next(int(order["delay"]), float(order.get("seconds") or 1.0))
        if order.get("drop"):
            self.faults.drop_next(int(order["drop"]))
        return Reply(200, {"ok": True})

    def start(self) -> Double:
        self._thread = threading.Thread(target=self._server.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the management commands)."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> Double:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def read_json(body: bytes) -> Any:
    """The JSON of a request body, or None when it is not JSON."""
    return _json(body)
